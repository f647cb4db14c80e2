"""Keep the cores busy with real demo work, for the latency benches' "busy cores" runs.

``busy_cores(n)`` starts ``n`` processes that each run the /train-demo job (train the
Playground network, render its PNG) in a loop, as a worker would, until the block ends; it
then reports how many demos they finished. That is the realistic worst case for an
acknowledgement: a worker pool at full tilt on the same cores as the chat process.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _demos(stop, done, seed: int) -> None:
    """Child process: /train-demo (training + picture) again and again until ``stop``."""
    from engine.commands.parsing import parse
    from engine.domain.replies import no_progress
    from engine.jobs import train_demo

    train_demo.warm()
    runs = 0
    while not stop.is_set():
        train_demo.run(parse(f"/train-demo seed={seed + runs} epochs=200"), no_progress)
        runs += 1
    with done.get_lock():
        done.value += runs


@contextlib.contextmanager
def busy_cores(processes: int | None = None) -> Iterator[None]:
    """Both cores (or ``processes`` of them) busy rendering demos for the block's duration."""
    count = processes or os.cpu_count() or 2
    ctx = mp.get_context("spawn")
    stop, done = ctx.Event(), ctx.Value("i", 0)
    procs = [ctx.Process(target=_demos, args=(stop, done, 1000 * i), daemon=True)
             for i in range(count)]
    for proc in procs:
        proc.start()
    time.sleep(5)  # imports and the first demo: the load is on before anything is measured
    started = time.perf_counter()
    try:
        yield
    finally:
        stop.set()
        for proc in procs:
            proc.join(60)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
        elapsed = time.perf_counter() - started
        print(f"  (busy cores: {count} processes finished {done.value} /train-demo runs "
              f"in {elapsed:.0f} s)")
