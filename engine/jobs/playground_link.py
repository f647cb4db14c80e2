"""/train-demo settings <-> a TensorFlow Playground link, so a learner can keep playing there.

The Playground keeps its whole state in the URL hash (its ``src/state.ts``: ``State.PROPS``
serialised as ``name=value`` pairs joined by ``&``; objects by their key in a key map,
arrays comma-joined, booleans ``true``/``false``). Every property is written, so the link
opens exactly these settings whatever the Playground's defaults. What the Playground has
and the demo does not (cos features, discretized output, the tutorial) is written as off;
what the demo has and the Playground does not (epochs: it trains until paused; animation;
comparisons) is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from engine.commands import Request

PLAYGROUND = "https://playground.tensorflow.org/"
CLASSIFICATION_DEFAULT, REGRESSION_DEFAULT = "circle", "reg-plane"  # the Playground's own
REGULARIZATIONS = {"none": "none", "l1": "L1", "l2": "L2"}
#: our feature name -> the Playground's boolean property of that input
FEATURE_PROPS = {"x1": "x", "x2": "y", "x1x2": "xTimesY", "x1sq": "xSquared",
                 "x2sq": "ySquared", "sinx1": "sinX", "sinx2": "sinY"}
PLAYGROUND_ONLY_OFF = ("cosX", "cosY", "discretize", "collectStats", "initZero", "hideText")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _number(value: float) -> str:
    return f"{value:g}"


def playground_state(request: Request) -> dict[str, str]:
    """The Playground's hash properties (in ``State.PROPS`` order) for a /train-demo
    request with model=mlp."""
    dataset = request["dataset"]
    regression = dataset.startswith("reg-")
    features = set(request["features"])
    state = {
        "activation": request["activation"],
        "regularization": REGULARIZATIONS[request["regularization"]],
        "batchSize": str(request["batch"]),
        "dataset": CLASSIFICATION_DEFAULT if regression else dataset,
        "regDataset": dataset if regression else REGRESSION_DEFAULT,
        "learningRate": _number(request["lr"]),
        "regularizationRate": _number(request["reg_rate"]),
        "noise": str(request["noise"]),
        "networkShape": ",".join(str(n) for n in request["layers"]),
        "seed": str(request["seed"]) if request.options.get("seed") is not None else "",
        "showTestData": _flag(request["show_test"]),
        "discretize": "false",
        "percTrainData": str(request["train_share"]),
        **{prop: _flag(name in features) for name, prop in FEATURE_PROPS.items()},
        "cosX": "false",
        "cosY": "false",
        "collectStats": "false",
        "problem": "regression" if regression else "classification",
        "initZero": "false",
        "hideText": "false",
    }
    return {k: v for k, v in state.items() if v != "" or k == "networkShape"}


def playground_url(request: Request) -> str:
    """``https://playground.tensorflow.org/#activation=tanh&...`` for the request."""
    state = playground_state(request)
    return PLAYGROUND + "#" + "&".join(f"{k}={v}" for k, v in state.items())


def options_from_url(url: str) -> dict[str, Any]:
    """A Playground link -> /train-demo option values as text (``engine.parsing.build``
    validates them), the inverse of ``playground_url`` for everything both have."""
    state: Mapping[str, str] = dict(pair.split("=", 1) for pair in urlsplit(url).fragment
                                    .split("&") if "=" in pair)
    regression = state.get("problem") == "regression"
    dataset = state.get("regDataset" if regression else "dataset")
    back = {v: k for k, v in REGULARIZATIONS.items()}
    options: dict[str, Any] = {
        "dataset": dataset, "activation": state.get("activation"),
        "regularization": back.get(state.get("regularization", "none")),
        "batch": state.get("batchSize"), "lr": state.get("learningRate"),
        "reg_rate": state.get("regularizationRate"), "noise": state.get("noise"),
        "train_share": state.get("percTrainData"), "seed": state.get("seed"),
        "show_test": state.get("showTestData"),
    }
    if "networkShape" in state:
        options["layers"] = state["networkShape"] or "0"
    chosen = [name for name, prop in FEATURE_PROPS.items() if state.get(prop) == "true"]
    if chosen:
        options["features"] = ",".join(chosen)
    return {k: v for k, v in options.items() if v is not None}
