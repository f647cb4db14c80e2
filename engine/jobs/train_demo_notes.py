"""/train-demo's words: the summary line and the "what to notice" hint with next steps.

The hint is computed from the settings and the result, first matching rule wins, and each
rule proposes runs worth trying next (they become "run again with …" buttons).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.demos.datasets import DATASETS
from engine.demos.features import FEATURES
from engine.demos.mlp import MLPConfig
from engine.demos.training import TrainResult

NONLINEAR = ("circle", "xor", "spiral")
SQUARES, SINES = ("x1", "x2", "x1sq", "x2sq"), ("x1", "x2", "sinx1", "sinx2")


@dataclass(frozen=True)
class Suggestion:
    """A next run: a button label and the option changes it makes."""

    label: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class Notice:
    text: str
    suggestions: tuple[Suggestion, ...] = field(default=())


def describe(config: MLPConfig) -> str:
    """`circle · 4,2 tanh`: the dataset and the network, as the pictures title them."""
    if not config.layers:
        return f"{config.dataset} · no hidden layer"
    return f"{config.dataset} · {','.join(map(str, config.layers))} {config.activation}"


def percent(share: float) -> str:
    """`97%`; one decimal where rounding would claim a perfect score: `99.6%`."""
    text = f"{share:.0%}"
    return f"{share:.1%}" if text == "100%" and share < 1 else text


def updates_per_epoch(config: MLPConfig) -> int:
    """Weight updates in one epoch: training points ÷ batch size, rounded up."""
    points = DATASETS[config.dataset].num_samples * config.train_share // 100
    return math.ceil(points / config.batch)


def parameters(result: TrainResult) -> int:
    """Weights and biases of the trained network."""
    return int(sum(p.size for p in result.network.params))


def overfits(config: MLPConfig, result: TrainResult) -> bool:
    """A real gap between training and test: test loss well above training loss (by half
    again and by 0.05 at least), and for classifiers 5 points of accuracy too. Tiny losses
    (0.000 vs 0.027 on clean data) are not overfitting."""
    train, test = float(result.train_loss[-1]), float(result.test_loss[-1])
    if test < 1.5 * train or test - train < 0.05:
        return False
    return config.regression or result.train_accuracy - result.test_accuracy >= 0.05


def _updates(config: MLPConfig, result: TrainResult) -> str:
    per = updates_per_epoch(config)
    return (f"{result.epochs_run * per:,} weight updates: {per} per epoch, one per batch of "
            f"{config.batch} training {'point' if config.batch == 1 else 'points'}")


def summary(config: MLPConfig, result: TrainResult) -> str:
    """The first line of the reply."""
    d, what = result.divergence, describe(config)
    if d is not None and d.kind != "worse":
        return (f"**Training diverged** at epoch {d.epoch} ({what}, lr {config.lr:g}). "
                f"{d.reason} **Fix:** {d.fix} The picture shows the last healthy epoch.")
    if d is not None:
        return f"**Training failed** ({what}, lr {config.lr:g}). {d.reason} **Fix:** {d.fix}"
    epochs, test, train = result.epochs_run, result.test_loss[-1], result.train_loss[-1]
    if config.regression:
        return (f"**{what}**: test loss **{test:.3f}** after {epochs} epochs "
                f"(training loss {train:.3f}; {_updates(config, result)}).")
    return (f"**{what}**: test accuracy **{percent(result.test_accuracy)}** after {epochs} "
            f"epochs (test loss {test:.3f}, training loss {train:.3f}; "
            f"{_updates(config, result)}).")


def dead_links(result: TrainResult) -> int:
    """Links L1 regularisation set to zero for good."""
    return int(sum((~alive[:-1]).sum() for alive in result.network.alive))


def notice(config: MLPConfig, result: TrainResult) -> Notice:
    """What to notice in this run, and what to try next."""
    for rule in RULES:
        found = rule(config, result)
        if found is not None:
            return found
    raise AssertionError("the last rule always answers")


Rule = Callable[[MLPConfig, TrainResult], "Notice | None"]


def _diverged(config: MLPConfig, result: TrainResult) -> Notice | None:
    d = result.divergence
    if d is None:
        return None
    change = ", ".join(f"{k}={v:g}" for k, v in d.suggestion.items())
    why = (
        "Each penalty step shrinks a weight by lr × reg_rate times itself; past 1 it flips "
        "the weight's sign and makes it bigger, so the weights grow without end."
        if "reg_rate" in d.suggestion else
        "Big steps overshoot the bottom of the loss valley and land higher up the other side; "
        "each step makes it worse."
    )
    return Notice(why, (Suggestion(f"Apply the fix: {change}", d.suggestion),))


def _straight_line(config: MLPConfig, result: TrainResult) -> Notice | None:
    if config.layers or config.regression or config.dataset not in NONLINEAR:
        return None
    acc = result.test_accuracy
    if acc >= 0.9:
        extra = [FEATURES[f].label for f in config.features if f not in ("x1", "x2")]
        return Notice(
            f"No hidden layer, yet {percent(acc)}: the features {', '.join(extra)} did the "
            "bending. Good input features can replace hidden layers.",
            (Suggestion("Same with only x1, x2", {"features": ("x1", "x2")}),),
        )
    if result.train_loss[0] > 0.9 and acc < 0.6 and len(config.features) > 2:
        return _saturated(config, result)
    fixes = {
        "xor": (Suggestion("Add a hidden layer of 4", {"layers": (4,), "epochs": 200}),
                Suggestion("Give it x1·x2 instead", {"features": ("x1", "x2", "x1x2")})),
        "circle": (Suggestion("Add x1² and x2²", {"features": SQUARES}),
                   Suggestion("Add a hidden layer of 4", {"layers": (4,)})),
        "spiral": (Suggestion("Add sin features and 8,8", {"features": SINES, "layers": (8, 8)}),),
    }[config.dataset]
    return Notice(
        f"With no hidden layer the network can only draw one straight line, so on "
        f"{config.dataset} it stays near chance: {percent(acc)}.",
        fixes,
    )


def _saturated(config: MLPConfig, result: TrainResult) -> Notice | None:
    if config.regression or result.train_loss[0] <= 0.9 or result.test_accuracy >= 0.6:
        return None
    return Notice(
        "The output started saturated (every point the same colour), where tanh is flat: "
        "its gradient is almost zero, so the weights barely move. Another seed starts elsewhere.",
        (Suggestion("Try another seed", {"seed": None}),),
    )


def _linear_stack(config: MLPConfig, result: TrainResult) -> Notice | None:
    if (config.activation != "linear" or not config.layers or config.regression
            or config.dataset not in NONLINEAR or result.test_accuracy >= 0.8):
        return None
    return Notice(
        "With linear activations, stacked layers still draw one straight line: a chain of "
        "linear maps is a single linear map. The bend comes from the activation.",
        (Suggestion("Use tanh", {"activation": "tanh"}),
         Suggestion("Use relu", {"activation": "relu"})),
    )


def _spiral(config: MLPConfig, result: TrainResult) -> Notice | None:
    if config.dataset != "spiral" or result.test_accuracy >= 0.85:
        return None
    return Notice(
        f"Spirals need many bends: {percent(result.test_accuracy)} here. Give the network "
        "sin features, or depth and more epochs.",
        (Suggestion("sin features, 8,8", {"features": SINES, "layers": (8, 8)}),
         Suggestion("8,8,8,8 relu, 300 epochs",
                    {"layers": (8, 8, 8, 8), "activation": "relu", "epochs": 300})),
    )


def _separable(config: MLPConfig, result: TrainResult) -> Notice | None:
    if config.dataset != "gauss" or result.test_accuracy < 0.9:
        return None
    if not config.layers:
        more = min(50, config.noise + 30)
        return Notice(
            "Two clouds can be split by one straight line, so even a network with no hidden "
            "layer does it." + (" Noise makes them overlap." if more > config.noise else ""),
            (Suggestion(f"Raise noise to {more}", {"noise": more}),) if more > config.noise
            else (Suggestion("Without noise", {"noise": 0}),),
        )
    return Notice(
        "Two clouds can be split by one straight line: hidden layers are not needed here.",
        (Suggestion("Without hidden layers", {"layers": ()}),),
    )


def _slow(config: MLPConfig, result: TrainResult) -> Notice | None:
    if config.lr >= 0.01 or result.train_loss[-1] < 0.8 * result.train_loss[0]:
        return None
    return Notice(
        f"With lr {config.lr:g} each step is tiny: the loss barely moved in "
        f"{result.epochs_run} epochs.",
        (Suggestion("lr 0.03", {"lr": 0.03}),),
    )


def _overfit(config: MLPConfig, result: TrainResult) -> Notice | None:
    if not overfits(config, result):
        return None
    train, test = result.train_loss[-1], result.test_loss[-1]
    n = len(result.data.y_train)
    scores = ("" if config.regression else
              f" (accuracy {percent(result.train_accuracy)} on training points, "
              f"{percent(result.test_accuracy)} on test points)")
    return Notice(
        f"Training loss {train:.3f} but test loss {test:.3f}{scores}: the network learned its "
        f"{n} training points, noise included, better than the pattern (overfitting). More "
        "data or a penalty on large weights helps; more depth and epochs would not.",
        (Suggestion("More training data", {"train_share": max(config.train_share, 80)}),
         Suggestion("Add L2 0.01", {"regularization": "l2", "reg_rate": 0.01})),
    )


def _l1(config: MLPConfig, result: TrainResult) -> Notice | None:
    if config.regularization != "l1" or not config.reg_rate:
        return None
    total = sum(w.size for w in result.network.weights)
    return Notice(
        f"L1 cut {dead_links(result)} of {total} links to exactly zero (the faint ones): it "
        "keeps only the connections the network really needs.",
    )


def _regression(config: MLPConfig, result: TrainResult) -> Notice | None:
    if not config.regression:
        return None
    other = "reg-gauss" if config.dataset == "reg-plane" else "reg-plane"
    return Notice(
        "Regression: the colour is the predicted number (orange −1, grey 0, blue +1) and the "
        "loss is the mean of ½(prediction − target)².",
        (Suggestion(f"Try {other}", {"dataset": other}),),
    )


def _default(config: MLPConfig, result: TrainResult) -> Notice:
    acc = result.test_accuracy
    if acc is not None and acc >= 0.9 and config.layers:
        return Notice(
            "Each hidden neuron draws one simple boundary (its tile); the next layer combines "
            "them into the curved boundary at the output.",
            (Suggestion("Without hidden layers", {"layers": ()}),
             Suggestion("Compare relu and tanh", {"compare": ("activation", ("relu", "tanh"))})),
        )
    epochs = min(1000, config.epochs * 3)
    return Notice(
        f"{percent(acc) if acc is not None else 'This'} after {result.epochs_run} epochs: "
        "more epochs or another learning rate may help.",
        (Suggestion(f"{epochs} epochs", {"epochs": epochs}),),
    )


# First match wins. Overfitting comes before the spiral rule: a spiral that fits its training
# points far better than its test points needs more data or a penalty, not more depth.
RULES: tuple[Rule, ...] = (
    _diverged, _separable, _straight_line, _saturated, _linear_stack, _overfit, _spiral, _slow,
    _l1, _regression, _default,
)

