"""Learners: who they are, what they ran and read, their settings, and forgetting them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Protocol

from engine.domain.records import (
    DemoRun,
    LearnerRecord,
    LearnerRef,
    LearnerSettings,
    ReminderTarget,
)


class LearnerStore(Protocol):
    """Learners: who they are, what they ran and read, their settings, and forgetting them."""

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

    def set_timezone(self, learner: LearnerRef, timezone: str) -> None:
        """Set the IANA time zone in which the learner's days (streaks) are counted."""
        ...

    def mark_lesson_done(self, learner: LearnerRef, lesson_id: str, *,
                         at: datetime | None = None) -> bool:
        """Record that the learner read a lesson; False if it was already recorded."""
        ...

    def learner_record(self, learner: LearnerRef) -> LearnerRecord:
        """The learner's lessons, attempts and demo runs (empty for an unknown learner)."""
        ...

    def forget_learner(self, learner: LearnerRef) -> Mapping[str, int]:
        """Delete every row about the learner; returns rows deleted per table."""
        ...

    def learner_settings(self, learner_id: int) -> LearnerSettings:
        """The learner's settings (defaults when never set)."""
        ...

    def save_learner_settings(self, learner_id: int, settings: LearnerSettings) -> None:
        """Store the learner's settings (the time zone also counts their streak days)."""
        ...

    def reminder_targets(self, platforms: Collection[str], *,
                         unclaimed_since: datetime | None = None) -> list[ReminderTarget]:
        """Learners on these platforms who turned reminders on (without a reminder claim
        made after ``unclaimed_since``, when given)."""
        ...
