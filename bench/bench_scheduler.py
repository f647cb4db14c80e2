"""The daily-quiz scheduler: what a tick costs with many channels (SQLite, and Postgres if
``TUTORBOT_BENCH_POSTGRES_URL`` names an empty database).

Run: .venv/bin/python bench/bench_scheduler.py
Prints the idle tick (nothing due) with 200 scheduled channels, the tick that claims and posts
200 quizzes due at the same minute (post pacing switched off, so this is database + picking +
building the post), and the reveal tick that draws 200 answer charts (in one pool worker,
as the bot does).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import on_each_database, report  # noqa: E402
from bot import migrate  # noqa: E402
from engine.domain.records import ChannelRef
from engine.learning.curriculum import default_curriculum  # noqa: E402
from engine.learning.schedule import QuizSchedule, parse_hhmm  # noqa: E402
from engine.services.scheduler import QuizScheduler, SchedulerConfig  # noqa: E402
from engine.storage.db import make_engine  # noqa: E402
from engine.storage.repository import SqlStore  # noqa: E402
from engine.workers.pool import WorkerPool  # noqa: E402

CHANNELS = 200
QUIZ_AT = datetime(2025, 1, 15, 8, tzinfo=UTC)  # 09:00 in Warsaw


async def curriculum():
    return default_curriculum()


async def post(channel, reply):
    return "m"


async def bench(url: str, label: str) -> None:
    migrate.upgrade(url)
    store = SqlStore(make_engine(url))
    for i in range(CHANNELS):
        schedule = QuizSchedule(ChannelRef("slack", "T1", f"C{i}"), parse_hhmm("09:00"),
                                "Europe/Warsaw", "everyday")
        store.schedules.save_schedule(schedule, now=QUIZ_AT - timedelta(days=1))
    now = [QUIZ_AT - timedelta(hours=1)]
    pool = WorkerPool(workers=1)
    await pool.start()
    scheduler = QuizScheduler(store, curriculum, {"slack": post}, pool, clock=lambda: now[0],
                              config=SchedulerConfig(spacing=0, channel_gap=0))
    idle = []
    for _ in range(20):
        start = time.perf_counter()
        await scheduler.tick()
        idle.append(time.perf_counter() - start)
    report(f"{label}: idle tick, {CHANNELS} channels scheduled", idle[1:])
    now[0] = QUIZ_AT
    start = time.perf_counter()
    posted = len((await scheduler.tick()).posted)
    took = time.perf_counter() - start
    print(f"{label}: tick posting {posted} due quizzes: {took:.2f} s "
          f"({took / posted * 1000:.1f} ms per quiz; live pacing adds 0.25 s per post)")
    now[0] = QUIZ_AT + timedelta(minutes=61)
    start = time.perf_counter()
    revealed = len((await scheduler.tick()).posted)
    took = time.perf_counter() - start
    print(f"{label}: tick posting {revealed} reveals with charts: {took:.2f} s "
          f"({took / max(revealed, 1) * 1000:.1f} ms per reveal)")
    await pool.close()
    store.engine.dispose()


def main() -> None:
    on_each_database(bench)


if __name__ == "__main__":
    main()
