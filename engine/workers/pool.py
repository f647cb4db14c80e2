"""Running CPU work off the event loop on this machine: a local process pool (``Executor``).

``WorkerPool`` keeps N worker processes (spawned, one BLAS/torch thread each). Admission is
bounded: when every worker is busy and the waiting line is full, ``submit`` raises ``Busy``
at once; each learner (``key``) may have one job at a time. A job that runs past its time
limit is stopped by killing its worker; a worker that dies is replaced. Either way the caller
gets a TutorError with a message for the learner, never silence.

Jobs and warm-ups are named (``engine.jobs.JOBS``, ``engine.jobs.WARMUPS``) and resolved
inside the worker, so this process never imports them.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from engine.domain.errors import AlreadyRunning, Busy, TimedOut, TutorError, WorkerCrashed
from engine.domain.replies import Progress
from engine.jobs import WARMUPS, resolve
from engine.ports.executor import JobFailed, ProgressCallback

log = logging.getLogger(__name__)

ALREADY_RUNNING = ("You already have a demo running, so I did not start this one. Send it "
                   "again once that answer is here.")
WARMUP_TIMEOUT = 180.0  # seconds a new worker may take to load its models
WARMUP_ATTEMPTS = 3
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def _worker_main(conn: Any, warmups: tuple[str, ...]) -> None:
    """A worker process: one thread for maths, models loaded once, jobs read from a pipe."""
    for name in THREAD_ENV:
        os.environ[name] = "1"
    for name in warmups:
        resolve(name, WARMUPS)()
    conn.send(("ready", None, None))
    while True:
        try:
            job_id, job, args = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return

        def progress(report: Progress, _id: int = job_id) -> None:
            conn.send(("progress", _id, report))

        try:
            conn.send(("ok", job_id, resolve(job)(*args, progress)))
        except TutorError as err:
            conn.send(("tutor_error", job_id, err))
        except Exception:  # a bug in a job: hand the traceback to the caller to log
            conn.send(("failed", job_id, traceback.format_exc()))


class _Worker:
    def __init__(self, ctx: Any, warmups: tuple[str, ...]) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, warmups), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """A bounded pool of worker processes implementing ``Executor``."""

    def __init__(self, workers: int = 2, queue_limit: int = 8, per_key: int = 1,
                 warmups: tuple[str, ...] = ()) -> None:
        self.size = workers
        self.capacity = workers + queue_limit
        self.per_key = per_key
        self._warmups = warmups
        self._ctx = mp.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._readers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pool-pipe")
        self._inflight = 0
        self._keys: Counter[str] = Counter()
        self._next_id = 0
        self._closed = False
        self._all: set[_Worker] = set()

    async def start(self) -> None:
        """Spawn the workers (they warm up in the background)."""
        for _ in range(self.size):
            self._idle.put_nowait(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self._warmups)
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        if not self._closed:
            self._idle.put_nowait(self._spawn())

    async def warmed(self, timeout: float = WARMUP_TIMEOUT) -> None:
        """Wait until the idle workers have loaded their models (start-up: an app reports
        healthy, and takes its first command, only after this). A worker that dies or hangs
        while warming is left to ``_take_worker``, which replaces it."""
        workers = []
        while not self._idle.empty():
            workers.append(self._idle.get_nowait())
        try:
            await asyncio.wait_for(asyncio.gather(*(self._ready(w) for w in workers)), timeout)
        except (EOFError, OSError, TimeoutError):
            log.warning("a worker did not finish warming up at start; it will be replaced")
        finally:
            for worker in workers:
                self._idle.put_nowait(worker)

    def admit(self, key: str) -> None:
        """Raise ``Busy`` unless there is room for one more job from ``key``."""
        if self._closed:
            raise Busy("tutorbot is shutting down; try again in a minute.")
        if self._keys[key] >= self.per_key:
            raise AlreadyRunning(ALREADY_RUNNING)
        if self._inflight >= self.capacity:
            raise Busy("I'm busy with other demos right now; try again in a few seconds.")

    async def submit(self, job: str, *args: Any, key: str, timeout: float,
                     on_progress: ProgressCallback | None = None) -> Any:
        self.admit(key)
        self._inflight += 1
        self._keys[key] += 1
        try:
            worker = await self._take_worker()
            try:
                result = await asyncio.wait_for(
                    self._exchange(worker, job, args, on_progress), timeout)
            except TimeoutError:
                self._replace(worker)
                raise TimedOut(f"That took longer than {timeout:g} s, so I stopped it. "
                               "Try smaller settings.") from None
            except (EOFError, OSError, BrokenPipeError):
                log.error("worker %s died during a job; replacing it", worker.process.pid)
                self._replace(worker)
                raise WorkerCrashed("Sorry — the worker running your demo crashed. "
                                    "I've started a fresh one; please try again.") from None
            except (TutorError, JobFailed):
                self._idle.put_nowait(worker)  # the job failed, the worker is fine
                raise
            except BaseException:
                self._replace(worker)  # cancelled mid-job: the pipe is in an unknown state
                raise
            self._idle.put_nowait(worker)
            return result
        finally:
            self._inflight -= 1
            self._keys[key] -= 1
            if self._keys[key] <= 0:
                del self._keys[key]

    async def _take_worker(self) -> _Worker:
        """An idle, warmed-up worker. Warm-up (loading models) is waited for here, outside
        the job's own time limit; a worker that dies or hangs while warming is replaced."""
        for _ in range(WARMUP_ATTEMPTS):
            worker = await self._idle.get()
            try:
                if worker.process.is_alive():
                    await asyncio.wait_for(self._ready(worker), WARMUP_TIMEOUT)
                    return worker
            except (EOFError, OSError, TimeoutError):
                pass
            except BaseException:
                self._replace(worker)  # cancelled while it warmed: the pipe state is unknown
                raise
            log.warning("worker %s died or hung while idle; replacing it", worker.process.pid)
            self._replace(worker)
        raise WorkerCrashed("Sorry — my demo workers could not start just now. "
                            "Please try again in a minute.")

    async def _ready(self, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        while not worker.ready:
            kind, _, _ = await loop.run_in_executor(self._readers, worker.conn.recv)
            worker.ready = kind == "ready"

    async def _exchange(self, worker: _Worker, job: str, args: tuple,
                        on_progress: ProgressCallback | None) -> Any:
        loop = asyncio.get_running_loop()
        self._next_id += 1
        job_id = self._next_id
        worker.conn.send((job_id, job, args))
        while True:
            kind, got_id, payload = await loop.run_in_executor(self._readers, worker.conn.recv)
            if got_id != job_id:
                continue
            if kind == "progress":
                if on_progress is not None:
                    await on_progress(payload)
            elif kind == "ok":
                return payload
            elif kind == "tutor_error":
                raise payload
            else:
                raise JobFailed(payload)

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        self._readers.shutdown(wait=False, cancel_futures=True)
