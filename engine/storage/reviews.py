"""FSRS cards, one per learner and question.

Concurrent answers never lose a card update: on Postgres the card row is read FOR UPDATE; on
SQLite (one writer at a time) the row is rewritten only if its ``reps`` is still the one read,
otherwise the change is applied again to the fresh row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.learning.review import MemoryCard
from engine.storage.db import Database, aware
from engine.storage.models import (
    ReviewCard,
)

CARD_RETRIES = 20


def _card(row: ReviewCard) -> MemoryCard:
    return MemoryCard(row.question_id, aware(row.due), row.state, row.step, row.stability,
                      row.difficulty, aware(row.last_review) if row.last_review else None,
                      row.reps, row.lapses)


def _card_values(card: MemoryCard) -> dict[str, Any]:
    return dict(due=card.due, state=card.state, step=card.step, stability=card.stability,
                difficulty=card.difficulty, last_review=card.last_review, reps=card.reps,
                lapses=card.lapses)



class ReviewRepository:
    """FSRS cards, one per learner and question."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def update_card(self, learner_id: int, question_id: str,
                    change: Callable[[MemoryCard | None], MemoryCard]) -> MemoryCard:
        update_once = (self._update_locked if self.db.engine.dialect.name == "postgresql"
                       else self._update_optimistic)
        for _ in range(CARD_RETRIES):
            try:
                after = update_once(learner_id, question_id, change)
            except IntegrityError:
                continue  # the first card was created concurrently: apply the change to it
            if after is not None:
                return after
        raise RuntimeError(f"card {learner_id}/{question_id} kept changing under us")

    def _card_query(self, learner_id: int, question_id: str):
        return select(ReviewCard).where(ReviewCard.learner_id == learner_id,
                                        ReviewCard.question_id == question_id)

    def _update_locked(self, learner_id: int, question_id: str, change) -> MemoryCard:
        """Postgres: read the row FOR UPDATE, so concurrent answers queue up on it."""
        def apply(session: Session) -> MemoryCard:
            row = session.scalar(self._card_query(learner_id, question_id).with_for_update())
            after = change(_card(row) if row else None)
            if row is None:
                session.add(ReviewCard(learner_id=learner_id, question_id=question_id,
                                       **_card_values(after)))
                session.flush()
            else:
                for key, value in _card_values(after).items():
                    setattr(row, key, value)
            return after

        return self.db.write(apply)

    def _update_optimistic(self, learner_id: int, question_id: str,
                           change) -> MemoryCard | None:
        """SQLite (one writer at a time): write only if ``reps`` is still the one read."""
        with self.db.sessions() as session:
            row = session.scalar(self._card_query(learner_id, question_id))
            before = _card(row) if row else None
        after = change(before)
        if before is None:
            self.db.write(lambda s: s.add(ReviewCard(learner_id=learner_id,
                                                   question_id=question_id,
                                                   **_card_values(after))))
            return after
        statement = update(ReviewCard).where(
            ReviewCard.learner_id == learner_id, ReviewCard.question_id == question_id,
            ReviewCard.reps == before.reps).values(**_card_values(after))
        return after if self.db.write(lambda s: s.execute(statement).rowcount) == 1 else None

    def due_cards(self, learner_id: int, now: datetime, limit: int = 10) -> list[MemoryCard]:
        with self.db.sessions() as session:
            rows = session.scalars(select(ReviewCard).where(
                ReviewCard.learner_id == learner_id, ReviewCard.due <= now).order_by(
                ReviewCard.due, ReviewCard.id).limit(limit))
            return [_card(r) for r in rows]

    def count_due_cards(self, learner_id: int, now: datetime) -> int:
        with self.db.sessions() as session:
            return session.scalar(select(func.count()).select_from(ReviewCard).where(
                ReviewCard.learner_id == learner_id, ReviewCard.due <= now)) or 0

    def next_due(self, learner_id: int) -> datetime | None:
        with self.db.sessions() as session:
            due = session.scalar(select(func.min(ReviewCard.due)).where(
                ReviewCard.learner_id == learner_id))
            return aware(due) if due else None

