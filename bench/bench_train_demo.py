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
2. End to end (train + render the PNG; goal median <= 0.35 s) and animate=yes (train +
   GIF; goal <= 3 s), when the renderer is importable.

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


def _timed(fn: Callable[[], float]) -> tuple[float, float]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def bench_training(runs: int, seed: int) -> None:
    config = MLPConfig(seed=seed)
    data = make_dataset(config.dataset, config.noise, config.train_share, seed)
    contenders: dict[str, Callable[[], float]] = {
        "numpy (ours)": lambda: train(config, data).test_accuracy,
        "sklearn shuffle=False": _sklearn_fit(data, seed, shuffle=False),
        "sklearn shuffle=True": _sklearn_fit(data, seed, shuffle=True),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    accuracy: dict[str, float] = {}
    for fn in contenders.values():  # warm up imports and caches
        fn()
    for _ in range(runs):
        for name, fn in contenders.items():
            elapsed, accuracy[name] = _timed(fn)
            times[name].append(elapsed)
    ours = statistics.median(times["numpy (ours)"])
    print(f"Training only: Playground default, seed {seed}, {runs} interleaved runs each")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = "" if name.startswith("numpy") else f"  ours is {median / ours:.1f}x faster"
        print(
            f"  {name:22s} median {median * 1000:7.1f} ms  min {min(values) * 1000:7.1f} ms"
            f"  test accuracy {accuracy[name]:.3f}{ratio}"
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
    try:
        from engine.demos.training import train as _train
        from engine.plots.playground import render_gif, render_png
    except ImportError as exc:
        print(f"End to end: skipped ({exc})")
        return
    from engine.demos.playground_run import animation_epochs

    config = MLPConfig(seed=seed)

    def png() -> float:
        return float(len(render_png(_train(config))))

    def gif() -> float:
        result = _train(config, snapshot_epochs=animation_epochs(config.epochs))
        return float(len(render_gif(result)))

    for label, fn, goal, n in (("train + PNG", png, 0.35, runs), ("animate=yes", gif, 3.0, 5)):
        fn()
        results = [_timed(fn) for _ in range(n)]
        median = statistics.median(t for t, _ in results)
        size = results[-1][1] / 1024
        print(f"  {label:12s} median {median:.3f} s over {n} runs (goal <= {goal} s), {size:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bench_training(args.runs, args.seed)
    bench_accuracy(range(10))
    print("End to end:")
    bench_end_to_end(args.runs, args.seed)


if __name__ == "__main__":
    main()
