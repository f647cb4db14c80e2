"""Button actions too long for a platform id, stored under a short key."""

from __future__ import annotations

from typing import Protocol


class ActionStore(Protocol):
    """Button actions too long for a platform id, stored under a short key."""

    def save_action(self, action: str) -> str:
        """Store a long button action and return a short stable key for it."""
        ...

    def load_action(self, key: str) -> str | None:
        """The action stored under ``key``, or None."""
        ...
