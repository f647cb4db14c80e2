"""Spaced repetition with FSRS (the ``fsrs`` package): one memory card per learner and question.

Every quiz attempt anywhere (a channel quiz, ``/quiz``, ``/review``) reviews the learner's card
for that question: a right answer rates it ``Good`` (the next review moves further out), a
wrong one ``Again`` (it comes back soon). ``/review`` serves the cards whose due time passed.

Chat learners meet a question at most a few times a day, so the scheduler here has no
minute-long learning steps: intervals are whole days from the first answer on (``Again`` ->
about a day, ``Good`` -> a few days, growing with each success). Fuzzing is off so the same
history always gives the same due dates (tests, support questions, reproducible pictures).
A *lapse* is a wrong answer on a card the learner had already reviewed; ``/cohort`` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@dataclass(frozen=True)
class MemoryCard:
    """The stored FSRS state of one learner's memory of one question."""

    question_id: str
    due: datetime  # UTC
    state: int = State.Learning.value
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None
    reps: int = 0  # reviews so far
    lapses: int = 0  # wrong answers after the first review

    @property
    def is_new(self) -> bool:
        return self.reps == 0


def new_card(question_id: str, now: datetime) -> MemoryCard:
    """A never-reviewed card, due at once."""
    return MemoryCard(question_id=question_id, due=_utc(now))


def rating_for(correct: bool) -> Rating:
    """Right -> Good, wrong -> Again (chat answers carry no finer self-rating)."""
    return Rating.Good if correct else Rating.Again


def review(card: MemoryCard, correct: bool, at: datetime) -> MemoryCard:
    """The card after one answer at ``at`` (UTC): new due date, stability and difficulty."""
    at = _utc(at)
    updated, _log = SCHEDULER.review_card(_to_fsrs(card), rating_for(correct), at)
    lapse = not correct and not card.is_new
    return MemoryCard(
        question_id=card.question_id, due=_utc(updated.due), state=updated.state.value,
        step=updated.step, stability=updated.stability, difficulty=updated.difficulty,
        last_review=_utc(updated.last_review) if updated.last_review else at,
        reps=card.reps + 1, lapses=card.lapses + int(lapse))


def is_due(card: MemoryCard, now: datetime) -> bool:
    """True when the card's next review time has come."""
    return card.due <= _utc(now)


def retrievability(card: MemoryCard, now: datetime) -> float:
    """FSRS's probability that the learner still recalls the answer now (0 for a new card)."""
    if card.is_new:
        return 0.0
    return float(SCHEDULER.get_card_retrievability(_to_fsrs(card), _utc(now)))


def interval(card: MemoryCard) -> timedelta | None:
    """Time from the last review to the due date (None for a new card)."""
    return None if card.last_review is None else card.due - card.last_review


def _to_fsrs(card: MemoryCard) -> Card:
    # card_id is only a label inside fsrs; a fixed one avoids its clock read and 1 ms sleep
    return Card(card_id=1, state=State(card.state), step=card.step, stability=card.stability,
                difficulty=card.difficulty, due=card.due, last_review=card.last_review)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got {instant!r}")
    return instant.astimezone(UTC)
