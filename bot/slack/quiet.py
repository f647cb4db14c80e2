"""A quiet gate: open once a stream of events has paused for a moment.

FastAck (bot/slack/server.py) holds the work behind each acked slash command until a burst
of acks has passed. Held tasks wait on one ``asyncio.Event`` that a single watcher task sets
when no ack has come for ``quiet`` seconds, so a burst of hundreds of commands costs one
timer per held task and one watcher wake-up per ``quiet`` interval, not a poll per task.
"""

from __future__ import annotations

import asyncio
import contextlib


class QuietGate:
    """Closed by every ``mark()``; opened by its watcher ``quiet`` seconds after the last."""

    def __init__(self, quiet: float) -> None:
        self.quiet = quiet
        self.last = 0.0  # loop time of the latest mark
        self.opened = asyncio.Event()
        self.opened.set()
        self._watcher: asyncio.Task | None = None

    def mark(self) -> None:
        """An event happened: close the gate until the stream is quiet again."""
        loop = asyncio.get_running_loop()
        self.last = loop.time()
        self.opened.clear()
        if self._watcher is None or self._watcher.done():
            self._watcher = loop.create_task(self._watch())

    async def _watch(self) -> None:
        """Sleep until ``quiet`` after the latest mark (again if more came), then open."""
        loop = asyncio.get_running_loop()
        while (left := self.last + self.quiet - loop.time()) > 0:
            await asyncio.sleep(left)
        self.opened.set()

    async def wait(self, timeout: float) -> None:
        """Until the gate opens, or ``timeout`` seconds at most (no error either way)."""
        if self.opened.is_set() or timeout <= 0:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self.opened.wait()
