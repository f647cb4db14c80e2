"""Acknowledgements before answers.

Discord drops an interaction that is not acknowledged within 3 s, while an answer may take
up to 15 minutes. In a burst (a cohort of 100 pressing the same button), the event loop is
the shared resource: if the answers of the first interactions (their REST calls, "busy"
messages) ran as soon as each was deferred, they would delay the defers still to come. So
work after a defer waits, briefly, until no defer is in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

MAX_WAIT = 1.0  # seconds an answer may be held back for others' acknowledgements


class AckFirst:
    """Counts defers in flight; ``wait_turn`` holds later work until there are none."""

    def __init__(self, max_wait: float = MAX_WAIT) -> None:
        self.max_wait = max_wait
        self.pending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def acknowledging(self) -> AsyncIterator[None]:
        """Wrap a defer: while inside, answers elsewhere wait."""
        self._begin()
        try:
            yield
        finally:
            self._end()

    def _begin(self) -> None:
        self.pending += 1
        self._idle.clear()

    def _end(self) -> None:
        self.pending -= 1
        if self.pending == 0:
            self._idle.set()

    async def wait_turn(self) -> None:
        """Return once no defer is in flight, or after ``max_wait`` (never starves)."""
        if self._idle.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self.max_wait)
