"""The six Playground datasets: sizes, labels, noise semantics, split and seeds."""

from __future__ import annotations

import numpy as np
import pytest

from engine.demos.datasets import DATASETS, make_dataset
from engine.demos.registry import UnknownName


def _all_points(data):
    return np.concatenate([data.x_train, data.x_test]), np.concatenate([data.y_train, data.y_test])


@pytest.mark.parametrize("name", list(DATASETS))
def test_sizes_split_and_domain(name):
    data = make_dataset(name, noise=0, train_share=30, seed=1)
    n = 1200 if DATASETS[name].regression else 500
    assert len(data.y_train) == n * 30 // 100 and len(data.y_test) == n - n * 30 // 100
    points, labels = _all_points(data)
    assert points.shape == (n, 2) and np.all(np.abs(points) <= 6)
    if DATASETS[name].regression:  # reg-plane's (x1 + x2) / 10 reaches ±1.2 in the corners
        assert np.all(np.abs(labels) <= 1.2) and np.abs(labels).max() > 0.6
    else:
        assert set(np.unique(labels)) == {-1.0, 1.0}


@pytest.mark.parametrize("name", list(DATASETS))
def test_a_seed_regenerates_the_same_data(name):
    a, b = make_dataset(name, 20, 50, seed=7), make_dataset(name, 20, 50, seed=7)
    c = make_dataset(name, 20, 50, seed=8)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x_train, c.x_train)


def test_noiseless_labels_follow_the_rule():
    points, labels = _all_points(make_dataset("circle", 0, 50, 2))
    radius = np.hypot(points[:, 0], points[:, 1])
    assert np.all(labels[radius < 2.5] == 1) and np.all(labels[radius >= 3.5] == -1)
    assert not np.any((radius > 2.5) & (radius < 3.5))  # the gap between disc and ring
    points, labels = _all_points(make_dataset("xor", 0, 50, 2))
    assert np.array_equal(labels, np.where(points[:, 0] * points[:, 1] >= 0, 1.0, -1.0))
    assert np.all(np.abs(points) >= 0.3) and np.all(np.abs(points) <= 5.3)  # the padding
    points, labels = _all_points(make_dataset("reg-plane", 0, 50, 2))
    np.testing.assert_allclose(labels, (points[:, 0] + points[:, 1]) / 10)
    points, labels = _all_points(make_dataset("spiral", 0, 50, 2))
    assert np.hypot(points[:, 0], points[:, 1]).max() < 5


def test_reg_gauss_peaks_at_its_centres():
    points, labels = _all_points(make_dataset("reg-gauss", 0, 50, 3))
    near = np.hypot(points[:, 0] - 4, points[:, 1] - 2.5) < 0.5  # centre (4, 2.5), sign +1
    assert near.any() and np.all(labels[near] >= 0.75)
    near = np.hypot(points[:, 0], points[:, 1] - 2.5) < 0.5  # centre (0, 2.5), sign -1
    assert near.any() and np.all(labels[near] <= -0.75)
    far = (
        np.min(
            np.hypot(
                points[:, 0, None] - np.array([-4, 0, 4] * 2),
                points[:, 1, None] - np.repeat([2.5, -2.5], 3),
            ),
            axis=1,
        )
        > 2
    )
    assert np.all(labels[far] == 0)


def test_noise_flips_labels_and_spreads_gaussians():
    points, labels = _all_points(make_dataset("circle", 50, 50, 4))
    radius = np.hypot(points[:, 0], points[:, 1])
    flipped = np.mean(labels[radius < 2.5] == -1)
    assert 0.1 < flipped < 0.6  # positions stay, labels come from the noisy position
    # the Playground's scale: variance 0.5 at noise 0, 4 at noise 50, per coordinate
    for noise, variance in ((0, 0.5), (50, 4.0)):
        data = make_dataset("gauss", noise, 50, 4)
        positive = np.concatenate([data.x_train[data.y_train > 0], data.x_test[data.y_test > 0]])
        assert np.mean(positive, axis=0) == pytest.approx([2, 2], abs=0.35)
        assert np.var(positive, axis=0) == pytest.approx([variance] * 2, rel=0.2)


def test_bad_arguments_are_refused():
    with pytest.raises(UnknownName, match="Did you mean `circle`"):
        make_dataset("circel")
    with pytest.raises(ValueError, match="noise must be between 0 and 50, got -5"):
        make_dataset("xor", noise=-5)
    with pytest.raises(ValueError, match="train share must be between 10 and 90"):
        make_dataset("xor", train_share=5)
