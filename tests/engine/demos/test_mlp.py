"""The hand-written backward pass against finite differences and torch autograd."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from engine.demos.features import build_inputs
from engine.demos.mlp import (
    ACTIVATIONS,
    MLPConfig,
    gradients,
    grid_points,
    init_network,
    loss,
    neuron_grids,
    output_grid,
    predict,
)
from engine.demos.registry import UnknownName

SHAPES = [(), (4,), (4, 2), (8, 3, 5)]
FEATURES = [("x1", "x2"), ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")]
TORCH_ACT = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
}


def _case(activation: str, layers: tuple[int, ...], features, dataset: str, seed: int):
    config = MLPConfig(
        dataset=dataset, activation=activation, layers=layers, features=features, seed=seed
    )
    net = init_network(config)
    rng = np.random.default_rng(seed)
    for p in net.params:  # move away from the initial point so every unit matters
        p += rng.normal(0, 0.4, p.shape)
    points = rng.uniform(-6, 6, (40, 2))
    x = build_inputs(config.features, points)  # (40, F)
    x = x[_away_from_kinks(net, x)][:9]  # (9, F)
    y = rng.choice([-1.0, 1.0], len(x)) if not config.regression else rng.uniform(-1, 1, len(x))
    return config, net, x, y


def _away_from_kinks(net, x: np.ndarray) -> np.ndarray:
    """Points whose hidden pre-activations all keep 1e-3 away from 0: finite differences
    are meaningless across relu's kink (one point 5e-6 from it gave a 2e-2 error)."""
    keep, a = np.ones(len(x), dtype=bool), x
    for p in net.params[:-1]:
        z = a @ p[:-1] + p[-1]  # (N, n_l)
        keep &= np.abs(z).min(axis=1) > 1e-3
        a = ACTIVATIONS[net.hidden.name].fn(z, out=np.empty_like(z))
    return keep


def _rel_error(ours: np.ndarray, ref: np.ndarray) -> float:
    return float(np.linalg.norm(ours - ref) / max(np.linalg.norm(ref), 1e-12))


def _finite_differences(net, x, y, h=1e-6):
    grads = []
    for p in net.params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = loss(predict(net, x), y)
            p[idx] = old - h
            down = loss(predict(net, x), y)
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def _torch_gradients(config, net, x, y):
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in net.params]
    a = torch.tensor(x, dtype=torch.float64)
    for k, p in enumerate(params):
        z = a @ p[:-1] + p[-1]  # (B, n_l)
        last = k == len(params) - 1
        a = (
            (torch.tanh if not config.regression else (lambda t: t))(z)
            if last
            else TORCH_ACT[config.activation](z)
        )
    out = a[:, 0]
    (0.5 * (out - torch.tensor(y)) ** 2).mean().backward()
    return [p.grad.numpy() for p in params]


ALL_CASES = list(itertools.product(ACTIVATIONS, SHAPES, FEATURES, ["circle", "reg-gauss"]))


def test_gradients_match_finite_differences_and_autograd():
    worst_fd = worst_torch = 0.0
    for seed, (activation, layers, features, dataset) in enumerate(ALL_CASES):
        config, net, x, y = _case(activation, layers, features, dataset, seed)
        ours = gradients(net, x, y)
        for g, fd, tg in zip(
            ours, _finite_differences(net, x, y), _torch_gradients(config, net, x, y), strict=True
        ):
            assert g.shape == fd.shape == tg.shape
            worst_fd = max(worst_fd, _rel_error(g, fd))
            worst_torch = max(worst_torch, _rel_error(g, tg))
    report = (
        f"worst relative error over {len(ALL_CASES)} networks: "
        f"finite differences {worst_fd:.2e}, torch autograd {worst_torch:.2e}"
    )
    print(report)
    assert worst_fd < 1e-5 and worst_torch < 1e-10, report


def test_init_is_the_playgrounds():
    net = init_network(
        MLPConfig(layers=(8, 8, 8, 8, 8, 8), features=("x1", "x2", "sinx1"), seed=11)
    )
    assert [p.shape for p in net.params] == [(4, 8), *[(9, 8)] * 5, (9, 1)]
    weights = np.concatenate([w.ravel() for w in net.weights])
    assert (
        weights.min() >= -0.5
        and weights.max() < 0.5
        and weights.std() == pytest.approx(1 / 12**0.5, rel=0.15)
    )
    assert all(np.all(b == 0.1) for b in net.biases)
    assert net.output.name == "tanh" and net.hidden.name == "tanh"
    assert init_network(MLPConfig(dataset="reg-plane")).output.name == "linear"


def test_activations_and_their_derivatives():
    z = np.linspace(-4, 4, 81)
    for act in ACTIVATIONS.values():
        a = act.fn(z, out=np.empty_like(z))
        numeric = (
            act.fn(z + 1e-6, out=np.empty_like(z)) - act.fn(z - 1e-6, out=np.empty_like(z))
        ) / 2e-6
        mask = np.abs(z) > 1e-3  # relu has a kink at 0
        np.testing.assert_allclose(
            np.broadcast_to(act.der(a), z.shape)[mask], numeric[mask], atol=1e-6
        )
    np.testing.assert_allclose(
        ACTIVATIONS["sigmoid"].fn(z, out=np.empty_like(z)), 1 / (1 + np.exp(-z))
    )


def test_grids_show_each_unit_and_the_output():
    config = MLPConfig(layers=(3, 2), features=("x1", "x2", "x1x2"), seed=5)
    net = init_network(config)
    tiles = neuron_grids(net, config.features, 12)
    assert [t.shape for t in tiles] == [(3, 12, 12), (3, 12, 12), (2, 12, 12), (1, 12, 12)]
    np.testing.assert_allclose(tiles[-1][0], output_grid(net, config.features, 12))
    points = grid_points(12)
    np.testing.assert_allclose(tiles[0][2].ravel(), points[:, 0] * points[:, 1])
    # row i is x2 = axis[i] ascending, column j is x1 = axis[j]
    assert tiles[0][0][0, 0] == -6 and tiles[0][0][0, -1] == 6 and tiles[0][1][-1, 0] == 6


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(layers=(4,) * 7), "at most 6 hidden layers, got 7"),
        (dict(layers=(9,)), "neurons per layer must be between 1 and 8, got 9"),
        (dict(lr=20.0), "learning rate must be between 1e-05 and 10, got 20"),
        (dict(batch=0), "batch size must be between 1 and 30, got 0"),
        (dict(noise=-5), "noise must be between 0 and 50, got -5"),
        (dict(epochs=10_000), "epochs must be between 1 and 1000, got 10000"),
        (dict(train_share=95), "train share must be between 10 and 90, got 95"),
        (dict(seed=None), "seed must be a whole number from 0 up, got None"),
    ],
)
def test_config_refuses_out_of_range_values(options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        MLPConfig(**options)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(
        UnknownName,
        match=r"Unknown activation `tahn`.*relu, tanh, sigmoid, linear.*Did you mean `tanh`",
    ):
        MLPConfig(activation="tahn")
    with pytest.raises(UnknownName, match="Unknown dataset `spiralz`"):
        MLPConfig(dataset="spiralz")
    with pytest.raises(UnknownName, match="Unknown feature `x3`"):
        MLPConfig(features=("x1", "x3"))


def test_features_are_put_in_registry_order():
    assert MLPConfig(features=("sinx2", "x1", "x1", "x2sq")).features == ("x1", "x2sq", "sinx2")
