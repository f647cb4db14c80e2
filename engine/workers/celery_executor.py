"""The Executor port over Celery on Redis: demos run on any number of worker machines.

Chosen by ``TUTORBOT_QUEUE_URL=redis://…`` (bot/app.py). Every bot instance shares the
line, the cache and the per-learner guard through Redis, so two instances behind a load
balancer behave like one:

- a cached demo is answered from ``{prefix}:cache:{key}`` without a worker; identical
  requests in flight share one job across instances (``SET NX`` on the flight key);
- a new job is admitted while its expected wait (the waiting jobs' recent median
  durations plus half of each running one's, over the live workers' concurrency) is under
  the limit; with no live worker (no heartbeat) it is refused at once;
- while it waits, the learner's live message shows its place ("3rd in line, about 4 s");
  then the worker's progress, relayed by pub/sub;
- the answer comes exactly once: a worker killed mid-job is noticed (Celery requeues a lost
  child's job; a lost worker's heartbeat stops and the job is sent again, once), a job past
  its hard limit gets the same apology as the local pool, and a job left waiting with no
  live worker is answered within 10 s;
- Redis unreachable: the learner is told so plainly, and everything recovers by itself when
  Redis returns (connections are made again on the next call; no restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from engine.domain.errors import AlreadyRunning, Busy, TimedOut, WorkerCrashed
from engine.domain.replies import Progress
from engine.ports.executor import JobFailed
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
    cache_key,
    code_version,
    command_family,
    command_of,
    loads,
)
from engine.workers.celery_app import (
    CACHE_ENTRIES,
    CACHE_TTL,
    OUTCOME_TTL,
    TASK,
    Keys,
    encode_args,
    make_app,
)

log = logging.getLogger(__name__)

TICK = 0.5  # s between checks of a waiting job (place, workers, outcome)
NO_WORKER_GRACE = 4.0  # s a queued job waits for a worker to appear before we say so
LOST_AFTER = 1.0  # s without the running worker's heartbeat before its job is sent again
LIMIT_GRACE = 5.0  # s past a job's hard limit before the bot gives up on it
REDIS_GRACE = 10.0  # s a job in flight waits for Redis to come back
LINE_STALE = 3600.0  # s after which a line entry is an orphan (its bot instance died)
REDIS_CONNECTIONS = 32  # per bot instance (one of them holds the events subscription)
CAPACITY_TTL = 0.5  # s the live-worker count is reused
LINE_TTL = 0.4  # s a snapshot of the line serves the places of this instance's jobs
SEND_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
              "interval_max": 1}  # a stale connection after Redis restarted is made again
POLL_EVERY = 4  # ticks between checks for an outcome whose event was missed

# free a learner's slot only if it is still this request's (one round trip)
RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
           "return redis.call('del', KEYS[1]) else return 0 end")
UNREACHABLE = ("I can't reach the demo queue right now, so I could not start this demo. "
               "It usually comes back within a minute; please try again then.")
LOST_QUEUE = ("I lost touch with the demo queue while your demo was on its way, so I can't "
              "tell whether it finished. Please send it again in a minute.")
NOT_STARTED = ("The same demo was just requested and could not be started (the line is "
               "full). I did not start yours either; please try again in a minute.")
NO_WORKER = ("No demo worker is running right now, so your demo could not start. "
             "Try again in a minute; if it keeps happening, tell whoever runs tutorbot.")


class QueueUnavailable(Busy):
    """Redis (the queue) cannot be reached; the message says so plainly."""


def timed_out(timeout: float) -> TimedOut:
    return TimedOut(f"That took longer than {timeout:g} s, so I stopped it. "
                    "Try smaller settings.")


@dataclass(eq=False)
class _Flight:
    """One job this instance waits for, shared by identical requests it received."""

    id: str
    family: str
    listeners: list[Callable[[Progress], Any]] = field(default_factory=list)
    events: asyncio.Queue = field(default_factory=asyncio.Queue)
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop()
                                 .create_future())
    started: bool = False
    task: asyncio.Task | None = None

    async def progress(self, report: Progress) -> None:
        for listener in list(self.listeners):
            try:
                await listener(report)
            except Exception:
                log.exception("a progress listener failed")


class CeleryExecutor:
    """``Executor`` over Celery workers; see the module docstring."""

    def __init__(self, url: str, *, prefix: str = "tutorbot", limit: float = WAIT_LIMIT,
                 durations: Durations | None = None, show_after: float = SHOW_PLACE_AFTER,
                 cache_ttl: int = CACHE_TTL, cache_entries: int = CACHE_ENTRIES,
                 no_worker_grace: float = NO_WORKER_GRACE) -> None:
        self.url = url
        self.keys = Keys(prefix)
        self.limit = limit
        self.durations = durations or Durations()
        self.show_after = show_after
        self.cache_ttl = cache_ttl
        self.cache_entries = cache_entries
        self.no_worker_grace = no_worker_grace
        self.app = make_app(url, prefix)
        # a bounded pool that makes callers wait for a connection (a burst of 200 commands
        # must queue for connections, not fail on "too many")
        self._pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=REDIS_CONNECTIONS, timeout=10, socket_timeout=5,
            socket_connect_timeout=2, health_check_interval=10)
        self.redis = aioredis.Redis(connection_pool=self._pool)
        self._release = self.redis.register_script(RELEASE)
        self.computed = 0  # jobs this instance sent to a worker
        self.cache_hits = 0
        self._flights: dict[str, _Flight] = {}
        self._sender = ThreadPoolExecutor(max_workers=4, thread_name_prefix="celery-send")
        self._listener: asyncio.Task | None = None
        self._capacity: tuple[float, int, set[str]] = (0.0, 0, set())
        self._line: tuple[float, list[str], list[str]] = (0.0, [], [])
        self._closed = False
        self.connected = asyncio.Event()

    async def start(self) -> None:
        """Listen for the workers' events (reconnecting whenever Redis comes back)."""
        # the code's fingerprint reads every engine file once: off the loop, before serving
        await asyncio.to_thread(code_version)
        self._listener = asyncio.create_task(self._listen(), name="celery-events")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(3):
                await self.connected.wait()

    # --- the port --------------------------------------------------------------------------

    async def submit(self, job: str, *args: Any, key: str, timeout: float,
                     on_progress: Callable[[Progress], Any] | None = None) -> Any:
        if self._closed:
            raise Busy("tutorbot is shutting down; try again in a minute.")
        name = job
        command = command_of(name, args)
        ck = cache_key(name, args)
        try:
            if ck is not None and (data := await self.redis.get(self.keys.cache(ck))):
                self.cache_hits += 1
                return loads(data)
            token = uuid.uuid4().hex[:8]
            hold = int(timeout + self.limit + 60)
            if not await self.redis.set(self.keys.learner(key), f"{token}|{command}", nx=True,
                                        ex=hold):
                running = await self.redis.get(self.keys.learner(key))
                raise AlreadyRunning(already_running_text(
                    running.decode().split("|", 1)[-1] if running else "demo", command))
        except (RedisError, OSError) as err:
            log.warning("the queue's Redis is unreachable: %s", err)
            raise QueueUnavailable(UNREACHABLE) from None
        try:
            flight_id = ck or uuid.uuid4().hex
            flight = self._flights.get(flight_id)
            if flight is None:
                flight = _Flight(flight_id, command_family(name, args))
                self._flights[flight_id] = flight
                flight.task = asyncio.create_task(
                    self._own(flight, name, args, ck, timeout), name=f"flight {name}")
                flight.task.add_done_callback(lambda _t, f=flight: self._forget(f))
            if on_progress is not None:
                flight.listeners.append(on_progress)
            try:
                return loads(await asyncio.shield(flight.done))
            finally:
                if on_progress in flight.listeners:
                    flight.listeners.remove(on_progress)
        finally:
            with contextlib.suppress(RedisError, OSError):  # else it expires by itself
                await self._release(keys=[self.keys.learner(key)], args=[f"{token}|{command}"])

    async def close(self) -> None:
        self._closed = True
        tasks = [f.task for f in self._flights.values() if f.task is not None]
        if self._listener is not None:
            tasks.append(self._listener)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self._sender.shutdown(wait=False, cancel_futures=True)
        with contextlib.suppress(Exception):
            await self.redis.aclose()
        with contextlib.suppress(Exception):
            await self._pool.aclose()
        with contextlib.suppress(Exception):
            self.app.close()

    # --- workers -----------------------------------------------------------------------------

    async def live_workers(self) -> tuple[int, set[str]]:
        """(total concurrency, hostnames) of the workers whose heartbeat is fresh."""
        at, capacity, hosts = self._capacity
        if time.monotonic() - at < CAPACITY_TTL:
            return capacity, hosts
        names = sorted(n.decode() for n in await self.redis.smembers(self.keys.workers))
        capacity, hosts = 0, set()
        if names:
            beats = await self.redis.mget([self.keys.heartbeat(n) for n in names])
            gone = []
            for name, beat in zip(names, beats, strict=True):
                if beat is None:
                    gone.append(name)
                    continue
                hosts.add(name)
                capacity += int(json.loads(beat).get("concurrency", 1))
            if gone:
                await self.redis.srem(self.keys.workers, *gone)
        self._capacity = (time.monotonic(), capacity, hosts)
        return capacity, hosts

    async def estimate(self, member: str | None = None) -> tuple[int, float]:
        """(place in line, expected wait) of ``member``, or of a newcomer."""
        at, waiting, running = self._line
        if member is None or time.monotonic() - at >= LINE_TTL:
            now = time.time()
            pipe = self.redis.pipeline()
            pipe.zremrangebyscore(self.keys.line, 0, now - LINE_STALE)
            pipe.zremrangebyscore(self.keys.running, 0, now - LINE_STALE)
            pipe.zrange(self.keys.line, 0, -1)
            pipe.zrange(self.keys.running, 0, -1)
            _, _, line, run = await pipe.execute()
            waiting = [m.decode() for m in line]
            running = [m.decode().rsplit("|", 1)[0] for m in run]
            self._line = (time.monotonic(), waiting, running)
        if member is not None and member in waiting:
            waiting = waiting[:waiting.index(member)]
        capacity, _ = await self.live_workers()
        families = [m.rsplit("|", 1)[0] for m in waiting]
        return len(waiting) + 1, expected_wait(families, running, capacity, self.durations)

    # --- one flight ------------------------------------------------------------------------

    def _forget(self, flight: _Flight) -> None:
        if self._flights.get(flight.id) is flight:
            del self._flights[flight.id]
        if not flight.done.done():
            flight.done.set_exception(Busy("tutorbot is shutting down; try again in a minute."))
        if not flight.done.cancelled():
            flight.done.exception()  # retrieved: a flight nobody waits for is not an error

    async def _own(self, flight: _Flight, name: str, args: tuple, ck: str | None,
                   timeout: float) -> None:
        """Send the job (or follow the instance that did) and settle ``flight.done``."""
        try:
            data = await self._run(flight, name, args, ck, timeout)
            flight.done.set_result(data)
        except (RedisError, OSError, OperationalError) as err:
            log.warning("lost the queue's Redis during a job: %s", err)
            flight.done.set_exception(QueueUnavailable(LOST_QUEUE))
        except Exception as err:
            flight.done.set_exception(err)

    async def _run(self, flight: _Flight, name: str, args: tuple, ck: str | None,
                   timeout: float) -> bytes:
        keys = self.keys
        task_id = uuid.uuid4().hex
        hold = int(timeout + self.limit + 120)
        member = f"{flight.family}|{flight.id}"
        owner = True
        if ck is not None:  # single flight across instances
            owner = bool(await self.redis.set(keys.flight(flight.id), task_id, nx=True,
                                              ex=hold))
        if owner:
            capacity, _ = await self.live_workers()
            _, wait = await self.estimate()
            if capacity <= 0 or wait > self.limit:
                if ck is not None:
                    await self.redis.delete(keys.flight(flight.id))
                raise Busy(NO_WORKER if capacity <= 0 else refusal_text(wait, self.limit))
            pipe = self.redis.pipeline()
            pipe.set(keys.flight(flight.id), task_id, ex=hold)
            pipe.delete(keys.outcome(flight.id), keys.attempts(flight.id))
            pipe.zadd(keys.line, {member: time.time()})
            await pipe.execute()
            await self._send(name, args, flight, ck, timeout, task_id)
        return await self._follow(flight, name, args, ck, timeout, member, owner, task_id)

    async def _send(self, name: str, args: tuple, flight: _Flight, ck: str | None,
                    timeout: float, task_id: str) -> None:
        meta = {"family": flight.family, "cache": ck, "cache_ttl": self.cache_ttl,
                "cache_entries": self.cache_entries}
        self.computed += 1
        send = self.app.send_task
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._sender, lambda: send(
            TASK, args=(name, encode_args(args), flight.id, meta), task_id=task_id,
            time_limit=timeout + 1, retry=True, retry_policy=SEND_RETRY))

    async def _follow(self, flight: _Flight, name: str, args: tuple, ck: str | None,
                      timeout: float, member: str, owner: bool, task_id: str) -> bytes:
        """Wait for the outcome: relay progress, show the place, notice lost workers,
        hard limits, a missing worker and Redis going away."""
        keys = self.keys
        queued_at = time.monotonic()
        no_worker_since: float | None = None
        started_at: float | None = None
        worker: str | None = None
        lost_since: float | None = None
        redis_down_since: float | None = None
        resent = False
        shown = None
        ticks = 0
        deadline = queued_at + timeout + self.limit + 60  # a follower's outer bound
        while True:
            try:
                kind, payload = await asyncio.wait_for(flight.events.get(), TICK)
            except TimeoutError:
                kind, payload = "tick", None
            try:
                if kind == "started":
                    started_at, worker = time.monotonic(), payload.get("worker")
                    flight.started, lost_since = True, None
                    continue
                if kind == "progress":
                    await flight.progress(payload)
                    continue
                if kind == "done":
                    if payload and payload.get("seconds"):
                        self.durations.add(flight.family, payload["seconds"])
                    outcome = await self.redis.get(keys.outcome(flight.id))
                    if outcome is not None:
                        return self._settle(loads(outcome))
                    continue
                # a tick: look for an outcome we may have missed, and at the line
                ticks += 1
                outcome = None
                if (redis_down_since is not None or not self.connected.is_set()
                        or ticks % POLL_EVERY == 0):
                    outcome = await self.redis.get(keys.outcome(flight.id))
                if redis_down_since is not None:
                    redis_down_since = None
                    if outcome is None and owner and not await self._still_ours(
                            flight, task_id):
                        if resent:
                            raise QueueUnavailable(LOST_QUEUE)
                        resent, task_id = True, uuid.uuid4().hex
                        await self._resend(flight, name, args, ck, timeout, task_id, member)
                        started_at = None
                        continue
                if outcome is not None:
                    return self._settle(loads(outcome))
                if not owner and ticks % POLL_EVERY == 0 and not await self.redis.exists(
                        keys.flight(flight.id)):
                    # the instance that owned this flight did not start it (refused, or gone)
                    raise Busy(NOT_STARTED)
                now = time.monotonic()
                capacity, hosts = await self.live_workers()
                if started_at is None:
                    if capacity <= 0:
                        no_worker_since = no_worker_since or now
                        if now - no_worker_since >= self.no_worker_grace:
                            await self._withdraw(flight, member, task_id, owner)
                            raise Busy(NO_WORKER)
                    else:
                        no_worker_since = None
                    place, wait = await self.estimate(member)
                    if capacity > 0 and (shown is not None or wait > self.show_after or (
                            now - queued_at >= self.show_after)):
                        text = place_text(place, wait)
                        if text != shown:
                            shown = text
                            await flight.progress(Progress(text))
                    if not owner and now > deadline:
                        raise timed_out(timeout)
                    continue
                if now - started_at > timeout + LIMIT_GRACE:
                    raise timed_out(timeout)
                if worker is not None and worker not in hosts:
                    lost_since = lost_since or now
                    if now - lost_since >= LOST_AFTER and owner:
                        if capacity <= 0:
                            await self._withdraw(flight, member, task_id, owner)
                            raise Busy(NO_WORKER)
                        if resent:
                            raise WorkerCrashed("Sorry — the worker running your demo "
                                                "stopped twice. Please try again in a minute.")
                        log.warning("worker %s stopped beating during job %s; sending it "
                                    "again", worker, flight.id)
                        resent, task_id = True, uuid.uuid4().hex
                        await self._resend(flight, name, args, ck, timeout, task_id, member)
                        started_at = worker = lost_since = None
                else:
                    lost_since = None
            except (RedisError, OSError) as err:
                now = time.monotonic()
                redis_down_since = redis_down_since or now
                self._capacity = (0.0, 0, set())
                if now - redis_down_since >= REDIS_GRACE:
                    raise QueueUnavailable(LOST_QUEUE) from err
                await asyncio.sleep(TICK)

    async def _still_ours(self, flight: _Flight, task_id: str) -> bool:
        """After an outage: does Redis still know this job (or did it restart empty)?"""
        owner = await self.redis.get(self.keys.flight(flight.id))
        return owner is not None and owner.decode() == task_id

    async def _resend(self, flight: _Flight, name: str, args: tuple, ck: str | None,
                      timeout: float, task_id: str, member: str) -> None:
        """Send the job again under a new task id (the old copy, if it ever runs, sees it
        is superseded). Its attempts go on counting."""
        hold = int(timeout + self.limit + 120)
        pipe = self.redis.pipeline()
        pipe.set(self.keys.flight(flight.id), task_id, ex=hold)
        pipe.zrem(self.keys.running, member)
        pipe.zadd(self.keys.line, {member: time.time()})
        await pipe.execute()
        await self._send(name, args, flight, ck, timeout, task_id)

    async def _withdraw(self, flight: _Flight, member: str, task_id: str, owner: bool) -> None:
        """Take a job nobody will run out of the line (a worker arriving later skips it)."""
        if not owner:
            return
        pipe = self.redis.pipeline()
        pipe.zrem(self.keys.line, member)
        pipe.set(self.keys.flight(flight.id), "withdrawn", ex=OUTCOME_TTL)
        await pipe.execute()

    @staticmethod
    def _settle(outcome: tuple) -> bytes:
        kind, payload = outcome
        if kind == "ok":
            return payload
        if kind == "error":
            raise payload
        raise JobFailed(payload)

    # --- events ----------------------------------------------------------------------------

    async def _listen(self) -> None:
        """One pub/sub connection per instance for every job's events; reconnects."""
        backoff = 0.2
        prefix = self.keys.events("")
        while not self._closed:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(self.keys.events_pattern)
                self.connected.set()
                backoff = 0.2
                while not self._closed:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    channel = message["channel"].decode()
                    flight = self._flights.get(channel[len(prefix):])
                    if flight is not None:
                        flight.events.put_nowait(loads(message["data"]))
            except (RedisError, OSError) as err:
                self.connected.clear()
                log.warning("queue events: Redis unreachable (%s); reconnecting", err)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

