"""Questions shown to a learner or a channel, and the answers given (once each)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.domain.clock import utcnow
from engine.domain.errors import StorageError
from engine.domain.records import (
    Attempt,
    ChannelRef,
    LearnerRef,
    QuizPrompt,
)
from engine.storage.db import Database, aware
from engine.storage.learners import LearnerRepository
from engine.storage.models import Learner, QuizAttemptRow, QuizPromptRow


def _attempt(row: QuizAttemptRow) -> Attempt:
    return Attempt(row.prompt_id, row.question_id, row.concept, row.choice, row.correct,
                   aware(row.answered_at))


def _prompt(row: QuizPromptRow, owner: LearnerRef | Learner | None) -> QuizPrompt:
    key = None if owner is None else f"{owner.platform}:{owner.workspace}:{owner.user_id}"
    channel = ChannelRef(row.platform, row.workspace, row.channel) if row.channel else None
    return QuizPrompt(row.id, row.question_id, row.learner_id, aware(row.created_at),
                      aware(row.closes_at) if row.closes_at else None, channel, key)



class QuizRepository:
    """Questions shown to a learner or a channel, and the answers given (once each)."""

    def __init__(self, db: Database, learners: LearnerRepository) -> None:
        self.db = db
        self.learners = learners

    def create_prompt(self, learner: LearnerRef, question_id: str, *,
                      at: datetime | None = None) -> QuizPrompt:
        learner_id = self.learners.upsert_learner(learner)
        row = QuizPromptRow(question_id=question_id, learner_id=learner_id,
                            platform=learner.platform, workspace=learner.workspace,
                            created_at=at or utcnow())

        def add(session: Session) -> None:
            session.add(row)
            session.flush()

        self.db.write(add)
        return _prompt(row, learner)

    def get_prompt(self, prompt_id: int) -> QuizPrompt | None:
        with self.db.sessions() as session:
            found = session.execute(select(QuizPromptRow, Learner).outerjoin(
                Learner, Learner.id == QuizPromptRow.learner_id).where(
                QuizPromptRow.id == prompt_id)).first()
            return _prompt(*found) if found else None

    def record_attempt(self, learner: LearnerRef, prompt_id: int, *, question_id: str,
                       concept: str, choice: int, correct: bool,
                       at: datetime | None = None) -> tuple[Attempt, bool]:
        learner_id = self.learners.upsert_learner(learner)
        row = QuizAttemptRow(prompt_id=prompt_id, learner_id=learner_id,
                             question_id=question_id, concept=concept, choice=choice,
                             correct=correct, answered_at=at or utcnow())
        try:
            self.db.write(lambda s: s.add(row))
            return _attempt(row), True
        except IntegrityError:
            pass  # UNIQUE(prompt_id, learner_id): this learner already answered this prompt
        with self.db.sessions() as session:
            first = session.scalar(select(QuizAttemptRow).where(
                QuizAttemptRow.prompt_id == prompt_id, QuizAttemptRow.learner_id == learner_id))
            if first is None:  # the integrity error was something else (no such prompt)
                raise StorageError()
            return _attempt(first), False

    def create_channel_prompt(self, channel: ChannelRef, question_id: str, *, at: datetime,
                              closes_at: datetime) -> int:
        row = QuizPromptRow(question_id=question_id, learner_id=None, platform=channel.platform,
                            workspace=channel.workspace, channel=channel.channel,
                            created_at=at, closes_at=closes_at)

        def add(session: Session) -> int:
            session.add(row)
            session.flush()
            return row.id

        return self.db.write(add)

    def channel_question_ids(self, channel: ChannelRef, *, since: datetime) -> list[str]:
        with self.db.sessions() as session:
            return list(session.scalars(select(QuizPromptRow.question_id).where(
                QuizPromptRow.platform == channel.platform,
                QuizPromptRow.workspace == channel.workspace,
                QuizPromptRow.channel == channel.channel, QuizPromptRow.learner_id.is_(None),
                QuizPromptRow.created_at >= since).order_by(QuizPromptRow.created_at.desc())))

    def prompt_choices(self, prompt_id: int) -> list[int]:
        with self.db.sessions() as session:
            return list(session.scalars(select(QuizAttemptRow.choice).where(
                QuizAttemptRow.prompt_id == prompt_id).order_by(QuizAttemptRow.id)))

