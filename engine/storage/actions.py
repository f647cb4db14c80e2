"""Button actions too long for a platform id, under a short stable key."""

from __future__ import annotations

import hashlib

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from engine.domain.errors import StorageError
from engine.domain.records import LearnerRef
from engine.storage.db import Database
from engine.storage.learners import LearnerRepository
from engine.storage.models import (
    ButtonAction,
)


class ActionRepository:
    """Button actions too long for a platform id, under a short stable key."""

    def __init__(self, db: Database, learners: LearnerRepository) -> None:
        self.db = db
        self.learners = learners

    def save_action(self, action: str, learner: LearnerRef | None = None) -> str:
        """Store ``action`` under a short stable key; linked to ``learner`` (whose words it
        may hold: ``/forget-me`` deletes it), or to nobody for a channel's post."""
        owner = learner.key if learner is not None else ""
        key = hashlib.sha256(f"{owner}\n{action}".encode()).hexdigest()[:24]
        learner_id = self.learners.upsert_learner(learner) if learner is not None else None
        try:
            with self.db.sessions.begin() as session:
                if session.get(ButtonAction, key) is None:
                    session.add(ButtonAction(key=key, action=action, learner_id=learner_id))
        except IntegrityError:
            pass  # saved concurrently by another request: same key, same action
        except SQLAlchemyError as err:
            raise StorageError() from err
        return key

    def load_action(self, key: str) -> str | None:
        def load(session) -> str | None:
            row = session.get(ButtonAction, key)
            return row.action if row else None

        return self.db.read(load)

