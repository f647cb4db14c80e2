"""Events API retries answered once: each event_id is claimed in the database.

Slack retries an event (headers ``X-Slack-Retry-Num`` / ``-Reason``) when it got no 2xx in
3 s, even if the first delivery is being handled. The first request to claim an event id
handles it; later ones are acknowledged and dropped. Being a retry is never a reason to drop
by itself: a retry of a delivery nobody claimed (the first one never arrived, or the
process died before claiming) is handled, and so is one whose claim went stale unfinished.
If the database is unreachable the event is handled anyway (better twice than never).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from slack_bolt.response import BoltResponse

from engine.domain.errors import TutorError
from engine.ports import DeliveryLog

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=4)  # Slack retries at once, after ~1 min and after ~5 min
KEEP = timedelta(days=1)
PURGE_EVERY = 500  # claims between purges of old rows
CONTEXT_KEY = "tutorbot_claim"


class EventDedupe:
    """A Bolt listener middleware for event listeners, plus ``finish`` for when they are done."""

    def __init__(self, claims: DeliveryLog | None) -> None:
        self.claims = claims
        self._count = 0
        self._tasks: set[asyncio.Task] = set()

    async def middleware(self, body: dict[str, Any], context: Any, next: Any) -> Any:
        """Drop a delivery whose event id someone else already claimed."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id or self.claims is None:
            return await next()
        key = f"slack:{event_id}"
        try:
            first = await asyncio.to_thread(self.claims.claim, key, stale_after=STALE_AFTER)
        except TutorError:
            log.exception("could not claim event %s; handling it anyway", event_id)
            first = True
        if not first:
            log.info("event %s already handled; dropping this retry", event_id)
            return BoltResponse(status=200, body="")
        context[CONTEXT_KEY] = key
        self._count += 1
        if self._count % PURGE_EVERY == 0:
            task = asyncio.create_task(self._purge())
            self._tasks.add(task)  # keep a reference until it is done
            task.add_done_callback(self._tasks.discard)
        return await next()

    async def finish(self, context: Any) -> None:
        """Mark the event handled (call when its answer went out, or failed for good)."""
        key = context.get(CONTEXT_KEY)
        if key is None or self.claims is None:
            return
        try:
            await asyncio.to_thread(self.claims.finish, key)
        except TutorError:
            log.exception("could not mark event %s handled", key)

    async def _purge(self) -> None:
        try:
            gone = await asyncio.to_thread(self.claims.purge, KEEP)
            log.debug("purged %d old event claims", gone)
        except TutorError:
            log.exception("could not purge old event claims")
