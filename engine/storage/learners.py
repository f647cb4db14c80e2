"""Learners, their demo runs, lessons read and settings; forgetting a learner."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from engine.domain.clock import utcnow
from engine.domain.errors import StorageError
from engine.domain.records import (
    Attempt,
    DemoRun,
    LearnerRecord,
    LearnerRef,
    LearnerSettings,
    ReminderTarget,
)
from engine.storage.db import Database, aware
from engine.storage.models import (
    Base,
    DemoRunRow,
    Learner,
    LearnerSettingsRow,
    LessonDone,
    PostClaim,
    QuizAttemptRow,
)


def find_learner(session: Session, learner: LearnerRef) -> Learner | None:
    """The learner's row, or None (never creates one)."""
    return session.scalar(select(Learner).where(
        Learner.platform == learner.platform, Learner.workspace == learner.workspace,
        Learner.user_id == learner.user_id))


def _attempt(row: QuizAttemptRow) -> Attempt:
    return Attempt(row.prompt_id, row.question_id, row.concept, row.choice, row.correct,
                   aware(row.answered_at))


def _jsonable(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}



class LearnerRepository:
    """Learners, their demo runs, lessons read and settings; forgetting a learner."""

    def __init__(self, db: Database) -> None:
        self.db = db

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
                with self.db.sessions.begin() as session:
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
            with self.db.sessions.begin() as session:
                session.add(DemoRunRow(learner_id=learner_id, command=command,
                                       options=_jsonable(options), seed=seed,
                                       canonical=canonical, request_key=request_key))
        except IntegrityError:
            return False  # this request_key is already recorded: a retry
        except SQLAlchemyError as err:
            raise StorageError() from err
        return True

    def runs(self, learner: LearnerRef) -> list[DemoRun]:
        with self.db.sessions() as session:
            rows = session.scalars(
                select(DemoRunRow).join(Learner).where(
                    Learner.platform == learner.platform,
                    Learner.workspace == learner.workspace,
                    Learner.user_id == learner.user_id,
                ).order_by(DemoRunRow.id))
            return [DemoRun(r.command, r.options, r.seed, r.canonical, r.created_at)
                    for r in rows]

    def set_timezone(self, learner: LearnerRef, timezone: str) -> None:
        learner_id = self.upsert_learner(learner)
        self.db.write(lambda s: setattr(s.get(Learner, learner_id), "timezone", timezone))

    def mark_lesson_done(self, learner: LearnerRef, lesson_id: str, *,
                         at: datetime | None = None) -> bool:
        learner_id = self.upsert_learner(learner)
        row = LessonDone(learner_id=learner_id, lesson_id=lesson_id, done_at=at or utcnow())
        try:
            self.db.write(lambda s: s.add(row))
        except IntegrityError:
            return False  # already read: the first time counts
        return True

    def learner_record(self, learner: LearnerRef) -> LearnerRecord:
        with self.db.sessions() as session:
            row = find_learner(session, learner)
            if row is None:
                return LearnerRecord()
            lessons = session.execute(select(LessonDone.lesson_id, LessonDone.done_at).where(
                LessonDone.learner_id == row.id)).all()
            attempts = session.scalars(select(QuizAttemptRow).where(
                QuizAttemptRow.learner_id == row.id).order_by(
                QuizAttemptRow.answered_at, QuizAttemptRow.id))
            runs = session.scalars(select(DemoRunRow.created_at).where(
                DemoRunRow.learner_id == row.id).order_by(DemoRunRow.id))
            return LearnerRecord(
                timezone=row.timezone or "UTC",
                lessons_done={lesson: aware(at) for lesson, at in lessons},
                attempts=tuple(_attempt(a) for a in attempts),
                demo_runs=tuple(aware(at) for at in runs))

    def forget_learner(self, learner: LearnerRef) -> Mapping[str, int]:
        def forget(session: Session) -> dict[str, int]:
            row = find_learner(session, learner)
            if row is None:
                return {}
            deleted: dict[str, int] = {}
            # every table with a learner_id column, dependants first (FK cascades are the
            # safety net): tables added later are covered without changing this code
            for table in reversed(Base.metadata.sorted_tables):
                if "learner_id" in table.c:
                    result = session.execute(delete(table).where(table.c.learner_id == row.id))
                    deleted[table.name] = result.rowcount
            session.delete(row)
            deleted["learners"] = 1
            return deleted

        return self.db.write(forget)

    def learner_settings(self, learner_id: int) -> LearnerSettings:
        with self.db.sessions() as session:
            learner = session.get(Learner, learner_id)
            row = session.get(LearnerSettingsRow, learner_id)
            timezone = learner.timezone if learner else "UTC"
            if row is None:
                return LearnerSettings(timezone=timezone)
            return LearnerSettings(timezone, row.reminders, row.reminder_time, row.leaderboard)

    def save_learner_settings(self, learner_id: int, settings: LearnerSettings) -> None:
        def save(session: Session) -> None:
            session.get(Learner, learner_id).timezone = settings.timezone
            row = session.get(LearnerSettingsRow, learner_id)
            if row is None:
                row = LearnerSettingsRow(learner_id=learner_id)
                session.add(row)
            row.reminders, row.reminder_time = settings.reminders, settings.reminder_time
            row.leaderboard = settings.leaderboard

        self.db.write(save)

    def reminder_targets(self, platforms: Collection[str], *,
                         unclaimed_since: datetime | None = None) -> list[ReminderTarget]:
        query = select(Learner, LearnerSettingsRow).join(
            LearnerSettingsRow, LearnerSettingsRow.learner_id == Learner.id).where(
            LearnerSettingsRow.reminders.is_(True), Learner.platform.in_(list(platforms)))
        if unclaimed_since is not None:
            query = query.where(~exists().where(
                PostClaim.kind == "reminder", PostClaim.learner_id == Learner.id,
                PostClaim.claimed_at > unclaimed_since))
        with self.db.sessions() as session:
            rows = session.execute(query)
            return [ReminderTarget(learner.id, learner.platform, learner.workspace,
                                   learner.user_id,
                                   LearnerSettings(learner.timezone, True, row.reminder_time,
                                                   row.leaderboard))
                    for learner, row in rows]

