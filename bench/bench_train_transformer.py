"""Live transformer training (`/train-demo model=transformer`) as a pool worker runs it.

Run: .venv/bin/python bench/bench_train_transformer.py   (goal: LIVE_STEPS within the
default budget, i.e. <= 40 s wall on one thread; the job stops at the budget regardless)

Trains the live decoder for the job's full LIVE_STEPS with no time cap, on one torch thread,
and prints wall and CPU seconds, steps per second and the loss reached.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.common import peak_rss_mib  # noqa: E402
from engine.demos.lm_training import TrainConfig, cached_corpus, train_live  # noqa: E402
from engine.jobs.train_transformer import DEFAULT_SECONDS, LIVE_STEPS, SAMPLE_AT  # noqa: E402


def main() -> None:
    torch.set_num_threads(1)
    cached_corpus()
    cfg = TrainConfig(max_steps=LIVE_STEPS, max_seconds=None, seed=1, sample_at=SAMPLE_AT)
    wall, cpu = time.perf_counter(), time.process_time()
    result, model = train_live(cfg)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    verdict = "met" if wall <= DEFAULT_SECONDS else "MISSED (the job would stop early)"
    print(f"live training, {model.num_params():,} parameters, {LIVE_STEPS} steps: "
          f"{wall:.1f} s wall (goal <= {DEFAULT_SECONDS:.0f} s: {verdict}), {cpu:.1f} s CPU, "
          f"{LIVE_STEPS / cpu:.1f} steps per CPU-second")
    first, last = result.samples[0], result.samples[-1]
    print(f"validation loss {first.val_loss:.2f} -> {last.val_loss:.2f}; final sample: "
          f"{last.text!r}")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
