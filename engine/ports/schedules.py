"""Daily quiz schedules and the claims that make each post go out exactly once.

Posting exactly once rests on *claims*: a row with a UNIQUE (kind, subject, local date) key,
inserted if absent. The instance whose insert wins does the post; the others see nothing. A
claim is ``finish``ed with the message it produced; one stuck past a deadline (its instance
died) is taken over by a compare-and-set in ``recover_claims``.

Kinds and subjects: ``quiz``/``reveal`` of ``schedule:<id>`` on the quiz's local date,
``reminder`` of ``learner:<id>`` on the learner's local date, ``digest`` of
``<platform>:<workspace>`` on the Monday of the week it reports."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Protocol

from engine.domain.records import ChannelRef, Claim
from engine.learning.schedule import QuizSchedule


class ScheduleStore(Protocol):
    """Daily quiz schedules and the claims that make each post go out exactly once."""

    def save_schedule(self, schedule: QuizSchedule, *, now: datetime) -> QuizSchedule:
        """Create or replace the channel's schedule (takes effect ``now``); returns it stored."""
        ...

    def get_schedule(self, channel: ChannelRef) -> QuizSchedule | None:
        """The channel's schedule, or None."""
        ...

    def schedule_by_id(self, schedule_id: int) -> QuizSchedule | None:
        """The schedule with this id (paused or not), or None once removed."""
        ...

    def remove_schedule(self, channel: ChannelRef) -> bool:
        """Delete the channel's schedule; False if there was none."""
        ...

    def active_schedules(self, platforms: Collection[str]) -> list[QuizSchedule]:
        """Every unpaused schedule on these platforms."""
        ...

    def claim(self, kind: str, subject: str, local_date: date, *, now: datetime, instance: str,
              schedule_id: int | None = None, learner_id: int | None = None,
              prompt_id: int | None = None) -> Claim | None:
        """Insert the claim if absent: the Claim when this call won it, else None."""
        ...

    def finish_claim(self, claim_id: int, *, now: datetime, message_ref: str | None,
                     prompt_id: int | None = None, closes_at: datetime | None = None) -> None:
        """Record that the claimed post went out (``message_ref`` from the platform)."""
        ...

    def fail_claim(self, claim_id: int, *, error: str) -> None:
        """Record a failed post; ``recover_claims`` retries it after the deadline."""
        ...

    def recover_claims(self, *, now: datetime, stale_before: datetime, instance: str,
                       max_attempts: int) -> list[Claim]:
        """Take over unfinished claims claimed before ``stale_before`` (compare-and-set, so
        one instance wins each); claims out of attempts are given up instead."""
        ...

    def prune_claims(self, before: datetime) -> int:
        """Delete claims made before ``before`` (done or given up); returns how many."""
        ...

    def reveals_due(self, now: datetime) -> list[Claim]:
        """Posted quiz claims whose answers closed by ``now`` and that have no reveal claim."""
        ...
