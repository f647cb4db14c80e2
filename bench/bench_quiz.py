"""Quiz answers and /progress through the real Tutor on SQLite (and Postgres if reachable).

Run: .venv/bin/python bench/bench_quiz.py
Prints the latency of one answer press (store + verdict; no demo) and of /progress
(record -> summary -> PNG), and the throughput of 500 concurrent answers from 50 learners.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import on_each_database, report  # noqa: E402
from bot import migrate  # noqa: E402
from engine.domain.records import LearnerRef  # noqa: E402
from engine.domain.replies import no_progress  # noqa: E402
from engine.jobs import resolve  # noqa: E402
from engine.services.tutor import Tutor  # noqa: E402
from engine.storage.db import make_engine  # noqa: E402
from engine.storage.repository import SqlStore  # noqa: E402


class InlineExecutor:
    async def submit(self, job, *args, key, timeout, on_progress=None):
        return await asyncio.to_thread(resolve(job), *args, no_progress)


async def bench(url: str, label: str) -> None:
    migrate.upgrade(url)
    store = SqlStore(make_engine(url))
    tutor = Tutor(store, InlineExecutor(), rng=random.Random(0))
    ana = LearnerRef("console", "local", f"bench-{time.time_ns()}")
    presses, renders = [], []
    for _ in range(30):
        quiz = await tutor.handle(ana, "/quiz attention")
        if quiz.facts["kind"] == "predict":
            continue
        start = time.perf_counter()
        await tutor.press(ana, quiz.buttons[0].id)
        presses.append(time.perf_counter() - start)
    for _ in range(10):
        start = time.perf_counter()
        await tutor.handle(ana, "/progress")
        renders.append(time.perf_counter() - start)
    report(f"{label}: answer press", presses)
    report(f"{label}: /progress (record, summary, PNG)", renders)
    learners = [LearnerRef("discord", "G1", f"b{i}-{time.time_ns()}") for i in range(50)]
    ids = [(lr, f"quiz:{store.quizzes.create_prompt(lr, 'lo-01').id}:0") for lr in learners
           for _ in range(10)]
    start = time.perf_counter()
    await asyncio.gather(*(tutor.press(lr, bid) for lr, bid in ids))
    took = time.perf_counter() - start
    print(f"{label}: 500 concurrent answers in {took:.2f} s ({500 / took:.0f} answers/s)")
    store.engine.dispose()


def main() -> None:
    on_each_database(bench)


if __name__ == "__main__":
    main()
