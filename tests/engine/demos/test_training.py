"""The vectorised trainer against the Playground's point-by-point rule, and its bookkeeping."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.demos.datasets import make_dataset
from engine.demos.features import build_inputs
from engine.demos.mlp import MLPConfig, init_network, output_grid, predict
from engine.demos.training import batch_plan, train
from tests.engine.demos.playground_reference import ReferenceNet, reference_train

CASES = [
    dict(),  # the Playground default, 250 train points / batch 10
    dict(batch=7, train_share=10),  # leftover points carried into the next epoch
    dict(batch=1, activation="relu", layers=(3,), train_share=10),
    dict(batch=30, activation="sigmoid", layers=(5, 3, 2), train_share=10),
    dict(layers=(), features=("x1", "x1sq", "x2sq", "x1x2")),
    dict(dataset="reg-gauss", activation="linear", layers=(3,), train_share=10, batch=13),
    dict(regularization="l2", reg_rate=0.03, lr=0.3, train_share=10, batch=4),
    dict(regularization="l1", reg_rate=0.1, lr=0.3, train_share=10, batch=4, dataset="xor"),
]


@pytest.mark.parametrize(
    "options", CASES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default"
)
def test_matches_the_playground_point_by_point(options):
    config = MLPConfig(epochs=3, seed=4, **options)
    data = make_dataset(config.dataset, config.noise, config.train_share, config.seed)
    ref = ReferenceNet(init_network(config).params, config.activation, config.regression)
    ref_losses = reference_train(
        ref, build_inputs(config.features, data.x_train), data.y_train, config
    )

    result = train(config, data)

    assert result.divergence is None
    np.testing.assert_allclose(result.train_loss[1:], ref_losses, rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(result.network.params, ref.params(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    if config.regularization == "l1":  # the case must really exercise dead links
        dead = sum(int(np.sum(row)) for layer in ref.dead for row in layer)
        assert dead > 0 and result.network.any_dead
        assert all(
            np.all(p[:-1][~a[:-1]] == 0)
            for p, a in zip(result.network.params, result.network.alive, strict=True)
        )


def test_batch_plan_carries_the_leftover_into_the_next_epoch():
    first, later = batch_plan(23, 10)
    assert [b.tolist() for b in first] == [list(range(10)), list(range(10, 20))]
    assert later[0].tolist() == [20, 21, 22, *range(10)]
    assert [b.tolist() for b in later[1:]] == [list(range(10, 20))]


def test_history_snapshots_and_metrics_are_consistent():
    config = MLPConfig(epochs=12, seed=3)
    result = train(config, snapshot_epochs=(0, 5, 12), grid_resolution=16)
    data = result.data
    x_train = build_inputs(config.features, data.x_train)
    initial = init_network(config)

    assert result.train_loss.shape == result.test_loss.shape == (13,)
    assert result.train_loss[0] == pytest.approx(
        np.mean(0.5 * (predict(initial, x_train) - data.y_train) ** 2)
    )
    assert [s.epoch for s in result.snapshots] == [0, 5, 12]
    assert result.snapshots[0].output == pytest.approx(output_grid(initial, config.features, 16))
    assert result.snapshots[-1].output == pytest.approx(
        output_grid(result.network, config.features, 16)
    )
    assert result.snapshots[1].train_loss == result.train_loss[5]
    out = predict(result.network, build_inputs(config.features, data.x_test))
    assert result.test_accuracy == pytest.approx(np.mean(np.sign(out + 1e-300) == data.y_test))
    assert result.test_loss[-1] == pytest.approx(np.mean(0.5 * (out - data.y_test) ** 2))


def test_progress_callback_sees_every_epoch():
    seen = []
    train(MLPConfig(epochs=5), on_epoch=lambda r: seen.append((r.epoch, r.epochs, r.train_loss)))
    assert [s[:2] for s in seen] == [(e, 5) for e in range(1, 6)]


def test_regression_has_no_accuracy():
    result = train(MLPConfig(dataset="reg-plane", epochs=3))
    assert result.train_accuracy is None and result.test_accuracy is None
    assert result.train_loss[-1] < result.train_loss[0]


def test_same_config_gives_identical_arrays_and_seeds_differ():
    config = MLPConfig(dataset="xor", noise=25, layers=(5, 3), activation="relu", epochs=20, seed=9)
    a = train(config, snapshot_epochs=(0, 10, 20), grid_resolution=20)
    b = train(config, snapshot_epochs=(0, 10, 20), grid_resolution=20)
    assert np.array_equal(a.train_loss, b.train_loss) and np.array_equal(a.test_loss, b.test_loss)
    assert all(
        np.array_equal(p, q) for p, q in zip(a.network.params, b.network.params, strict=True)
    )
    assert all(
        np.array_equal(s.output, t.output) for s, t in zip(a.snapshots, b.snapshots, strict=True)
    )
    c = train(dataclasses.replace(config, seed=10))
    assert not np.array_equal(a.train_loss, c.train_loss)
