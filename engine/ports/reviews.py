"""Spaced-repetition (FSRS) cards, one per learner and question."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from engine.learning.review import MemoryCard


class ReviewStore(Protocol):
    """Spaced-repetition (FSRS) cards, one per learner and question."""

    def update_card(self, learner_id: int, question_id: str,
                    change: Callable[[MemoryCard | None], MemoryCard]) -> MemoryCard:
        """Read the learner's card (None if new), apply ``change`` and store the result, in
        one transaction with the row locked (two answers at once cannot lose an update)."""
        ...

    def due_cards(self, learner_id: int, now: datetime, limit: int = 10) -> list[MemoryCard]:
        """The learner's cards due by ``now``, most overdue first."""
        ...

    def count_due_cards(self, learner_id: int, now: datetime) -> int:
        """How many of the learner's cards are due by ``now``."""
        ...

    def next_due(self, learner_id: int) -> datetime | None:
        """When the learner's next card falls due (None without cards)."""
        ...
