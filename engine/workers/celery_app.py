"""The Celery side of the queue: the app, its one task and the worker's life cycle.

One task, ``tutorbot.run(job_name, args, flight, meta)``, runs any job by name
(``tokenize`` is ``engine.jobs.tokenize.run``, resolved by ``engine.jobs.resolve``), so the chat processes never import a job's
heavy modules. Arguments travel pickled inside the JSON message (``args`` is base64); results
and progress go back through Redis directly:

- ``{prefix}:ev:{flight}`` (pub/sub): ``started``, ``progress`` and ``done`` events;
- ``{prefix}:out:{flight}``: the outcome (result, learner-safe error or traceback), so a bot
  that missed an event still finds it; a cacheable result is also stored under
  ``{prefix}:cache:{key}`` with a TTL, the cache holding at most ``cache_entries`` entries
  (the oldest go first) of at most 16 MiB each;
- ``{prefix}:hb:{hostname}``: each worker's heartbeat (its concurrency), renewed every
  second, gone 3 s after the worker dies.

Celery settings follow what CPU-bound, killable jobs need: prefork, prefetch 1, acks_late
with reject_on_worker_lost (a child killed mid-job puts the job back once; the attempt
counter in Redis turns a second loss into an apology), a hard time limit per job, a memory
cap per child, one BLAS thread per child and models loaded once per child at start.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

import redis
from celery import Celery, signals

from engine.domain.errors import TutorError
from engine.domain.replies import Progress
from engine.jobs import WARMUPS as WARMUP_JOBS
from engine.jobs import resolve
from engine.workers.cache import ENTRY_MAX_BYTES, dumps, loads

log = logging.getLogger(__name__)

THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "NUMEXPR_NUM_THREADS")
TASK = "tutorbot.run"
HEARTBEAT_EVERY = 1.0  # s
HEARTBEAT_TTL = 3  # s a heartbeat outlives its worker
OUTCOME_TTL = 600  # s an outcome waits for the bot that asked
CACHE_TTL = 7 * 24 * 3600  # s a cached demo result is kept
CACHE_ENTRIES = 5000  # cached results at most (oldest dropped first)
ATTEMPTS = 2  # a job whose worker dies is run once more, then apologised for
PROGRESS_EVERY = 0.25  # s between progress events of one job (the chat edits ~1/s anyway)
WARMUPS = ("tokenize", "train_demo", "next_token")
CRASHED = ("Sorry — the worker running your demo crashed twice, so I stopped trying. "
           "Please try again in a minute, perhaps with smaller settings.")


@dataclass(frozen=True)
class Keys:
    """Redis key names under one prefix (tests use their own)."""

    prefix: str = "tutorbot"

    def events(self, flight: str) -> str:
        return f"{self.prefix}:ev:{flight}"

    @property
    def events_pattern(self) -> str:
        return f"{self.prefix}:ev:*"

    def outcome(self, flight: str) -> str:
        return f"{self.prefix}:out:{flight}"

    def cache(self, key: str) -> str:
        return f"{self.prefix}:cache:{key}"

    @property
    def cache_index(self) -> str:
        return f"{self.prefix}:cache-index"

    def flight(self, flight: str) -> str:
        return f"{self.prefix}:flight:{flight}"

    def attempts(self, flight: str) -> str:
        return f"{self.prefix}:attempts:{flight}"

    def learner(self, key: str) -> str:
        return f"{self.prefix}:learner:{key}"

    @property
    def line(self) -> str:  # waiting jobs: member "family|flight", score = admission time
        return f"{self.prefix}:line"

    @property
    def running(self) -> str:  # started jobs: member "family|flight", score = start time
        return f"{self.prefix}:running"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    def heartbeat(self, hostname: str) -> str:
        return f"{self.prefix}:hb:{hostname}"

    @property
    def queue(self) -> str:
        return f"{self.prefix}.jobs"


def encode_args(args: tuple) -> str:
    return base64.b64encode(dumps(args)).decode()


def make_app(url: str, prefix: str = "tutorbot", *, max_memory_mb: int | None = None,
             visibility_timeout: int = 900) -> Celery:
    """A Celery app on Redis ``url`` (broker and result backend)."""
    app = Celery("tutorbot", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_default_queue=Keys(prefix).queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_pool="prefork",
        worker_max_memory_per_child=(max_memory_mb * 1024) if max_memory_mb else None,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_track_started=False,
        result_expires=OUTCOME_TTL,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # keep reconnecting while Redis is away
        # every key Celery and kombu write lives under the prefix too, so several
        # deployments (or test runs) can share one Redis database
        broker_transport_options={"visibility_timeout": visibility_timeout,
                                  "global_keyprefix": f"{prefix}:celery:"},
        result_backend_transport_options={"global_keyprefix": f"{prefix}:celery:"},
        redis_socket_timeout=5, redis_socket_connect_timeout=3,
        broker_heartbeat=0,
    )
    app.conf.tutorbot_prefix = prefix
    app.conf.tutorbot_url = url
    app.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True)(_run_task)
    return app


# --- in the worker -------------------------------------------------------------------------

_child: dict[str, Any] = {}  # per child process: its Redis client and keys


def _redis(app: Celery) -> redis.Redis:
    client = _child.get("redis")
    if client is None or _child.get("pid") != os.getpid():  # never share a client over fork
        client = redis.Redis.from_url(app.conf.tutorbot_url, socket_timeout=5,
                                      socket_connect_timeout=3,
                                      health_check_interval=10)
        _child.update(redis=client, pid=os.getpid())
    return client


def _publish(client: redis.Redis, keys: Keys, flight: str, kind: str, payload: Any) -> None:
    client.publish(keys.events(flight), dumps((kind, payload)))


def _finish(client: redis.Redis, keys: Keys, flight: str, meta: dict, outcome: tuple,
            seconds: float) -> None:
    """Store the outcome (and a cacheable result), then tell whoever waits."""
    data = dumps(outcome)
    pipe = client.pipeline()
    pipe.set(keys.outcome(flight), data, ex=OUTCOME_TTL)
    cacheable = outcome[0] == "ok" and meta.get("cache") and len(outcome[1]) <= ENTRY_MAX_BYTES
    if cacheable:
        now = time.time()
        pipe.set(keys.cache(meta["cache"]), outcome[1], ex=int(meta.get("cache_ttl", CACHE_TTL)))
        pipe.zadd(keys.cache_index, {meta["cache"]: now})
    pipe.execute()
    if cacheable:
        _trim_cache(client, keys, int(meta.get("cache_entries", CACHE_ENTRIES)))
    _publish(client, keys, flight, "done", {"seconds": seconds})


def _trim_cache(client: redis.Redis, keys: Keys, entries: int) -> None:
    excess = client.zcard(keys.cache_index) - entries
    if excess > 0:
        for key, _ in client.zpopmin(keys.cache_index, excess):
            client.delete(keys.cache(key.decode() if isinstance(key, bytes) else key))


def _run_task(task: Any, name: str, args: str, flight: str, meta: dict) -> str:
    """Run one job by name; every outcome goes to Redis (see the module docstring)."""
    app = task.app
    keys = Keys(app.conf.tutorbot_prefix)
    client = _redis(app)
    member = f"{meta.get('family', name)}|{flight}"
    pipe = client.pipeline(transaction=False)  # one round trip to start
    pipe.get(keys.flight(flight))
    pipe.exists(keys.outcome(flight))
    owner, done = pipe.execute()
    if owner is not None and owner.decode() != task.request.id:
        return "superseded"  # the bot sent it again (this copy's worker was lost)
    if done:
        _publish(client, keys, flight, "done", {"seconds": 0.0})
        return "already done"  # redelivered after its worker died having finished it
    started = {"worker": task.request.hostname, "pid": os.getpid()}
    pipe = client.pipeline(transaction=False)
    pipe.incr(keys.attempts(flight))
    pipe.expire(keys.attempts(flight), OUTCOME_TTL)
    pipe.zrem(keys.line, member)
    pipe.zadd(keys.running, {member: time.time()})
    pipe.publish(keys.events(flight), dumps(("started", started)))
    attempt = pipe.execute()[0]
    if attempt > ATTEMPTS:
        client.zrem(keys.running, member)
        _finish(client, keys, flight, meta, ("error", TutorError(CRASHED)), 0.0)
        return "gave up"
    last = [0.0]

    def progress(report: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            _publish(client, keys, flight, "progress", report)

    began = time.monotonic()
    try:
        result = resolve(name)(*loads(base64.b64decode(args)), progress)
        outcome: tuple = ("ok", dumps(result))
    except TutorError as err:
        outcome = ("error", err)
    except Exception:  # a bug in a job: the traceback goes to the bot's log
        outcome = ("failed", traceback.format_exc())
    try:
        _finish(client, keys, flight, meta, outcome, time.monotonic() - began)
    finally:
        client.zrem(keys.running, member)
    return outcome[0]


def _one_thread() -> None:
    for name in THREAD_ENV:
        os.environ[name] = "1"


@signals.worker_process_init.connect
def _child_start(**_: Any) -> None:
    """Each prefork child: one BLAS/torch thread, its own Redis client, models loaded once."""
    _one_thread()
    _child.clear()
    names = os.environ.get("TUTORBOT_WORKER_WARM")
    for name in (WARMUPS if names is None else [n for n in names.split(",") if n]):
        try:
            resolve(name, WARMUP_JOBS)()
        except Exception:
            log.exception("warming %s failed; its jobs will load it on first use", name)
    if "torch" in __import__("sys").modules:
        import torch

        torch.set_num_threads(1)


_beat: dict[str, Any] = {}


@signals.worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    """The worker's main process says it is alive (and how many jobs it runs at once)."""
    app = getattr(sender, "app", None)
    if app is None or not hasattr(app.conf, "tutorbot_prefix"):
        return
    controller = getattr(sender, "controller", None)
    concurrency = getattr(controller, "concurrency", None) or app.conf.worker_concurrency \
        or os.cpu_count() or 1
    hostname = getattr(sender, "hostname", None) or f"{os.getpid()}@{socket.gethostname()}"
    keys = Keys(app.conf.tutorbot_prefix)
    stop = threading.Event()
    _beat.update(stop=stop, keys=keys, hostname=hostname, url=app.conf.tutorbot_url)
    value = json.dumps({"concurrency": int(concurrency), "pid": os.getpid()})

    def beat() -> None:
        client = redis.Redis.from_url(app.conf.tutorbot_url, socket_timeout=3,
                                      socket_connect_timeout=2)
        while not stop.is_set():
            try:
                pipe = client.pipeline()
                pipe.set(keys.heartbeat(hostname), value, ex=HEARTBEAT_TTL)
                pipe.sadd(keys.workers, hostname)
                pipe.execute()
            except redis.RedisError:
                pass  # Redis is away; the next beat tries again
            stop.wait(HEARTBEAT_EVERY)
        try:
            client.delete(keys.heartbeat(hostname))
            client.srem(keys.workers, hostname)
        except redis.RedisError:
            pass

    threading.Thread(target=beat, name="tutorbot-heartbeat", daemon=True).start()


@signals.worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    stop = _beat.get("stop")
    if stop is not None:
        stop.set()


def app_from_env() -> Celery:
    """The worker's app: ``TUTORBOT_QUEUE_URL``, ``TUTORBOT_QUEUE_PREFIX`` and
    ``TUTORBOT_WORKER_MAX_MEMORY_MB`` from the environment."""
    url = os.environ.get("TUTORBOT_QUEUE_URL") or "redis://127.0.0.1:6379/0"
    memory = os.environ.get("TUTORBOT_WORKER_MAX_MEMORY_MB")
    return make_app(url, os.environ.get("TUTORBOT_QUEUE_PREFIX") or "tutorbot",
                    max_memory_mb=int(memory) if memory else None)


def alive_here(url: str, prefix: str, host: str) -> list[str]:
    """The workers on ``host`` whose heartbeat is fresh (the container's health check)."""
    keys = Keys(prefix)
    client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=2)
    try:
        names = sorted(n.decode() for n in client.smembers(keys.workers)
                       if n.decode().endswith(f"@{host}"))
        return [n for n in names if client.exists(keys.heartbeat(n))]
    except redis.RedisError:
        return []
    finally:
        client.close()
