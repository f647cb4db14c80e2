"""The curriculum half of the SQL store: lessons read, quiz prompts and attempts, content.

Mixed into ``SqlStore``; every method is part of the ``engine.store.Store`` port.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from engine.learning.schedule import ChannelRef
from engine.storage.models import (
    Base,
    ContentItem,
    DemoRunRow,
    Learner,
    LessonDone,
    QuizAttemptRow,
    QuizPromptRow,
    utcnow,
)
from engine.store import Attempt, ContentRecord, LearnerRecord, LearnerRef, QuizPrompt


def _storage_error() -> Exception:
    from engine.storage.repository import StorageError  # the one error type of the store

    return StorageError()


def aware(at: datetime) -> datetime:
    """Timestamps come back naive from SQLite (stored as UTC); make them UTC-aware."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def find_learner(session: Session, learner: LearnerRef) -> Learner | None:
    """The learner's row, or None (never creates one)."""
    return session.scalar(select(Learner).where(
        Learner.platform == learner.platform, Learner.workspace == learner.workspace,
        Learner.user_id == learner.user_id))


def _attempt(row: QuizAttemptRow) -> Attempt:
    return Attempt(row.prompt_id, row.question_id, row.concept, row.choice, row.correct,
                   aware(row.answered_at))


def _prompt(row: QuizPromptRow, owner: LearnerRef | Learner | None) -> QuizPrompt:
    key = None if owner is None else f"{owner.platform}:{owner.workspace}:{owner.user_id}"
    channel = ChannelRef(row.platform, row.workspace, row.channel) if row.channel else None
    return QuizPrompt(row.id, row.question_id, row.learner_id, aware(row.created_at),
                      aware(row.closes_at) if row.closes_at else None, channel, key)


class CurriculumRepository:
    """Curriculum storage; expects ``self.sessions`` and ``self.upsert_learner``."""

    sessions: Any
    upsert_learner: Any

    def _write(self, fn) -> Any:
        """Run ``fn(session)`` in a transaction; database failures become StorageError."""
        try:
            with self.sessions.begin() as session:
                return fn(session)
        except IntegrityError:
            raise
        except SQLAlchemyError as err:
            raise _storage_error() from err

    def set_timezone(self, learner: LearnerRef, timezone: str) -> None:
        learner_id = self.upsert_learner(learner)
        self._write(lambda s: setattr(s.get(Learner, learner_id), "timezone", timezone))

    def mark_lesson_done(self, learner: LearnerRef, lesson_id: str, *,
                         at: datetime | None = None) -> bool:
        learner_id = self.upsert_learner(learner)
        row = LessonDone(learner_id=learner_id, lesson_id=lesson_id, done_at=at or utcnow())
        try:
            self._write(lambda s: s.add(row))
        except IntegrityError:
            return False  # already read: the first time counts
        return True

    def create_prompt(self, learner: LearnerRef, question_id: str, *,
                      at: datetime | None = None) -> QuizPrompt:
        learner_id = self.upsert_learner(learner)
        row = QuizPromptRow(question_id=question_id, learner_id=learner_id,
                            platform=learner.platform, workspace=learner.workspace,
                            created_at=at or utcnow())

        def add(session: Session) -> None:
            session.add(row)
            session.flush()

        self._write(add)
        return _prompt(row, learner)

    def get_prompt(self, prompt_id: int) -> QuizPrompt | None:
        with self.sessions() as session:
            found = session.execute(select(QuizPromptRow, Learner).outerjoin(
                Learner, Learner.id == QuizPromptRow.learner_id).where(
                QuizPromptRow.id == prompt_id)).first()
            return _prompt(*found) if found else None

    def record_attempt(self, learner: LearnerRef, prompt_id: int, *, question_id: str,
                       concept: str, choice: int, correct: bool,
                       at: datetime | None = None) -> tuple[Attempt, bool]:
        learner_id = self.upsert_learner(learner)
        row = QuizAttemptRow(prompt_id=prompt_id, learner_id=learner_id,
                             question_id=question_id, concept=concept, choice=choice,
                             correct=correct, answered_at=at or utcnow())
        try:
            self._write(lambda s: s.add(row))
            return _attempt(row), True
        except IntegrityError:
            pass  # UNIQUE(prompt_id, learner_id): this learner already answered this prompt
        with self.sessions() as session:
            first = session.scalar(select(QuizAttemptRow).where(
                QuizAttemptRow.prompt_id == prompt_id, QuizAttemptRow.learner_id == learner_id))
            if first is None:  # the integrity error was something else (no such prompt)
                raise _storage_error()
            return _attempt(first), False

    def learner_record(self, learner: LearnerRef) -> LearnerRecord:
        with self.sessions() as session:
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

        return self._write(forget)

    def save_content(self, records: Sequence[ContentRecord]) -> int:
        now = utcnow()

        def save(session: Session) -> int:
            replaced = 0
            for seq, record in enumerate(records):
                row = session.get(ContentItem, (record.kind, record.item_id))
                replaced += row is not None
                if row is None:
                    row = ContentItem(kind=record.kind, item_id=record.item_id)
                    session.add(row)
                row.data, row.source = dict(record.data), record.source[:255]
                row.seq, row.loaded_at = seq, now
            return replaced

        return self._write(save)

    def content(self) -> list[ContentRecord]:
        with self.sessions() as session:
            rows = session.scalars(select(ContentItem).order_by(ContentItem.loaded_at,
                                                                ContentItem.seq))
            return [ContentRecord(r.kind, r.item_id, r.data, r.source) for r in rows]
