"""Claims on inbound deliveries: the first process to claim a key handles it, retries don't.

A claim that was never finished (the process died mid-way) goes stale after a while, and the
next retry may take it over, so a delivery is never lost just because a retry looked late.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from engine.storage.db import session_factory
from engine.storage.models import DeliveryClaim, utcnow
from engine.storage.repository import StorageError

KEY_MAX = 160


class ClaimLog:
    """``claim`` / ``finish`` / ``purge`` on the ``delivery_claims`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)

    def claim(self, key: str, *, stale_after: timedelta) -> bool:
        """True if this caller should handle ``key``: a first claim, or a stale unfinished one."""
        key = key[:KEY_MAX]
        now = utcnow()
        try:
            with self.sessions.begin() as session:
                session.add(DeliveryClaim(key=key, claimed_at=now))
            return True
        except IntegrityError:
            pass  # already claimed: take it over only if that claim went stale unfinished
        except SQLAlchemyError as err:
            raise StorageError() from err
        try:
            with self.sessions.begin() as session:
                taken = session.execute(
                    update(DeliveryClaim)
                    .where(DeliveryClaim.key == key, DeliveryClaim.done_at.is_(None),
                           DeliveryClaim.claimed_at < now - stale_after)
                    .values(claimed_at=now))
                return taken.rowcount == 1
        except SQLAlchemyError as err:
            raise StorageError() from err

    def finish(self, key: str) -> None:
        """Mark ``key`` as handled: later retries are dropped for good."""
        try:
            with self.sessions.begin() as session:
                session.execute(update(DeliveryClaim).where(DeliveryClaim.key == key[:KEY_MAX])
                                .values(done_at=utcnow()))
        except SQLAlchemyError as err:
            raise StorageError() from err

    def purge(self, older_than: timedelta) -> int:
        """Forget claims older than ``older_than`` (platforms stop retrying long before)."""
        try:
            with self.sessions.begin() as session:
                gone = session.execute(delete(DeliveryClaim)
                                       .where(DeliveryClaim.claimed_at < utcnow() - older_than))
                return gone.rowcount
        except SQLAlchemyError as err:
            raise StorageError() from err
