"""The Playground's small fully connected network, written out in NumPy.

Why hand-written NumPy: the network is tiny (at most 7 inputs, 6 x 8 hidden units) and
the Playground updates after every 1–30 points, so the cost of each call, not the
arithmetic, decides the speed. A loop of vectorised mini-batch matrix products, with
each layer's bias stored as the last row of its weight matrix (a constant-1 input), so
one matrix product gives a layer's input and one gives its weight-and-bias gradient,
measured several times faster than scikit-learn's MLPClassifier on the Playground
default (bench/bench_train_demo.py); torch's per-call dispatch costs more than the
maths here (0.61 s). For the same reason the hot loop multiplies with ndarray.dot,
which costs under half of the `@` operator's call overhead on arrays this small. Writing the backward pass out also keeps the lesson's maths
visible; tests check it against finite differences and torch autograd.

Semantics follow tensorflow/playground src/nn.ts: weights uniform in [-0.5, 0.5), every
bias 0.1; hidden activation relu / tanh / sigmoid / linear; output tanh (classification)
or linear (regression); loss 0.5·(output − target)², averaged over the points; gradients
averaged over the mini-batch. The update rule is in engine.demos.training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.demos import features as feats
from engine.demos.datasets import DATASETS, DOMAIN, NOISE_MAX
from engine.demos.registry import lookup
from engine.demos.regularization import REGULARIZATIONS

MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8
LR_RANGE = (0.00001, 10.0)
BATCH_RANGE = (1, 30)
TRAIN_SHARE_RANGE = (10, 90)
REG_RATE_RANGE = (0.0, 10.0)
MAX_EPOCHS = 1000
INIT_BIAS = 0.1


@dataclass(frozen=True)
class Activation:
    """`fn(z, out=buf)` writes the activation of z into buf; `der(a)` is f'(z) from the output a."""

    name: str
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]
    der: Callable[[np.ndarray], np.ndarray | float]


def _sigmoid(z: np.ndarray, *, out: np.ndarray) -> np.ndarray:
    np.multiply(z, 0.5, out=out)  # 1 / (1 + e^-z) = (1 + tanh(z/2)) / 2, never overflows
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", lambda z, *, out: np.maximum(z, 0.0, out=out), lambda a: a > 0),
        Activation("tanh", np.tanh, lambda a: 1.0 - a * a),
        Activation("sigmoid", _sigmoid, lambda a: a * (1.0 - a)),
        Activation("linear", lambda z, *, out: np.copyto(out, z) or out, lambda a: 1.0),
    )
}


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value:g}")


@dataclass(frozen=True)
class MLPConfig:
    """One Playground run: data, features, network, optimiser and seed (defaults = Playground's)."""

    dataset: str = "circle"
    noise: int = 0
    train_share: int = 50
    features: tuple[str, ...] = feats.DEFAULT_FEATURES
    layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    lr: float = 0.03
    batch: int = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    epochs: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        lookup(DATASETS, self.dataset, "dataset")
        lookup(ACTIVATIONS, self.activation, "activation")
        lookup(REGULARIZATIONS, self.regularization, "regularization")
        object.__setattr__(self, "features", feats.canonical(self.features))
        object.__setattr__(self, "layers", tuple(int(n) for n in self.layers))
        if len(self.layers) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.layers)}")
        for n in self.layers:
            _check_range("neurons per layer", n, 1, MAX_NEURONS)
        _check_range("noise", self.noise, 0, NOISE_MAX)
        _check_range("train share", self.train_share, *TRAIN_SHARE_RANGE)
        _check_range("learning rate", self.lr, *LR_RANGE)
        _check_range("batch size", self.batch, *BATCH_RANGE)
        _check_range("regularization rate", self.reg_rate, *REG_RATE_RANGE)
        _check_range("epochs", self.epochs, 1, MAX_EPOCHS)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a whole number from 0 up, got {self.seed!r}")

    @property
    def regression(self) -> bool:
        return DATASETS[self.dataset].regression

    @property
    def shape(self) -> tuple[int, ...]:
        """Units per layer, inputs and output included: e.g. (2, 4, 2, 1)."""
        return (len(self.features), *self.layers, 1)


@dataclass(eq=False)
class Network:
    """params[k] (n_k + 1, n_{k+1}) maps layer k (n_k units; layer 0 = the features) to
    layer k + 1; its last row is the bias (it multiplies a constant-1 input).

    alive[k] (same shape) is False for links that L1 regularisation has cut (the
    Playground's "dead" links); `any_dead` says whether any exist.
    """

    params: list[np.ndarray]
    alive: list[np.ndarray]
    hidden: Activation
    output: Activation
    any_dead: bool = False

    def __post_init__(self) -> None:
        # Transposed weight views for backpropagation; valid because training updates
        # params in place.
        self.weights_t = [p[:-1].T for p in self.params]  # (n_{k+1}, n_k) each

    @property
    def weights(self) -> list[np.ndarray]:
        """Views of the weight matrices, (n_k, n_{k+1}) each."""
        return [p[:-1] for p in self.params]

    @property
    def biases(self) -> list[np.ndarray]:
        """Views of the bias vectors, (n_{k+1},) each."""
        return [p[-1] for p in self.params]

    def copy(self) -> Network:
        """A deep copy (training updates the parameters in place)."""
        return Network(
            [p.copy() for p in self.params],
            [m.copy() for m in self.alive],
            self.hidden,
            self.output,
            self.any_dead,
        )

    def is_finite(self) -> bool:
        return all(np.isfinite(p).all() for p in self.params)

    def largest_weight(self) -> float:
        return max(float(np.abs(w).max(initial=0.0)) for w in self.weights)


