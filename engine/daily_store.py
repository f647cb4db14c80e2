"""The storage port for daily quizzes, reviews, settings and the weekly views (part of Store).

Posting exactly once rests on *claims*: a row with a UNIQUE (kind, subject, local date) key,
inserted if absent. The instance whose insert wins does the post; the others see nothing. A
claim is ``finish``ed with the message it produced; one stuck past a deadline (its instance
died) is taken over by a compare-and-set in ``recover_claims``.

Kinds and subjects: ``quiz``/``reveal`` of ``schedule:<id>`` on the quiz's local date,
``reminder`` of ``learner:<id>`` on the learner's local date, ``digest`` of
``<platform>:<workspace>`` on the Monday of the week it reports.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from engine.learning.leaderboard import AttemptRecord
from engine.learning.review import MemoryCard
from engine.learning.schedule import ChannelRef, QuizSchedule

CLAIM_KINDS = ("quiz", "reveal", "reminder", "digest")


@dataclass(frozen=True)
class Claim:
    """A won claim: this instance (and no other) does the post."""

    id: int
    kind: str
    subject: str
    local_date: date
    claimed_at: datetime
    attempts: int = 1  # how many times it was claimed (first claim and take-overs)
    schedule_id: int | None = None
    learner_id: int | None = None
    prompt_id: int | None = None  # the channel prompt a quiz post created
    closes_at: datetime | None = None  # when a quiz's answers close (reveal time)


@dataclass(frozen=True)
class LearnerSettings:
    """A learner's own choices (``/settings``)."""

    timezone: str = "UTC"
    reminders: bool = False
    reminder_time: time = time(9, 0)
    leaderboard: bool = True  # False: never shown on /leaderboard


@dataclass(frozen=True)
class WorkspaceSettings:
    """A workspace's (guild's) choices, set by facilitators."""

    platform: str
    workspace: str
    timezone: str = "UTC"  # weeks (leaderboard, digest) start Monday 00:00 here
    digest_channel: str | None = None  # where the weekly cohort digest goes, if anywhere


@dataclass(frozen=True)
class ReminderTarget:
    """A learner who asked for daily review reminders."""

    learner_id: int
    platform: str
    workspace: str
    user_id: str
    settings: LearnerSettings


@dataclass(frozen=True)
class LearnerInfo:
    """A learner as the workspace-wide views show them."""

    learner_id: int
    name: str
    leaderboard: bool = True


@dataclass(frozen=True)
class ChannelPrompt:
    """A question posted to a channel and how many learners answered it."""

    prompt_id: int
    question_id: str
    channel: str
    created_at: datetime
    answers: int


class DailyStore(Protocol):
    """What daily quizzes, reviews and the weekly views store and read back."""

    # --- schedules -------------------------------------------------------------------------
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

    # --- claims ----------------------------------------------------------------------------
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

    # --- channel prompts -------------------------------------------------------------------
    def create_channel_prompt(self, channel: ChannelRef, question_id: str, *, at: datetime,
                              closes_at: datetime) -> int:
        """Store a question posted to a whole channel; returns the prompt id for buttons."""
        ...

    def channel_question_ids(self, channel: ChannelRef, *, since: datetime) -> list[str]:
        """Questions posted to the channel since then, newest first."""
        ...

    def prompt_choices(self, prompt_id: int) -> list[int]:
        """The option each learner picked on a prompt (one per learner)."""
        ...

    # --- FSRS cards ------------------------------------------------------------------------
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

    # --- settings --------------------------------------------------------------------------
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

    def workspace_settings(self, platform: str, workspace: str) -> WorkspaceSettings:
        """The workspace's settings (defaults when never set)."""
        ...

    def save_workspace_settings(self, settings: WorkspaceSettings) -> None:
        """Store a workspace's settings."""
        ...

    def digest_workspaces(self, platforms: Collection[str]) -> list[WorkspaceSettings]:
        """Workspaces on these platforms with a weekly digest channel."""
        ...

    # --- workspace-wide views --------------------------------------------------------------
    def workspace_learners(self, platform: str, workspace: str) -> Mapping[int, LearnerInfo]:
        """Every learner of the workspace, by id."""
        ...

    def workspace_attempts(self, platform: str, workspace: str, start: datetime,
                           end: datetime) -> list[AttemptRecord]:
        """Answers given in ``[start, end)`` by the workspace's learners, oldest first."""
        ...

    def workspace_lapses(self, platform: str, workspace: str) -> Mapping[str, int]:
        """FSRS lapses per question, summed over the workspace's learners."""
        ...

    def channel_prompts(self, platform: str, workspace: str, start: datetime,
                        end: datetime) -> list[ChannelPrompt]:
        """Channel quiz prompts posted in ``[start, end)`` with their answer counts."""
        ...
