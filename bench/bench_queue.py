"""The demo line under a class's load: local pool vs Celery workers on Redis.

Run: .venv/bin/python bench/bench_queue.py [class|mixed|overhead|all]
(Redis at TUTORBOT_BENCH_REDIS_URL, default redis://127.0.0.1:6379/13; keys under a prefix of
this run, deleted afterwards; workers are real `tutorbot worker` processes.)

- class burst: 200 learners press the same lesson demo within 1 s -> answered share, how many
  computations, p50/p95 (goal: 100 %, 1, p95 <= 3 s), on the local pool and on Celery;
- mixed burst: 200 different /train-demo within 10 s -> answered, refused (each with its
  estimate; none may be refused while its estimate was under the 60 s limit), p50/p95 of
  the answered, demos/s, with 1 and 2 Celery workers (one process each);
- queue overhead: /tokenize one at a time through Celery vs the local pool, median added
  (goal <= 20 ms).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from bench.common import percentile  # noqa: E402
from engine.commands.parsing import TABLE  # noqa: E402
from engine.domain.errors import TutorError  # noqa: E402
from engine.workers.celery_executor import CeleryExecutor  # noqa: E402
from engine.workers.line import Line  # noqa: E402
from engine.workers.pool import WorkerPool  # noqa: E402

parse = TABLE.parse

REDIS_URL = os.environ.get("TUTORBOT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
LESSON_DEMO = "/train-demo dataset=xor layers=0 seed=1"  # lesson "features" Try it


class Workers:
    """``tutorbot worker`` processes (one child each) on a prefix of their own."""

    def __init__(self, count: int, prefix: str, data: Path, warm: str) -> None:
        env = {**os.environ, "TUTORBOT_QUEUE_URL": REDIS_URL, "TUTORBOT_QUEUE_PREFIX": prefix,
               "TUTORBOT_DATA_DIR": str(data), "TUTORBOT_LOG_LEVEL": "WARNING"}
        self.prefix = prefix
        self.names = [f"bench{i}-{uuid.uuid4().hex[:4]}@bench" for i in range(count)]
        self.processes = [subprocess.Popen(
            [sys.executable, "-m", "bot", "worker", "-c", "1", "--warm", warm, "-n", name],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True) for name in self.names]

    def wait_ready(self, timeout: float = 180) -> None:
        client = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + timeout
        while not all(client.exists(f"{self.prefix}:hb:{n}") for n in self.names):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                raise RuntimeError("the bench workers did not start")
            time.sleep(0.2)
        client.close()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def clean(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])
    client.close()


async def burst(executor, lines: list[str], spread: float) -> tuple[list, list[float]]:
    """Send ``lines`` (one learner each) evenly over ``spread`` seconds; outcomes and the
    seconds each answer took from its own send."""
    outcomes: list = [None] * len(lines)
    took: list[float] = [0.0] * len(lines)

    async def one(i: int, line: str) -> None:
        await asyncio.sleep(spread * i / len(lines))
        start = time.perf_counter()
        try:
            outcomes[i] = await executor.submit("train_demo" if "train" in line else "tokenize",
                                                parse(line), key=f"learner{i}", timeout=60)
        except TutorError as err:
            outcomes[i] = err
        took[i] = time.perf_counter() - start

    await asyncio.gather(*(one(i, line) for i, line in enumerate(lines)))
    return outcomes, took


def summary(label: str, outcomes: list, took: list[float], computed: int, wall: float) -> None:
    answered = [t for o, t in zip(outcomes, took, strict=True) if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    share = 100 * len(answered) / len(outcomes)
    line = (f"{label}: {share:.0f} % answered ({len(answered)}/{len(outcomes)}), "
            f"{computed} computed")
    if answered:
        line += (f", p50 {statistics.median(answered):.2f} s, "
                 f"p95 {percentile(answered, 0.95):.2f} s, "
                 f"{len(answered) / wall:.1f} demos/s over {wall:.1f} s")
    print(line)
    if refused:
        estimates = [int(m.group(1)) for o in refused
                     if (m := re.search(r"would wait about (\d+) s", o.user_message))]
        others = len(refused) - len(estimates)
        print(f"  refused {len(refused)}, each told its estimate: "
              f"{min(estimates, default=0)}-{max(estimates, default=0)} s"
              + (f"; {others} refused otherwise: " + " | ".join(sorted(
                  {o.user_message[:90] for o in refused if 'would wait' not in o.user_message}))
                 if others else ""))


async def local_line(workers: int) -> Line:
    pool = WorkerPool(workers=workers, queue_limit=workers,
                      warmups=("tokenize", "train_demo"))
    line = Line(pool, workers)
    await line.start()
    await line.submit("tokenize", parse("/tokenize warm up"), key="warm", timeout=120)
    await asyncio.gather(*(line.submit("train_demo", parse(f"/train-demo seed={i}"),
                                       key=f"warm{i}", timeout=120) for i in range(workers)))
    return line


async def celery_bot(prefix: str) -> CeleryExecutor:
    bot = CeleryExecutor(REDIS_URL, prefix=prefix)
    await bot.start()
    await bot.submit("tokenize", parse(f"/tokenize warm up {uuid.uuid4().hex}"), key="warm",
                     timeout=120)
    return bot


async def class_burst() -> None:
    lines = [LESSON_DEMO] * 200
    line = await local_line(2)
    try:
        before = line.computed
        start = time.perf_counter()
        outcomes, took = await burst(line, lines, 1.0)
        summary("class burst, local pool (2 workers)", outcomes, took,
                line.computed - before, time.perf_counter() - start)
    finally:
        await line.close()
    await on_celery(2, "tokenize,train_demo", _class_on_celery)


async def _class_on_celery(prefix: str) -> None:
    bot = await celery_bot(prefix)
    try:
        start = time.perf_counter()
        outcomes, took = await burst(bot, [LESSON_DEMO] * 200, 1.0)
        summary("class burst, Celery (2 workers)", outcomes, took, bot.computed - 1,
                time.perf_counter() - start)
    finally:
        await bot.close()


async def mixed_burst() -> None:
    rng = random.Random(7)
    datasets = ("circle", "xor", "gauss", "spiral")
    lines = [f"/train-demo dataset={rng.choice(datasets)} layers={rng.choice(['4', '4,2', '8'])}"
             f" seed={i}" for i in range(200)]
    for workers in (1, 2):
        async def run(prefix: str, workers: int = workers) -> None:
            bot = await celery_bot(prefix)
            try:
                start = time.perf_counter()
                outcomes, took = await burst(bot, lines, 10.0)
                summary(f"mixed burst, Celery ({workers} worker{'s' * (workers > 1)})",
                        outcomes, took, bot.computed - 1, time.perf_counter() - start)
            finally:
                await bot.close()
        await on_celery(workers, "tokenize,train_demo", run)


async def overhead() -> None:
    """Both executors up at once, requests alternating between them (the shared machine's
    load then falls on both alike); the jobs' own time inside the worker is reported too."""
    texts = [f"/tokenize queue overhead probe {i} {uuid.uuid4().hex[:6]}" for i in range(80)]
    line = await local_line(2)

    async def run(prefix: str) -> None:
        bot = await celery_bot(prefix)
        local, queued = [], []
        try:
            for i, text in enumerate(texts):
                executor, into = (line, local) if i % 2 == 0 else (bot, queued)
                into.extend(await sequential(executor, [text], f"{i}"))
        finally:
            await bot.close()
        added = statistics.median(queued) - statistics.median(local)
        print(f"/tokenize one at a time, alternating: local pool median "
              f"{1000 * statistics.median(local):.1f} ms, Celery median "
              f"{1000 * statistics.median(queued):.1f} ms, added {1000 * added:.1f} ms "
              f"(goal <= 20 ms); the job itself in a worker: local "
              f"{1000 * line.durations.median('/tokenize'):.1f} ms, Celery "
              f"{1000 * bot.durations.median('/tokenize'):.1f} ms")

    try:
        await on_celery(2, "tokenize", run)
    finally:
        await line.close()


async def sequential(executor, lines: list[str], tag: str = "") -> list[float]:
    took = []
    for i, line in enumerate(lines):
        start = time.perf_counter()
        await executor.submit("tokenize", parse(line), key=f"seq{tag}{i}", timeout=60)
        took.append(time.perf_counter() - start)
    return took


async def on_celery(workers: int, warm: str, bench) -> None:
    prefix = f"tbbench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as data:
        cluster = Workers(workers, prefix, Path(data), warm)
        try:
            cluster.wait_ready()
            await bench(prefix)
        finally:
            cluster.stop()
            clean(prefix)


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    benches = {"class": class_burst, "mixed": mixed_burst, "overhead": overhead}
    for name, bench in benches.items():
        if which in (name, "all"):
            asyncio.run(bench())


if __name__ == "__main__":
    main()
