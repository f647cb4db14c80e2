"""Mini-batch SGD exactly as the Playground steps it, with history, snapshots, divergence.

The Playground walks the training points in one fixed order every epoch (they were
shuffled once when the data was made) and updates after every `batch` points; points
left over at the end of an epoch are carried into the first update of the next epoch
(its accumulators are not reset), and a remainder after the last epoch is never
applied. Each update here is one vectorised forward/backward pass over the mini-batch,
which gives the same averaged gradient as the Playground's point-by-point accumulation.

The update (src/nn.ts updateWeights): w ← w − lr · mean gradient, then, with a
regulariser, w ← w − lr · reg_rate · R'(w_before); biases are not regularised; an L1
step that crosses zero sets the weight to 0 and the link stays dead.

Losses are recorded before training (epoch 0) and after every epoch, on train and test
points, without the penalty (as the Playground displays them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from engine.demos import divergence as div
from engine.demos import features as feats
from engine.demos.datasets import Dataset, make_dataset
from engine.demos.mlp import (
    MLPConfig,
    Network,
    Workspace,
    backward,
    forward,
    init_network,
    output_grid,
    with_ones,
)
from engine.demos.mlp import loss as mean_loss
from engine.demos.regularization import REGULARIZATIONS

DEFAULT_GRID = 50


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state shown in one animation frame: the output over the grid and losses so far."""

    epoch: int
    output: np.ndarray  # (R, R)
    train_loss: float
    test_loss: float


@dataclass(frozen=True)
class EpochReport:
    """Passed to the `on_epoch` callback after every epoch (for progress messages)."""

    epoch: int
    epochs: int
    train_loss: float
    test_loss: float
    network: Network


@dataclass(frozen=True, eq=False)
class TrainResult:
    """A finished (or stopped) run. `network` is the last state with finite losses."""

    config: MLPConfig
    data: Dataset
    network: Network
    train_loss: np.ndarray  # (epochs_run + 1,), index 0 = before training
    test_loss: np.ndarray  # (epochs_run + 1,)
    train_accuracy: float | None  # None for regression
    test_accuracy: float | None
    divergence: div.Divergence | None
    snapshots: tuple[Snapshot, ...]

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss) - 1


