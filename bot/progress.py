"""A progress message updated in place: shown once, then edited, never flooding.

The engine's progress callback must not wait on the platform (the worker pool reads the
job's pipe in between), so ``report`` only stores the newest report; one task shows it, at
most once per ``interval`` (Slack: about one message a second per channel; Discord: one edit
a second), and only if the job is still running after ``first_delay`` (jobs pace their own
reports; quick jobs send none). Progress is a courtesy: the first failure to show it ends
it for that answer (never retried in a loop), and never fails the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from engine.domain.replies import Progress

log = logging.getLogger(__name__)

INTERVAL = 1.0  # seconds between updates of one message
FIRST_DELAY = 0.0  # seconds after the first report before a progress message appears
NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)  # after the client's retries

Show = Callable[[Progress], Awaitable[None]]


class ProgressMessage:
    """Coalesces progress reports and shows the newest through ``show``; an exception in
    ``give_up_on`` (the platform's API errors) or a network error stops the updates."""

    def __init__(self, show: Show, *, first_delay: float = FIRST_DELAY,
                 interval: float = INTERVAL,
                 give_up_on: tuple[type[Exception], ...] = ()) -> None:
        self._show = show
        self._first_delay = first_delay
        self._interval = interval
        self._give_up_on = (*give_up_on, *NETWORK_ERRORS)
        self._latest: Progress | None = None
        self._changed = asyncio.Event()
        self._closed = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def report(self, progress: Progress) -> None:
        """The engine's ``on_progress``: remember the newest report; never waits to show it."""
        self._latest = progress
        self._changed.set()
        if self._task is None and not self._closed.is_set():
            self._task = asyncio.create_task(self._run(), name="progress")

    async def close(self) -> None:
        """Stop updating; an update already under way is allowed to finish, so it cannot
        land after the answer."""
        self._closed.set()
        self._changed.set()
        if self._task is not None:
            await self._task

    async def _pause(self, seconds: float) -> bool:
        """Wait ``seconds`` or until closed; True if closed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), seconds)
        return self._closed.is_set()

    async def _run(self) -> None:
        if await self._pause(self._first_delay):
            return
        while True:
            await self._changed.wait()
            if self._closed.is_set():
                return
            self._changed.clear()
            try:
                await self._show(self._latest)
            except self._give_up_on as err:
                log.warning("progress update failed (%s: %s); no more progress for this "
                            "answer", type(err).__name__, err)
                return
            except Exception:  # a bug in an update must not cost the learner the answer
                log.exception("progress update failed; no more progress for this answer")
                return
            if await self._pause(self._interval):
                return
