"""The SQLAlchemy implementation of the storage port (``engine.store.Store``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from engine.errors import TutorError
from engine.storage.claims import ClaimsRepository
from engine.storage.curriculum import CurriculumRepository, find_learner
from engine.storage.db import session_factory
from engine.storage.habits import HabitsRepository
from engine.storage.models import ButtonAction, DemoRunRow, Learner
from engine.storage.questions import QuestionsRepository
from engine.store import DemoRun, LearnerRef


class StorageError(TutorError):
    """The database failed; the learner gets a short apology, the log gets the cause."""

    def __init__(self) -> None:
        super().__init__("Sorry — I couldn't reach my database just now. Please try again.")


class SqlStore(CurriculumRepository, ClaimsRepository, HabitsRepository, QuestionsRepository):
    """``Store`` on SQLAlchemy 2.0 (SQLite or Postgres)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)

    def _learner_id(self, session, learner: LearnerRef) -> int:
        row = find_learner(session, learner)
        if row is None:
            row = Learner(platform=learner.platform, workspace=learner.workspace,
                          user_id=learner.user_id, display_name=learner.display_name)
            session.add(row)
            session.flush()
        elif learner.display_name and row.display_name != learner.display_name:
            row.display_name = learner.display_name
        return row.id

    def upsert_learner(self, learner: LearnerRef) -> int:
        for attempt in range(2):  # two first requests racing: the loser retries and finds it
            try:
                with self.sessions.begin() as session:
                    return self._learner_id(session, learner)
            except IntegrityError:
                if attempt:
                    raise StorageError() from None
            except SQLAlchemyError as err:
                raise StorageError() from err
        raise AssertionError("unreachable")

    def record_run(self, learner: LearnerRef, *, command: str, options: Mapping[str, Any],
                   seed: int | None, canonical: str, request_key: str | None = None) -> bool:
        learner_id = self.upsert_learner(learner)
        try:
            with self.sessions.begin() as session:
                session.add(DemoRunRow(learner_id=learner_id, command=command,
                                       options=_jsonable(options), seed=seed,
                                       canonical=canonical, request_key=request_key))
        except IntegrityError:
            return False  # this request_key is already recorded: a retry
        except SQLAlchemyError as err:
            raise StorageError() from err
        return True

    def runs(self, learner: LearnerRef) -> list[DemoRun]:
        with self.sessions() as session:
            rows = session.scalars(
                select(DemoRunRow).join(Learner).where(
                    Learner.platform == learner.platform,
                    Learner.workspace == learner.workspace,
                    Learner.user_id == learner.user_id,
                ).order_by(DemoRunRow.id))
            return [DemoRun(r.command, r.options, r.seed, r.canonical, r.created_at)
                    for r in rows]

    def save_action(self, action: str) -> str:
        key = hashlib.sha256(action.encode()).hexdigest()[:24]
        try:
            with self.sessions.begin() as session:
                if session.get(ButtonAction, key) is None:
                    session.add(ButtonAction(key=key, action=action))
        except IntegrityError:
            pass  # saved concurrently by another request: same key, same action
        except SQLAlchemyError as err:
            raise StorageError() from err
        return key

    def load_action(self, key: str) -> str | None:
        with self.sessions() as session:
            row = session.get(ButtonAction, key)
            return row.action if row else None


def _jsonable(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}
