"""Small helpers shared by the benchmarks: timing and reporting."""

from __future__ import annotations

import asyncio
import math
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


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of ``values``
    at or below it (``share=0.99`` of 200 values: the 198th smallest). Every bench uses this
    one, so their p90s and p99s mean the same thing."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = math.ceil(share * len(ordered) - 1e-9)  # 0.99 * 200 is 198, not 198.00000000000003
    return ordered[min(len(ordered), max(1, rank)) - 1]


def report(name: str, times: list[float], goal: float | None = None) -> None:
    """Print median, p90 and the goal verdict for a list of timings."""
    median = statistics.median(times)
    p90 = percentile(times, 0.9)
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
