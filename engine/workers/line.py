"""The local line in front of the worker pool: compute once, wait fairly, say where you are.

``Line`` implements the Executor port around a backend executor (the local ``WorkerPool``):

- a cached demo (same canonical command, seed and code version) is answered from an
  in-process LRU without touching a worker; identical requests in flight share one job
  (single flight), so a class pressing the same "Try it" button costs one computation;
- jobs start in arrival order, at most one per worker; a new job is admitted while its
  expected wait (engine.workers.admission) is under the limit, refused with the estimate
  otherwise;
- a job expected to wait more than ~2 s shows its place in the live message
  ("3rd in line, about 4 s"), updated as the line moves, then the job's own progress;
- one heavy job per learner: a second one is refused, naming the one that is running.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.domain.errors import AlreadyRunning, Busy
from engine.domain.replies import Progress
from engine.workers.admission import (
    SHOW_PLACE_AFTER,
    WAIT_LIMIT,
    Durations,
    already_running_text,
    expected_wait,
    place_text,
    refusal_text,
)
from engine.workers.cache import (
    LocalCache,
    cache_key,
    code_version,
    command_family,
    command_of,
    dumps,
    loads,
)

log = logging.getLogger(__name__)

PLACE_INTERVAL = 1.0  # s between updates of a waiting job's place


@dataclass(eq=False)
class _Flight:
    """One job in the line, shared by every identical request waiting for it."""

    id: str
    family: str
    cache_key: str | None
    listeners: list[Callable[[Progress], Any]] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop()
                                 .create_future())
    task: asyncio.Task | None = None

    async def progress(self, report: Progress) -> None:
        for listener in list(self.listeners):
            try:
                await listener(report)
            except Exception:  # one learner's live message never stops the others' job
                log.exception("a progress listener failed")


class Line:
    """Cache, single flight, a fair line and per-learner admission around ``backend``."""

    def __init__(self, backend: Any, workers: int, *, limit: float = WAIT_LIMIT,
                 cache: LocalCache | None = None, durations: Durations | None = None,
                 show_after: float = SHOW_PLACE_AFTER,
                 place_interval: float = PLACE_INTERVAL) -> None:
        self.backend = backend
        self.workers = workers
        self.limit = limit
        self.cache = cache if cache is not None else LocalCache()
        self.durations = durations or Durations()
        self.show_after = show_after
        self.place_interval = place_interval
        self.computed = 0  # jobs actually run (tests and benchmarks read it)
        self._ids = itertools.count(1)
        self._waiting: list[_Flight] = []
        self._running: list[_Flight] = []
        self._flights: dict[str, _Flight] = {}
        self._learners: dict[str, str] = {}
        self._moved = asyncio.Event()
        self._closed = False

    async def start(self) -> None:
        # the code's fingerprint reads every engine file once: off the loop, before serving
        await asyncio.to_thread(code_version)
        start = getattr(self.backend, "start", None)
        if start is not None:
            await start()

    async def submit(self, job: str, *args: Any, key: str, timeout: float,
                     on_progress: Callable[[Progress], Any] | None = None) -> Any:
        if self._closed:
            raise Busy("tutorbot is shutting down; try again in a minute.")
        name = job
        command = command_of(name, args)
        ck = cache_key(name, args)
        if ck is not None and (data := self.cache.get(ck)) is not None:
            return loads(data)
        if key in self._learners:
            raise AlreadyRunning(already_running_text(self._learners[key], command))
        flight = self._flights.get(ck) if ck is not None else None
        if flight is None:
            flight = self._admit(job, args, name, command_family(name, args), ck, timeout)
        self._learners[key] = command
        if on_progress is not None:
            flight.listeners.append(on_progress)
        try:
            if not flight.started.is_set():
                await self._wait_in_line(flight, on_progress)
            return loads(await asyncio.shield(flight.done))
        finally:
            self._learners.pop(key, None)
            if on_progress in flight.listeners:
                flight.listeners.remove(on_progress)

    def estimate(self, before: int | None = None) -> float:
        """Expected seconds until a job behind the first ``before`` waiting ones starts."""
        ahead = self._waiting if before is None else self._waiting[:before]
        return expected_wait([f.family for f in ahead], [f.family for f in self._running],
                             self.workers, self.durations)

    def _admit(self, job: str, args: tuple, name: str, family: str, ck: str | None,
               timeout: float) -> _Flight:
        wait = self.estimate()
        if wait > self.limit:
            raise Busy(refusal_text(wait, self.limit))
        flight = _Flight(f"line:{next(self._ids)}", family, ck)
        if ck is not None:
            self._flights[ck] = flight
        self._waiting.append(flight)
        flight.task = asyncio.create_task(self._drive(flight, job, args, timeout),
                                          name=f"job {name}")
        self._pump()
        return flight

    def _pump(self) -> None:
        """Start waiting jobs, oldest first, while a worker is free."""
        while self._waiting and len(self._running) < self.workers:
            flight = self._waiting.pop(0)
            self._running.append(flight)
            flight.started.set()
        self._moved.set()
        self._moved = asyncio.Event()

    async def _drive(self, flight: _Flight, job: str, args: tuple, timeout: float) -> None:
        try:
            await flight.started.wait()
            began = time.monotonic()
            self.computed += 1
            result = await self.backend.submit(job, *args, key=flight.id, timeout=timeout,
                                               on_progress=flight.progress)
            self.durations.add(flight.family, time.monotonic() - began)
            data = dumps(result)
            if flight.cache_key is not None:
                self.cache.put(flight.cache_key, data)
            flight.done.set_result(data)
        except BaseException as err:
            if not flight.done.done():
                flight.done.set_exception(err)
                flight.done.exception()  # retrieved: nobody waiting is not an error
            if not isinstance(err, Exception):
                raise
        finally:
            if flight.cache_key is not None and self._flights.get(flight.cache_key) is flight:
                del self._flights[flight.cache_key]
            if flight in self._waiting:
                self._waiting.remove(flight)
            if flight in self._running:
                self._running.remove(flight)
            self._pump()

    async def _wait_in_line(self, flight: _Flight, on_progress: Any) -> None:
        """Until the job starts: its place and estimate in the live message, when the wait
        is expected to pass ``show_after`` seconds or already has."""
        joined = time.monotonic()
        shown = None
        while not flight.started.is_set():
            if on_progress is not None and flight in self._waiting:
                place = self._waiting.index(flight)
                wait = self.estimate(place)
                if shown is not None or wait > self.show_after or (
                        time.monotonic() - joined >= self.show_after):
                    text = place_text(place + 1, wait)
                    if text != shown:
                        shown = text
                        await on_progress(Progress(text))
            moved = self._moved
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.place_interval):
                    await moved.wait()

    async def close(self) -> None:
        self._closed = True
        tasks = [f.task for f in (*self._waiting, *self._running) if f.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        await self.backend.close()
