"""Value types every layer shares: who is asking, what was stored, what was claimed.

Frozen dataclasses with no behaviour beyond small derived properties; the storage ports
(``engine.ports``) take and return them, the services and rules read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

CLAIM_KINDS = ("quiz", "reveal", "reminder", "digest")


@dataclass(frozen=True)
class ChannelRef:
    """A chat channel: platform, workspace (Slack team, Discord guild) and channel id."""

    platform: str
    workspace: str
    channel: str


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