def animation_epochs(epochs: int, frames: int = 40) -> tuple[int, ...]:
    """At most `frames` epochs to show, from 0 to `epochs`: half spread evenly, half
    geometrically (the boundary changes fastest early on)."""
    if epochs + 1 <= frames:
        return tuple(range(epochs + 1))
    even = np.linspace(0, epochs, frames // 2)
    early = np.geomspace(1, epochs, frames - frames // 2)
    return tuple(sorted({int(e) for e in np.round(np.concatenate([even, early]))}))


def accuracy(out: np.ndarray, labels: np.ndarray) -> float:
    """Share of points whose output has the label's sign (output >= 0 counts as +1)."""
    return float(np.mean(np.where(out >= 0, 1.0, -1.0) == labels))


def batch_plan(n: int, batch: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Index batches for the first epoch and for every later epoch (Playground order).

    Later epochs start with the previous epoch's leftover points joined to their first
    batch; the leftover of the final epoch is never applied.
    """
    full = n // batch * batch
    first = [np.arange(i, i + batch) for i in range(0, full, batch)]
    leftover = np.arange(full, n)
    later = [np.concatenate([leftover, first[0]]), *first[1:]]
    return first, later


def sgd_update(
    net: Network, ws: Workspace, x1: np.ndarray, y: np.ndarray, config: MLPConfig
) -> None:
    """One Playground update, in place, from the batch x1 (B, F + 1) with the 1s column, y (B, 1)."""
    forward(net, x1, ws)
    steps = backward(net, ws, y, scale=-config.lr)  # −lr · mean gradient, per layer
    if config.regularization == "none" or not config.reg_rate:
        for p, step in zip(net.params, steps, strict=True):
            p += step
        return
    der = REGULARIZATIONS[config.regularization].der
    for p, step, alive in zip(net.params, steps, net.alive, strict=True):
        w = p[:-1]  # (n_in, n_out) view: biases are not regularised
        reg_step = (config.lr * config.reg_rate) * der(w) * alive[:-1]  # R' before the step
        p += step
        stepped = w - reg_step
        if config.regularization == "l1":
            crossed = w * stepped < 0  # the penalty pushed the weight across zero
            stepped[crossed] = 0.0
            alive[:-1] &= ~crossed
            net.any_dead = net.any_dead or bool(crossed.any())
        w[...] = stepped


class _Evaluator:
    """Loss of the current network on a fixed point set, with reused buffers."""

    def __init__(self, config: MLPConfig, points: np.ndarray, targets: np.ndarray) -> None:
        self.x1 = with_ones(feats.build_inputs(config.features, points))  # (N, F + 1)
        self.y = targets
        self.ws = Workspace(config.shape, len(targets))

    def outputs(self, net: Network) -> np.ndarray:
        return forward(net, self.x1, self.ws)[:, 0]  # (N,)

    def loss(self, net: Network) -> float:
        return mean_loss(self.outputs(net), self.y)


def train(
    config: MLPConfig,
    data: Dataset | None = None,
    *,
    snapshot_epochs: Iterable[int] = (),
    grid_resolution: int = DEFAULT_GRID,
    on_epoch: Callable[[EpochReport], None] | None = None,
) -> TrainResult:
    """Train the Playground network for `config.epochs` epochs (stops early if it blows up).

    data: the dataset to use (default: generated from the config's dataset, noise,
    train share and seed). snapshot_epochs: epochs (0 = before training) at which to
    record the output over a grid_resolution² grid. on_epoch: called after each epoch.
    """
    data = data or make_dataset(config.dataset, config.noise, config.train_share, config.seed)
    run = _Run(config, data)
    wanted = set(snapshot_epochs)
    if 0 in wanted:
        run.snapshot(0, grid_resolution)
    for epoch in range(1, config.epochs + 1):
        run.divergence = run.epoch(epoch == 1)
        if run.divergence:
            break
        if on_epoch:
            on_epoch(EpochReport(epoch, config.epochs, run.train[-1], run.test[-1], run.net))
        if epoch in wanted:
            run.snapshot(epoch, grid_resolution)
    return run.result()


class _Run:
    """The state of one training run: network, loss history, snapshots."""

    def __init__(self, config: MLPConfig, data: Dataset) -> None:
        self.config, self.data = config, data
        self.on_train = _Evaluator(config, data.x_train, data.y_train)
        self.on_test = _Evaluator(config, data.x_test, data.y_test)
        self.zero_loss = mean_loss(np.zeros_like(data.y_train), data.y_train)
        self.net = init_network(config)
        self.first, self.later = _batches(self.on_train.x1, data.y_train, config)
        self.train, self.test = [self.on_train.loss(self.net)], [self.on_test.loss(self.net)]
        self.last_good, self.divergence = self.net.copy(), None
        self.snapshots: list[Snapshot] = []

    def epoch(self, first: bool) -> div.Divergence | None:
        """One pass over the training points; a Divergence (and no history) if it blew up."""
        for ws, xb, yb in self.first if first else self.later:
            sgd_update(self.net, ws, xb, yb, self.config)
        self.train.append(self.on_train.loss(self.net))
        self.test.append(self.on_test.loss(self.net))
        epoch = len(self.train) - 1
        divergence = div.check_epoch(self.config, self.net, self.train, self.zero_loss, epoch)
        if divergence:
            self.train.pop(), self.test.pop()
        else:
            self.last_good = self.net.copy()
        return divergence

    def snapshot(self, epoch: int, resolution: int) -> None:
        grid = output_grid(self.net, self.config.features, resolution)
        self.snapshots.append(Snapshot(epoch, grid, self.train[-1], self.test[-1]))

    def result(self) -> TrainResult:
        divergence = self.divergence or div.check_final(self.config, self.train, self.zero_loss)
        train_acc = test_acc = None
        if not self.config.regression:
            train_acc = accuracy(self.on_train.outputs(self.last_good), self.data.y_train)
            test_acc = accuracy(self.on_test.outputs(self.last_good), self.data.y_test)
        return TrainResult(
            config=self.config,
            data=self.data,
            network=self.last_good,
            train_loss=np.asarray(self.train),
            test_loss=np.asarray(self.test),
            train_accuracy=train_acc,
            test_accuracy=test_acc,
            divergence=divergence,
            snapshots=tuple(self.snapshots),
        )


def _batches(x1: np.ndarray, y: np.ndarray, config: MLPConfig):
    """(workspace, x1 batch, y batch) triples for the first and the later epochs."""
    first, later = batch_plan(len(y), config.batch)
    spaces: dict[int, Workspace] = {}

    def materialise(plan: list[np.ndarray]):
        for idx in plan:
            spaces.setdefault(len(idx), Workspace(config.shape, len(idx)))
        return [(spaces[len(idx)], x1[idx], y[idx, None]) for idx in plan]

    return materialise(first), materialise(later)
