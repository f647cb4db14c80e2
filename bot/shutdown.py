"""Work still running for requests the platform was already told "ok" about, and the one time
budget that stopping the app may spend on it (Slack and Discord alike).

Bolt and discord.py run each handler in a task of their own once the request is acknowledged.
``InFlight`` keeps a handle on those tasks, and shutdown waits for them (briefly) before
closing the HTTP session and the worker pool that they use, so stopping the app does not
swallow answers already promised.

Every wait while stopping (acked commands handed to Bolt, HTTP answers finishing, answers
in progress) comes out of one ``ShutdownBudget``, well inside the container's stop grace
period (``stop_grace_period`` in docker-compose.yml), after which the process is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

SHUTDOWN_BUDGET = 25.0  # s from the first wait at shutdown until the HTTP session closes
CANCEL_WAIT = 1.0  # s of a drain's timeout kept for cancelled work to unwind


class ShutdownBudget:
    """One deadline shared by the stages of a shutdown: the first stage to ask starts the
    clock, and each stage gets what is left (at most its own ``cap``)."""

    def __init__(self, seconds: float = SHUTDOWN_BUDGET) -> None:
        self.seconds = seconds
        self.deadline: float | None = None

    def start(self) -> None:
        """Start the clock (if no stage has yet)."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.seconds

    def left(self, cap: float | None = None) -> float:
        """Seconds left of the budget (started by this ask if need be), at most ``cap``."""
        self.start()
        assert self.deadline is not None
        left = max(0.0, self.deadline - time.monotonic())
        return left if cap is None else min(cap, left)


class InFlight:
    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()

    def add(self, task: asyncio.Task | None = None) -> None:
        """Track ``task`` (default: the running one) until it ends."""
        task = task or asyncio.current_task()
        if task is not None and task not in self.tasks:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def drain(self, timeout: float) -> None:
        """Give tracked work up to ``timeout`` seconds in all — work it starts meanwhile
        included: it may finish until the last moment (CANCEL_WAIT, or a quarter of a short
        timeout), when what is left is cancelled and gets that moment to unwind."""
        current = asyncio.current_task()
        if not self.tasks - {current}:
            return
        log.info("waiting for %d answer(s) in progress", len(self.tasks - {current}))
        loop = asyncio.get_running_loop()
        unwind = min(CANCEL_WAIT, timeout / 4)
        deadline = loop.time() + timeout - unwind
        while (waiting := self.tasks - {current}) and (left := deadline - loop.time()) > 0:
            await asyncio.wait(waiting, timeout=left)
        late = self.tasks - {current}
        for task in late:
            task.cancel()
        if late:
            log.warning("%d answer(s) cancelled at shutdown", len(late))
            await asyncio.wait(late, timeout=unwind)


@contextlib.contextmanager
def on_stop_signals(stop: Callable[[], None]) -> Iterator[None]:
    """Call ``stop`` on SIGTERM or SIGINT while inside (where the loop can take signal
    handlers), and leave the handlers as they were afterwards."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
