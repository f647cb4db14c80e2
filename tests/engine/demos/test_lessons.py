"""The lessons' claims about the Playground, run as experiments over several seeds."""

from __future__ import annotations

import pytest

from engine.demos.mlp import MLPConfig
from engine.demos.training import train

SEEDS = range(5)
SQUARES = ("x1", "x2", "x1sq", "x2sq")
SINES = ("x1", "x2", "sinx1", "sinx2")


def _accuracies(seeds=SEEDS, **options) -> list[float]:
    return [train(MLPConfig(seed=seed, **options)).test_accuracy for seed in seeds]


def test_without_hidden_layers_xor_stays_near_chance():
    # one straight line cannot separate opposite corners
    accuracies = _accuracies(dataset="xor", layers=())
    assert max(accuracies) < 0.75, accuracies


def test_one_hidden_layer_of_four_solves_xor():
    accuracies = _accuracies(dataset="xor", layers=(4,), epochs=200)
    assert min(accuracies) > 0.95, accuracies


def test_squared_features_let_a_network_without_hidden_layers_draw_the_circle():
    plain = _accuracies(range(10), layers=())
    squares = _accuracies(range(10), layers=(), features=SQUARES)
    assert max(plain) < 0.75, plain
    # A few seeds start with both square weights positive: the tanh output is then +1
    # everywhere, its gradient vanishes, and 100 epochs are not enough to escape.
    assert sum(a > 0.95 for a in squares) >= 8, squares


@pytest.mark.slow
def test_spiral_needs_depth_or_sine_features():
    shallow = _accuracies(dataset="spiral", layers=())
    default = _accuracies(dataset="spiral")  # 4,2 tanh for 100 epochs
    deep_but_linear = _accuracies(
        range(3), dataset="spiral", layers=(8, 8, 8, 8), activation="linear"
    )
    assert max(shallow + default + deep_but_linear) < 0.7, (shallow, default, deep_but_linear)

    with_sines = _accuracies(dataset="spiral", layers=(8, 8), features=SINES)
    deep = _accuracies(
        range(3), dataset="spiral", layers=(8, 8, 8, 8), activation="relu", epochs=300
    )
    assert min(with_sines) > 0.9, with_sines
    assert min(deep) > 0.9, deep
