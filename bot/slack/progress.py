"""A progress message updated in place: posted once, then ``chat.update``d, never flooding.

The engine's progress callback must not wait on Slack (the worker pool reads the job's pipe
in between), so ``report`` only stores the newest report; one task posts it, at most once a
second per message (Slack's per-channel pace), and only if the job is still running after
``first_delay`` (jobs pace their own reports; quick jobs send none).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.slack.webapi import slack_error
from engine.replies import Progress

log = logging.getLogger(__name__)

MIN_INTERVAL = 1.0  # seconds between updates of one message (about 1 message/s per channel)
FIRST_DELAY = 0.0  # seconds after the first report before a progress message appears

Show = Callable[[Progress], Awaitable[None]]


class ProgressMessage:
    """Coalesces progress reports and shows the newest through ``show``."""

    def __init__(self, show: Show, *, first_delay: float = FIRST_DELAY,
                 interval: float = MIN_INTERVAL) -> None:
        self._show = show
        self._first_delay = first_delay
        self._interval = interval
        self._latest: Progress | None = None
        self._changed = asyncio.Event()
        self._closed = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def report(self, progress: Progress) -> None:
        """The engine's ``on_progress``: remember the newest report; never waits on Slack."""
        self._latest = progress
        self._changed.set()
        if self._task is None and not self._closed.is_set():
            self._task = asyncio.create_task(self._run(), name="slack-progress")

    async def close(self) -> None:
        """Stop updating; an update already under way is allowed to finish."""
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
            report = self._latest
            try:
                await self._show(report)
            except SlackApiError as err:  # progress is a courtesy: never fail the job for it
                log.warning("progress update failed: %s", slack_error(err))
            except (aiohttp.ClientError, TimeoutError, OSError) as err:  # network, after retries
                log.warning("progress update failed (%s); no more progress for this answer",
                            type(err).__name__)
                return
            if await self._pause(self._interval):
                return
