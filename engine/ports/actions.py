"""Button actions too long for a platform id, stored under a short key."""

from __future__ import annotations

from typing import Protocol

from engine.domain.records import LearnerRef


class ActionStore(Protocol):
    """Button actions too long for a platform id, stored under a short key."""

    def save_action(self, action: str, learner: LearnerRef | None = None) -> str:
        """Store a long button action and return a short stable key for it, linked to the
        learner whose words it may hold (None: a channel's post, nobody's words)."""
        ...

    def load_action(self, key: str) -> str | None:
        """The action stored under ``key``, or None."""
        ...
