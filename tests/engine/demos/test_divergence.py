"""Divergence is detected, explained and given a concrete fix; healthy runs are left alone."""

from __future__ import annotations

import numpy as np
import pytest

from engine.demos.mlp import MLPConfig
from engine.demos.training import train


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_lr_10_on_the_default_is_caught(activation):
    result = train(MLPConfig(lr=10, activation=activation))
    d = result.divergence
    assert d is not None and d.kind == "worse"
    assert "learning rate 10 is too high" in d.reason
    assert d.fix == "Lower the learning rate ten times: lr=1." and d.suggestion == {"lr": 1.0}
    assert result.test_accuracy < 0.6
    assert np.all(np.isfinite(result.train_loss)) and result.network.is_finite()


def test_regression_blow_up_stops_early_with_the_last_finite_state():
    result = train(MLPConfig(dataset="reg-plane", lr=10, epochs=50))
    d = result.divergence
    assert d is not None and d.kind in {"exploded", "nan"} and d.epoch < 5
    assert result.epochs_run == d.epoch - 1  # history ends at the last healthy epoch
    assert np.all(np.isfinite(result.train_loss)) and result.network.is_finite()
    assert d.suggestion == {"lr": 1.0}
    assert train(MLPConfig(dataset="reg-plane", lr=1, epochs=50)).divergence is None


def test_an_oversized_regularisation_step_is_blamed_on_the_rate():
    result = train(MLPConfig(regularization="l2", reg_rate=10, lr=1, epochs=30))
    d = result.divergence
    assert d is not None
    assert "lr × reg_rate = 10 is too big" in d.reason and d.suggestion == {"reg_rate": 1.0}


def test_the_suggested_fix_works():
    for options in (dict(lr=10), dict(lr=10, dataset="reg-plane", epochs=50)):
        broken = train(MLPConfig(**options))
        fixed = train(MLPConfig(**{**options, **broken.divergence.suggestion}))
        assert fixed.divergence is None
        assert fixed.train_loss[-1] < fixed.train_loss[0] / 2


@pytest.mark.parametrize(
    "options",
    [
        dict(),
        dict(lr=1),
        dict(dataset="spiral"),
        dict(dataset="reg-gauss", lr=0.3),
        dict(dataset="xor", layers=()),
    ],
)
def test_healthy_runs_are_not_flagged(options):
    assert train(MLPConfig(**options)).divergence is None
