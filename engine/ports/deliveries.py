"""Inbound deliveries claimed once: a platform's retries of one event are handled once."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol


class DeliveryLog(Protocol):
    """Claims on inbound delivery keys (a Slack ``event_id``), shared by every instance."""

    def claim(self, key: str, *, stale_after: timedelta) -> bool:
        """True if this caller should handle ``key``: a first claim, or a stale unfinished
        one (its instance died mid-way)."""
        ...

    def finish(self, key: str) -> None:
        """Mark ``key`` as handled: later retries are dropped for good."""
        ...

    def purge(self, older_than: timedelta) -> int:
        """Forget claims older than ``older_than``; returns how many."""
        ...
