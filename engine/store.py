"""The storage port: what the Tutor needs from a database, and nothing about how.

``engine.storage`` implements it with SQLAlchemy; the Tutor calls it from a thread
(``asyncio.to_thread``) so database round trips never block the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


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


class Store(Protocol):
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
