"""The storage port: what the Tutor needs from a database, and nothing about how.

``engine.storage`` implements it with SQLAlchemy; the Tutor calls it from a thread
(``asyncio.to_thread``) so database round trips never block the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from engine.daily_store import DailyStore
from engine.learning.schedule import ChannelRef


@dataclass(frozen=True)
class LearnerRef:
    """Who is asking: a user of one platform, in one workspace (Slack team, Discord guild)."""

    platform: str  # "console" | "slack" | "discord"
    workspace: str  # Slack team id, Discord guild id or "dm", "local" for the console
    user_id: str
    display_name: str | None = None

    @property
    def key(self) -> str:
        """A stable string identifying the learner (for per-learner limits)."""
        return f"{self.platform}:{self.workspace}:{self.user_id}"


@dataclass(frozen=True)
class DemoRun:
    """One recorded demo run: enough to reproduce the picture."""

    command: str
    options: Mapping[str, Any]
    seed: int | None
    canonical: str
    created_at: datetime


@dataclass(frozen=True)
class QuizPrompt:
    """A question as shown: answer buttons carry its ``id``.

    ``learner_id`` is the learner it was shown to, or None for a channel-wide prompt, which
    names the ``channel`` it was posted to instead.
    """

    id: int
    question_id: str
    learner_id: int | None
    created_at: datetime
    closes_at: datetime | None = None
    channel: ChannelRef | None = None
    learner_key: str | None = None  # LearnerRef.key of the learner it was shown to


@dataclass(frozen=True)
class Attempt:
    """One recorded answer."""

    prompt_id: int
    question_id: str
    concept: str
    choice: int
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class LearnerRecord:
    """Everything progress rules need about one learner (timestamps are UTC-aware)."""

    timezone: str = "UTC"
    lessons_done: Mapping[str, datetime] = field(default_factory=dict)
    attempts: tuple[Attempt, ...] = ()  # oldest first
    demo_runs: tuple[datetime, ...] = ()  # when each demo ran, oldest first


@dataclass(frozen=True)
class ContentRecord:
    """A facilitator-loaded lesson or question: its validated fields and where it came from."""

    kind: str  # "lesson" | "question"
    item_id: str
    data: Mapping[str, Any]
    source: str


class Store(DailyStore, Protocol):
    """What the engine stores and reads back."""

    def upsert_learner(self, learner: LearnerRef) -> int:
        """Create the learner if new (updating the display name) and return its id."""
        ...

    def record_run(self, learner: LearnerRef, *, command: str, options: Mapping[str, Any],
                   seed: int | None, canonical: str, request_key: str | None = None) -> bool:
        """Record a demo run; False when ``request_key`` was already recorded (a retry)."""
        ...

    def runs(self, learner: LearnerRef) -> list[DemoRun]:
        """The learner's demo runs, oldest first."""
        ...

    def save_action(self, action: str) -> str:
        """Store a long button action and return a short stable key for it."""
        ...

    def load_action(self, key: str) -> str | None:
        """The action stored under ``key``, or None."""
        ...

    # --- curriculum ---------------------------------------------------------------------

    def set_timezone(self, learner: LearnerRef, timezone: str) -> None:
        """Set the IANA time zone in which the learner's days (streaks) are counted."""
        ...

    def mark_lesson_done(self, learner: LearnerRef, lesson_id: str, *,
                         at: datetime | None = None) -> bool:
        """Record that the learner read a lesson; False if it was already recorded."""
        ...

    def create_prompt(self, learner: LearnerRef, question_id: str, *,
                      at: datetime | None = None) -> QuizPrompt:
        """Store a question shown to the learner and return it with its new id."""
        ...

    def get_prompt(self, prompt_id: int) -> QuizPrompt | None:
        """The prompt with this id, or None."""
        ...

    def record_attempt(self, learner: LearnerRef, prompt_id: int, *, question_id: str,
                       concept: str, choice: int, correct: bool,
                       at: datetime | None = None) -> tuple[Attempt, bool]:
        """Record an answer once per (prompt, learner).

        Returns the stored attempt and True, or — for a repeat (a double click, a retry) —
        the attempt recorded first and False.
        """
        ...

    def learner_record(self, learner: LearnerRef) -> LearnerRecord:
        """The learner's lessons, attempts and demo runs (empty for an unknown learner)."""
        ...

    def forget_learner(self, learner: LearnerRef) -> Mapping[str, int]:
        """Delete every row about the learner; returns rows deleted per table."""
        ...

    def save_content(self, records: Sequence[ContentRecord]) -> int:
        """Insert or replace facilitator content (by kind and id); returns how many replaced."""
        ...

    def content(self) -> list[ContentRecord]:
        """All facilitator content, in the order it was loaded."""
        ...
