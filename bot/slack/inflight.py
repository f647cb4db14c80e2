"""Work still running for requests Slack was already told "ok" about.

Bolt runs each listener in a task of its own once the request is acknowledged, and keeps no
handle on it. ``InFlight`` does: the core registers the task that answers each request, and
shutdown waits for them (briefly) before closing the HTTP session and the worker pool that
they use, so stopping the app does not swallow answers already promised.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

DRAIN_TIMEOUT = 20.0  # s that running answers get to finish when the app stops


class InFlight:
    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()

    def add(self, task: asyncio.Task | None = None) -> None:
        """Track ``task`` (default: the running one) until it ends."""
        task = task or asyncio.current_task()
        if task is not None and task not in self.tasks:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def drain(self, timeout: float = DRAIN_TIMEOUT) -> None:
        """Wait up to ``timeout`` seconds for tracked work, then cancel what is left."""
        waiting = self.tasks - {asyncio.current_task()}
        if not waiting:
            return
        log.info("waiting for %d answer(s) in progress", len(waiting))
        _, late = await asyncio.wait(waiting, timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            log.warning("%d answer(s) cancelled at shutdown", len(late))
            await asyncio.wait(late, timeout=1.0)
