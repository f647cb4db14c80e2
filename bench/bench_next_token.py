"""/next-token through its job function in a warm process, as a pool worker runs it.

Run: .venv/bin/python bench/bench_next_token.py   (goal: warm median <= 0.3 s)

One torch thread, like a worker; the model is loaded once before timing. Prints the wall
median and the CPU-time median (the CPU figure is what the job costs on a busy machine),
then the process's peak resident memory with the model loaded.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.common import peak_rss_mib, report, timed  # noqa: E402
from engine.commands.parsing import parse  # noqa: E402
from engine.domain.replies import no_progress  # noqa: E402
from engine.jobs import next_token  # noqa: E402

LINES = (
    "/next-token The cat sat on th seed=7",
    "/next-token Attention lets every token look back at the tokens before it temperature=1.2 "
    "top_k=10 seed=3",
)


def cpu_times(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        out.append(time.process_time() - start)
    return out


def main() -> None:
    torch.set_num_threads(1)
    start = time.perf_counter()
    next_token.warm()
    print(f"model load (once per worker): {time.perf_counter() - start:.2f} s")
    for line in LINES:
        request = parse(line)

        def job(request=request) -> None:
            assert next_token.run(request, no_progress).images[0].data

        report(f"{line[:40]}… wall", timed(job, repeat=30, warmup=3), goal=0.3)
        cpu = cpu_times(job, repeat=30)
        print(f"{line[:40]}… CPU time: median {statistics.median(cpu):.4f} s")
    print(f"peak RSS with the tiny GPT loaded: {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
