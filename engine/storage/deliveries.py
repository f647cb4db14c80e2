"""Claims on inbound deliveries: the first process to claim a key handles it, retries don't.

A claim that was never finished (the process died mid-way) goes stale after a while, and the
next retry may take it over, so a delivery is never lost just because a retry looked late.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete, update

from engine.domain.clock import utcnow
from engine.storage.db import Database
from engine.storage.models import DeliveryClaim

KEY_MAX = 160


class ClaimLog:
    """``claim`` / ``finish`` / ``purge`` on the ``delivery_claims`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.db = Database(engine)

    def claim(self, key: str, *, stale_after: timedelta) -> bool:
        """True if this caller should handle ``key``: a first claim, or a stale unfinished one."""
        key = key[:KEY_MAX]
        now = utcnow()
        if self.db.insert_if_absent(DeliveryClaim.__table__, dict(key=key, claimed_at=now),
                                   ["key"]) is not None:
            return True
        # already claimed: take it over only if that claim went stale unfinished
        taken = self.db.write(lambda s: s.execute(
            update(DeliveryClaim)
            .where(DeliveryClaim.key == key, DeliveryClaim.done_at.is_(None),
                   DeliveryClaim.claimed_at < now - stale_after)
            .values(claimed_at=now)).rowcount)
        return taken == 1

    def finish(self, key: str) -> None:
        """Mark ``key`` as handled: later retries are dropped for good."""
        self.db.write(lambda s: s.execute(
            update(DeliveryClaim).where(DeliveryClaim.key == key[:KEY_MAX])
            .values(done_at=utcnow())))

    def purge(self, older_than: timedelta) -> int:
        """Forget claims older than ``older_than`` (platforms stop retrying long before)."""
        return self.db.write(lambda s: s.execute(
            delete(DeliveryClaim).where(DeliveryClaim.claimed_at < utcnow() - older_than)
        ).rowcount)
