"""Event-loop lag of the chat process while every command runs once, cold.

A ticker on the chat process's event loop asks to wake every 10 ms and records how late it
wakes; meanwhile every command of the command table runs once, in turn, through the console
adapter and a real Tutor (real worker pool, SQLite in a throw-away data directory), as
`tutorbot chat` runs them. Cold: a fresh process, so whatever a command loads on first use
(modules, models, fonts) is loaded while the ticker is running. Models belong in the worker
processes; anything heavy done on the loop shows up here as a stall.

Reports the largest stall, the p99 of the lateness, how much of it was the chat process's
own CPU time (the rest is waiting for a core on a busy machine), the worst stall per command
and whether the chat process ended up importing torch or transformers.

Run: .venv/bin/python bench/bench_loop_lag.py   (goal: max stall <= 50 ms, p99 <= 10 ms)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mib, percentile  # noqa: E402
from bot.app import build_tutor  # noqa: E402
from bot.settings import CoreSettings  # noqa: E402
from testkit.every_command import run_every_command  # noqa: E402

TICK = 0.010
GOAL_MAX = 0.050
GOAL_P99 = 0.010


class Ticker:
    """Wakes every TICK seconds on the running loop; records how late each wake-up was,
    labelled with the command running at the time, and the CPU time the chat process (every
    thread: one holding the GIL stalls the loop too) used in that interval, capped at the
    lateness. On a shared machine a late wake-up may be the kernel running other processes;
    the CPU time is what the chat process itself spent."""

    def __init__(self) -> None:
        self.lags: list[tuple[str, float, float]] = []  # (command, late by, own CPU)
        self.label = "(idle)"
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            due = time.perf_counter() + TICK
            cpu = time.process_time()
            await asyncio.sleep(TICK)
            late = max(0.0, time.perf_counter() - due)
            self.lags.append((self.label, late, min(late, time.process_time() - cpu)))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def bench(home: Path) -> None:
    settings = CoreSettings(data_dir=home, log_level="WARNING")
    async with build_tutor(settings) as tutor:  # as `tutorbot chat`: default pool, warm-ups
        ticker = Ticker()
        ticker.start()
        await asyncio.sleep(1.0)  # a baseline of the idle loop
        rss_before = peak_rss_mib()

        def before(line: str) -> None:
            ticker.label = line.split()[0]

        answered = await run_every_command(tutor, home / "images", before=before)
        ticker.label = "(idle)"
        await asyncio.sleep(0.5)
        await ticker.stop()
    lags = [lag for _, lag, _ in ticker.lags]
    own = [cpu for _, _, cpu in ticker.lags]
    worst = max(lags)
    p99 = percentile(lags, 0.99)
    print(f"{len(answered)} commands, {sum(a.ok for a in answered)} answered without an "
          f"error; {len(lags)} ticks of {TICK * 1000:.0f} ms")
    print(f"loop lag: max stall {worst * 1000:.1f} ms "
          f"(goal <= {GOAL_MAX * 1000:.0f} ms: {'met' if worst <= GOAL_MAX else 'MISSED'}), "
          f"p99 {p99 * 1000:.1f} ms (goal <= {GOAL_P99 * 1000:.0f} ms: "
          f"{'met' if p99 <= GOAL_P99 else 'MISSED'}), p50 "
          f"{statistics.median(lags) * 1000:.2f} ms")
    print(f"of which the chat process's own CPU: max {max(own) * 1000:.1f} ms, p99 "
          f"{percentile(own, 0.99) * 1000:.1f} ms (the rest: waiting for a core)")
    print("per command: worst stall (the process's own CPU in it), time to answer:")
    for a in answered:
        name = a.line.split()[0]
        mine = [(lag, cpu) for label, lag, cpu in ticker.lags if label == name]
        stall = (f"{max(mine)[0] * 1000:7.1f} ms ({max(mine)[1] * 1000:5.1f} ms)"
                 if mine else "  (answered within one tick)")
        flag = "" if a.ok else "  (answered with an error)"
        print(f"  {name:16s} {stall}  {a.seconds:6.2f} s{flag}")
    heavy = sorted(m for m in ("torch", "transformers") if m in sys.modules)
    print(f"chat process: torch/transformers imported: {', '.join(heavy) or 'neither'}; "
          f"peak RSS {peak_rss_mib():.0f} MiB ({rss_before:.0f} MiB before the commands)")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    load1, load5, _ = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load1:.1f} (1 min), "
          f"{load5:.1f} (5 min)")
    with tempfile.TemporaryDirectory() as home:
        asyncio.run(bench(Path(home)))


if __name__ == "__main__":
    main()