def init_network(config: MLPConfig) -> Network:
    """The Playground's initial network: weights uniform in [-0.5, 0.5), biases 0.1."""
    rng = np.random.default_rng([config.seed, 1])
    params = []
    for n_in, n_out in zip(config.shape, config.shape[1:], strict=False):
        weights = rng.random((n_in, n_out)) - 0.5  # (n_in, n_out)
        params.append(np.vstack([weights, np.full((1, n_out), INIT_BIAS)]))  # (n_in + 1, n_out)
    alive = [np.ones(p.shape, dtype=bool) for p in params]
    output = ACTIVATIONS["linear" if config.regression else "tanh"]
    return Network(params, alive, ACTIVATIONS[config.activation], output)


def with_ones(x: np.ndarray) -> np.ndarray:
    """Append the constant-1 column that multiplies the bias row: (B, F) -> (B, F + 1)."""
    return np.hstack([x, np.ones((len(x), 1))])


class Workspace:
    """Reusable activation buffers for batches of B points (avoids allocating every step).

    acts[0] is set to the input (B, F + 1) by forward(); acts[k] (B, n_k + 1) holds hidden
    layer k's output and a constant-1 column; the output layer's acts[-1] is (B, 1).
    """

    def __init__(self, shape: tuple[int, ...], batch: int) -> None:
        hidden = [np.ones((batch, n + 1)) for n in shape[1:-1]]  # (B, n_k + 1)
        self.acts: list[np.ndarray] = [np.empty((0, 0)), *hidden, np.empty((batch, 1))]
        self.outs = [a[:, :-1] for a in self.acts[1:-1]] + [self.acts[-1]]  # views without the 1s


def forward(net: Network, x1: np.ndarray, ws: Workspace) -> np.ndarray:
    """Run x1 (B, F + 1) (features with the ones column) through the net into ws; (B, 1)."""
    acts, outs, params = ws.acts, ws.outs, net.params
    acts[0] = x1
    hidden = net.hidden.fn
    for k in range(len(params) - 1):
        hidden(acts[k].dot(params[k]), out=outs[k])  # (B, n_{k+1})
    return net.output.fn(acts[-2].dot(params[-1]), out=outs[-1])  # (B, 1)


def backward(net: Network, ws: Workspace, y: np.ndarray, scale: float = 1.0) -> list[np.ndarray]:
    """scale · gradient of mean(0.5·(out − y)²) for each params[k], after forward() into ws.

    y: (B, 1) targets. Gradients have the shape of params (bias gradient in the last row);
    dead links get zero. Pass scale=-lr to get the SGD step directly.
    """
    acts, outs, weights_t, der = ws.acts, ws.outs, net.weights_t, net.hidden.der
    out = acts[-1]  # (B, 1)
    delta = out - y  # (B, 1): dLoss/dout, times len(y) / scale below
    delta *= net.output.der(out) * (scale / len(y))  # scale · dLoss/dz of the output
    grads = [delta] * len(net.params)
    for k in range(len(net.params) - 1, 0, -1):
        grads[k] = acts[k].T.dot(delta)  # (n_k + 1, n_{k+1})
        delta = delta.dot(weights_t[k])  # (B, n_k)
        delta *= der(outs[k - 1])  # through the hidden activation
    grads[0] = acts[0].T.dot(delta)  # (F + 1, n_1)
    if net.any_dead:
        for grad, alive in zip(grads, net.alive, strict=True):
            grad *= alive
    return grads


def gradients(net: Network, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Gradients of the batch loss mean(0.5·(out − y)²) for features x (B, F), targets y (B,)."""
    ws = Workspace(_shape(net), len(y))
    forward(net, with_ones(x), ws)
    return backward(net, ws, y[:, None])


def _shape(net: Network) -> tuple[int, ...]:
    return (net.params[0].shape[0] - 1, *(p.shape[1] for p in net.params))


def predict(net: Network, x: np.ndarray) -> np.ndarray:
    """The network's output for features x (B, F): shape (B,)."""
    return forward(net, with_ones(x), Workspace(_shape(net), len(x)))[:, 0].copy()


def loss(out: np.ndarray, target: np.ndarray) -> float:
    """The Playground's loss: mean of 0.5·(out − target)² over points."""
    error = out - target  # (N,)
    return 0.5 * float(error.dot(error)) / len(error)


def grid_points(resolution: int) -> np.ndarray:
    """Points of a resolution x resolution grid over the domain, (R·R, 2), row-major by x2.

    Row i holds x2 = axis[i] (ascending), column j x1 = axis[j]: reshape to (R, R) and
    draw with origin="lower".
    """
    axis = np.linspace(*DOMAIN, resolution)  # (R,)
    x1, x2 = np.meshgrid(axis, axis)  # (R, R) each, x2 varies along rows
    return np.stack([x1.ravel(), x2.ravel()], axis=1)  # (R·R, 2)


def output_grid(net: Network, feature_names: tuple[str, ...], resolution: int) -> np.ndarray:
    """The network's output over the grid, (R, R): the decision-boundary heatmap."""
    x = feats.build_inputs(feature_names, grid_points(resolution))  # (R·R, F)
    return predict(net, x).reshape(resolution, resolution)


def neuron_grids(net: Network, feature_names: tuple[str, ...], resolution: int) -> list[np.ndarray]:
    """Every unit's own output over the grid, layer by layer, inputs first.

    Returns arrays (n_l, R, R): [features, hidden 1, ..., output]; the network diagram
    draws each as a small tile, as the Playground does.
    """
    x = feats.build_inputs(feature_names, grid_points(resolution))  # (R·R, F)
    ws = Workspace(_shape(net), len(x))
    forward(net, with_ones(x), ws)
    layers = [x, *ws.outs]  # (R·R, n_l) each
    return [a.T.reshape(a.shape[1], resolution, resolution).copy() for a in layers]
