"""Benchmark /train-demo: training speed against scikit-learn, and end-to-end rendering.

Run from the repository root:
    python bench/bench_train_demo.py [--runs 15] [--seed 0]

1. Training only, the Playground default (circle, noise 0, 50 % train, x1 x2, 4,2 tanh,
   lr 0.03, batch 10, 100 epochs): engine.demos.training.train against scikit-learn's
   MLPClassifier with the same data and configuration (plain SGD, no momentum, no L2,
   batch 10, 100 epochs, no early stop). scikit-learn is timed twice: shuffle=False is
   the Playground's rule (one fixed order every epoch); shuffle=True is its default.
   Runs are interleaved so both see the same machine load; medians are compared.
   Goal: >= 5x faster with the same test accuracy.
2. End to end as a worker runs the job: parse -> train -> render -> Reply (PNG goal:
   median <= 0.35 s; animate=yes GIF goal: <= 3 s), and a 4-way comparison.

Prints figures; it is not a pass/fail test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.demos.datasets import make_dataset  # noqa: E402
from engine.demos.mlp import MLPConfig  # noqa: E402
from engine.demos.training import train  # noqa: E402


def _sklearn_fit(data, seed: int, shuffle: bool) -> Callable[[], float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def fit() -> float:
        clf = MLPClassifier(
            hidden_layer_sizes=(4, 2),
            activation="tanh",
            solver="sgd",
            learning_rate="constant",
            learning_rate_init=0.03,
            batch_size=10,
            max_iter=100,
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=0.0,
            shuffle=shuffle,
            tol=0.0,
            n_iter_no_change=10**6,
            early_stopping=False,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(data.x_train, data.y_train)
        return float(clf.score(data.x_test, data.y_test))

    return fit


def _timed(fn: Callable[[], float]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of this process, fn's value)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def bench_training(runs: int, seed: int) -> None:
    config = MLPConfig(seed=seed)
    data = make_dataset(config.dataset, config.noise, config.train_share, seed)
    contenders: dict[str, Callable[[], float]] = {
        "numpy (ours)": lambda: train(config, data).test_accuracy,
        "sklearn shuffle=False": _sklearn_fit(data, seed, shuffle=False),
        "sklearn shuffle=True": _sklearn_fit(data, seed, shuffle=True),
    }
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    cpus: dict[str, list[float]] = {name: [] for name in contenders}
    accuracy: dict[str, float] = {}
    for fn in contenders.values():  # warm up imports and caches
        fn()
    for _ in range(runs):
        for name, fn in contenders.items():
            wall, cpu, accuracy[name] = _timed(fn)
            walls[name].append(wall)
            cpus[name].append(cpu)
    ours_wall = statistics.median(walls["numpy (ours)"])
    ours_cpu = statistics.median(cpus["numpy (ours)"])
    print(f"Training only: Playground default, seed {seed}, {runs} interleaved runs each "
          "(wall clock, and CPU time of this process, which other load disturbs less)")
    for name in contenders:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        ratio = ("" if name.startswith("numpy") else
                 f"  ours is {wall / ours_wall:.1f}x (wall) / {cpu / ours_cpu:.1f}x (CPU) faster")
        print(
            f"  {name:22s} median wall {wall * 1000:6.1f} ms (min {min(walls[name]) * 1000:6.1f})"
            f"  CPU {cpu * 1000:6.1f} ms  test accuracy {accuracy[name]:.3f}{ratio}"
        )


def bench_accuracy(seeds: range) -> None:
    ours, theirs = [], []
    for seed in seeds:
        data = make_dataset("circle", 0, 50, seed)
        ours.append(train(MLPConfig(seed=seed), data).test_accuracy)
        theirs.append(_sklearn_fit(data, seed, shuffle=False)())
    print(
        f"Test accuracy over seeds {seeds.start}..{seeds.stop - 1}: "
        f"ours mean {statistics.mean(ours):.3f} (min {min(ours):.3f}), "
        f"sklearn mean {statistics.mean(theirs):.3f} (min {min(theirs):.3f})"
    )


def bench_end_to_end(runs: int, seed: int) -> None:
    """The job as a worker runs it: parse -> train -> picture -> Reply."""
    from engine.commands.parsing import parse
    from engine.domain.replies import no_progress
    from engine.jobs import train_demo

    train_demo.warm()
    for line, goal, repeat in (
        (f"/train-demo seed={seed}", 0.35, runs),
        (f"/train-demo seed={seed} animate=yes", 3.0, max(3, runs // 3)),
        (f"/train-demo seed={seed} compare=activation:relu,tanh,sigmoid,linear", None, 3),
    ):
        reply = train_demo.run(parse(line), no_progress)
        results = [_timed(lambda line=line: train_demo.run(parse(line), no_progress))
                   for _ in range(repeat)]
        wall = statistics.median(r[0] for r in results)
        cpu = statistics.median(r[1] for r in results)
        verdict = "" if goal is None else (
            f" (goal <= {goal} s: wall {'met' if wall <= goal else 'MISSED'}, "
            f"CPU {'met' if cpu <= goal else 'MISSED'})")
        print(f"  {line}: median wall {wall:.3f} s, CPU {cpu:.3f} s over {repeat} runs{verdict}"
              f"; {len(reply.images[0].data) / 1024:.0f} KiB {reply.images[0].mime}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bench_training(args.runs, args.seed)
    bench_accuracy(range(10))
    print("End to end (warm worker):")
    bench_end_to_end(args.runs, args.seed)


if __name__ == "__main__":
    main()
