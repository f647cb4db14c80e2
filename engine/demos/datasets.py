"""The TensorFlow Playground's six toy datasets, generated as its src/dataset.ts does.

Classification sets (circle, xor, gauss, spiral) have 500 points labelled +1 / -1;
regression sets (reg-plane, reg-gauss) have 1 200 points with a real target (reg-gauss
in [-1, 1]; reg-plane's (x1 + x2) / 10 reaches ±1.2 in the corners, as in the Playground).
Points lie in the domain [-6, 6]². `noise` is the Playground's slider value 0–50; the
generators receive noise / 100, exactly as the Playground passes it. The points are
shuffled once and split: the first floor(N · train_share / 100) train, the rest test.

Randomness comes from a numpy Generator seeded with `[seed, 0]` (the network's initial
weights use `[seed, 1]`), so a seed regenerates the same data whatever network is
trained on it, and runs that differ only in the network are compared on the same points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.demos.registry import lookup

DOMAIN = (-6.0, 6.0)
NUM_SAMPLES_CLASSIFY = 500
NUM_SAMPLES_REGRESS = 1200
NOISE_MAX = 50

Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetSpec:
    """A registry entry: how to generate a dataset and whether it is a regression task."""

    name: str
    generate: Generator  # (rng, num_samples, noise 0..0.5) -> points (N, 2), labels (N,)
    regression: bool
    description: str

    @property
    def num_samples(self) -> int:
        return NUM_SAMPLES_REGRESS if self.regression else NUM_SAMPLES_CLASSIFY


@dataclass(frozen=True, eq=False)
class Dataset:
    """Generated points split into train and test; labels are ±1 or a value in [-1, 1]."""

    name: str
    regression: bool
    x_train: np.ndarray  # (N_train, 2)
    y_train: np.ndarray  # (N_train,)
    x_test: np.ndarray  # (N_test, 2)
    y_test: np.ndarray  # (N_test,)


def _uniform_noise(rng: np.random.Generator, n: int, half_width: float, noise: float):
    """Per-coordinate label noise: uniform in [-half_width, half_width) times noise, (n, 2)."""
    return rng.uniform(-half_width, half_width, size=(n, 2)) * noise


def _circle(rng: np.random.Generator, n: int, noise: float):
    radius = 5.0
    half = n // 2
    r = np.concatenate(
        [rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, half)]
    )
    angle = rng.uniform(0, 2 * np.pi, 2 * half)  # (N,)
    points = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)  # (N, 2)
    shifted = points + _uniform_noise(rng, 2 * half, radius, noise)  # (N, 2)
    labels = np.where(np.hypot(shifted[:, 0], shifted[:, 1]) < radius * 0.5, 1.0, -1.0)
    return points, labels


def _xor(rng: np.random.Generator, n: int, noise: float):
    padding = 0.3
    points = rng.uniform(-5, 5, size=(n, 2))  # (N, 2)
    points += np.where(points > 0, padding, -padding)
    shifted = points + _uniform_noise(rng, n, 5.0, noise)  # (N, 2)
    labels = np.where(shifted[:, 0] * shifted[:, 1] >= 0, 1.0, -1.0)
    return points, labels


def _gauss(rng: np.random.Generator, n: int, noise: float):
    variance = 0.5 + noise / 0.5 * (4.0 - 0.5)  # the Playground's linear scale [0, .5] -> [0.5, 4]
    half = n // 2
    std = np.sqrt(variance)
    positive = rng.normal((2.0, 2.0), std, size=(half, 2))  # (N/2, 2)
    negative = rng.normal((-2.0, -2.0), std, size=(half, 2))  # (N/2, 2)
    labels = np.concatenate([np.ones(half), -np.ones(half)])
    return np.concatenate([positive, negative]), labels


def _spiral(rng: np.random.Generator, n: int, noise: float):
    half = n // 2
    i = np.arange(half)
    r = i / half * 5.0
    parts = []
    for delta in (0.0, np.pi):
        t = 1.75 * i / half * 2 * np.pi + delta
        arm = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)  # (N/2, 2)
        parts.append(arm + rng.uniform(-1, 1, size=(half, 2)) * noise)
    labels = np.concatenate([np.ones(half), -np.ones(half)])
    return np.concatenate(parts), labels


def _reg_plane(rng: np.random.Generator, n: int, noise: float):
    radius = 6.0
    points = rng.uniform(-radius, radius, size=(n, 2))  # (N, 2)
    shifted = points + _uniform_noise(rng, n, radius, noise)
    labels = (shifted[:, 0] + shifted[:, 1]) / 10.0  # linear scale [-10, 10] -> [-1, 1], unclamped
    return points, labels


_GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]
)


def _reg_gauss(rng: np.random.Generator, n: int, noise: float):
    radius = 6.0
    points = rng.uniform(-radius, radius, size=(n, 2))  # (N, 2)
    shifted = points + _uniform_noise(rng, n, radius, noise)
    dist = np.hypot(
        shifted[:, None, 0] - _GAUSSIANS[None, :, 0], shifted[:, None, 1] - _GAUSSIANS[None, :, 1]
    )  # (N, 6)
    bumps = _GAUSSIANS[None, :, 2] * np.clip(1.0 - dist / 2.0, 0.0, 1.0)  # (N, 6), clamped scale
    # The label is the bump largest in absolute value; the first one wins a tie, 0 if none.
    strongest = np.argmax(np.abs(bumps), axis=1)  # (N,)
    labels = bumps[np.arange(n), strongest]
    return points, labels


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec("circle", _circle, False, "a blue disc inside an orange ring"),
        DatasetSpec("xor", _xor, False, "four quadrants, opposite corners share a colour"),
        DatasetSpec("gauss", _gauss, False, "two Gaussian clouds"),
        DatasetSpec("spiral", _spiral, False, "two interleaved spirals"),
        DatasetSpec("reg-plane", _reg_plane, True, "a tilted plane, target (x1 + x2) / 10"),
        DatasetSpec("reg-gauss", _reg_gauss, True, "six bumps of alternating sign"),
    )
}


def data_rng(seed: int) -> np.random.Generator:
    """The Generator that draws a dataset for `seed`."""
    return np.random.default_rng([seed, 0])


def make_dataset(name: str, noise: int = 0, train_share: int = 50, seed: int = 0) -> Dataset:
    """Generate dataset `name` with Playground noise 0–50 and train share 10–90 (%).

    Raises UnknownName for an unknown dataset and ValueError for out-of-range numbers.
    """
    spec = lookup(DATASETS, name, "dataset")
    if not 0 <= noise <= NOISE_MAX:
        raise ValueError(f"noise must be between 0 and {NOISE_MAX}, got {noise}")
    if not 10 <= train_share <= 90:
        raise ValueError(f"train share must be between 10 and 90 (%), got {train_share}")
    rng = data_rng(seed)
    points, labels = spec.generate(rng, spec.num_samples, noise / 100)  # (N, 2), (N,)
    order = rng.permutation(len(labels))
    points, labels = points[order], labels[order]
    split = len(labels) * train_share // 100
    return Dataset(
        name=name,
        regression=spec.regression,
        x_train=points[:split],
        y_train=labels[:split],
        x_test=points[split:],
        y_test=labels[split:],
    )
