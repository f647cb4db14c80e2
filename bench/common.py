"""Small helpers shared by the benchmarks: timing and reporting."""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable


def timed(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Seconds per call for ``repeat`` calls after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float], goal: float | None = None) -> None:
    """Print median, p90 and the goal verdict for a list of timings."""
    median = statistics.median(times)
    p90 = sorted(times)[max(0, int(len(times) * 0.9) - 1)]
    verdict = ""
    if goal is not None:
        verdict = f" (goal <= {goal:.3f} s: {'met' if median <= goal else 'MISSED'})"
    print(f"{name}: median {median:.4f} s, p90 {p90:.4f} s over {len(times)} runs{verdict}")


def on_each_database(bench: Callable[[str, str], Awaitable[None]]) -> None:
    """Run ``bench(url, label)`` on a fresh SQLite file, and on Postgres when
    ``TUTORBOT_BENCH_POSTGRES_URL`` names an (empty, upgraded-on-demand) database."""
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(bench(f"sqlite:///{tmp}/bench.db", "SQLite"))
    pg = os.environ.get("TUTORBOT_BENCH_POSTGRES_URL")
    if pg:
        asyncio.run(bench(pg, "Postgres"))


def peak_rss_mib() -> float:
    """Peak resident memory of this process, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
