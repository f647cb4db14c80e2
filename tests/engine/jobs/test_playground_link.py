"""/train-demo -> TensorFlow Playground link: every property the Playground's URL hash has
(its src/state.ts, State.PROPS), read back the way the Playground reads it."""

from urllib.parse import urlsplit

import pytest

from engine.commands import COMMANDS
from engine.commands.parsing import build, parse
from engine.jobs.playground_link import PLAYGROUND, options_from_url, playground_url

# tensorflow/playground src/state.ts: State.PROPS (name, type) and the key maps of its
# object-typed properties, as the Playground deserialises them (State.deserializeState).
PROPS = {
    "activation": "object", "regularization": "object", "batchSize": "number",
    "dataset": "object", "regDataset": "object", "learningRate": "number",
    "regularizationRate": "number", "noise": "number", "networkShape": "array_number",
    "seed": "string", "showTestData": "boolean", "discretize": "boolean",
    "percTrainData": "number", "x": "boolean", "y": "boolean", "xTimesY": "boolean",
    "xSquared": "boolean", "ySquared": "boolean", "cosX": "boolean", "sinX": "boolean",
    "cosY": "boolean", "sinY": "boolean", "collectStats": "boolean", "tutorial": "string",
    "problem": "object", "initZero": "boolean", "hideText": "boolean",
}
KEY_MAPS = {
    "activation": {"relu", "tanh", "sigmoid", "linear"},
    "regularization": {"none", "L1", "L2"},
    "dataset": {"circle", "xor", "gauss", "spiral"},
    "regDataset": {"reg-plane", "reg-gauss"},
    "problem": {"classification", "regression"},
}
NOT_IN_THE_DEMO = {"tutorial"}  # a Playground tutorial page: nothing to carry over


def deserialize(url: str) -> dict:
    """The Playground's State.deserializeState, in Python: the state a link opens."""
    assert url.startswith(PLAYGROUND + "#")
    pairs = dict(kv.split("=", 1) for kv in urlsplit(url).fragment.split("&"))
    state = {}
    for name, kind in PROPS.items():
        if name not in pairs or (kind != "array_number" and not pairs[name].strip()):
            continue
        value = pairs[name]
        if kind == "object":
            assert value in KEY_MAPS[name], (name, value)  # else the Playground ignores it
            state[name] = value
        elif kind == "number":
            state[name] = float(value)
        elif kind == "boolean":
            state[name] = value != "false"
        elif kind == "array_number":
            state[name] = [int(v) for v in value.split(",")] if value.strip() else []
        else:
            state[name] = value
    return state


@pytest.mark.parametrize("line", [
    "/train-demo seed=7",
    "/train-demo dataset=spiral features=x1,x2,sinx1,sinx2 layers=8,8 activation=relu "
    "lr=0.01 batch=5 regularization=l2 reg_rate=0.003 noise=25 train_share=70 show_test=yes "
    "seed=42",
    "/train-demo dataset=reg-gauss layers=0 features=x1sq,x2sq,x1x2 activation=linear seed=1",
])
def test_every_playground_property_is_in_the_link_and_means_the_demo_settings(line):
    request = parse(line)
    state = deserialize(playground_url(request))
    assert set(state) == set(PROPS) - NOT_IN_THE_DEMO  # every property the Playground has
    regression = request["dataset"].startswith("reg-")
    assert state["problem"] == ("regression" if regression else "classification")
    assert state["regDataset" if regression else "dataset"] == request["dataset"]
    assert state["activation"] == request["activation"]
    assert state["regularization"] == {"none": "none", "l1": "L1", "l2": "L2"}[
        request["regularization"]]
    assert state["learningRate"] == pytest.approx(request["lr"])
    assert state["regularizationRate"] == pytest.approx(request["reg_rate"])
    assert state["batchSize"] == request["batch"] and state["noise"] == request["noise"]
    assert state["percTrainData"] == request["train_share"]
    assert state["networkShape"] == list(request["layers"])
    assert state["seed"] == str(request["seed"])
    assert state["showTestData"] is request["show_test"]
    inputs = {"x": "x1", "y": "x2", "xTimesY": "x1x2", "xSquared": "x1sq",
              "ySquared": "x2sq", "sinX": "sinx1", "sinY": "sinx2"}
    assert {ours for prop, ours in inputs.items() if state[prop]} == set(request["features"])
    assert not any(state[p] for p in ("cosX", "cosY", "discretize", "collectStats",
                                      "initZero", "hideText"))


@pytest.mark.parametrize("line", [
    "/train-demo seed=3",
    "/train-demo dataset=xor layers=0 features=x1x2 lr=0.3 batch=1 seed=9",
    "/train-demo dataset=reg-plane noise=10 train_share=30 regularization=l1 reg_rate=0.01 "
    "activation=sigmoid layers=2,3,2 seed=11 show_test=yes",
])
def test_a_link_reads_back_to_the_same_settings(line):
    request = parse(line)
    again = build("train-demo", options_from_url(playground_url(request)))
    mapped = set(COMMANDS["train-demo"].option_names) - {
        "epochs", "animate", "compare", "model", "seconds"}  # the Playground has none of these
    assert {k: again[k] for k in mapped} == {k: request[k] for k in mapped}


def test_the_link_fits_a_discord_link_button():
    request = parse("/train-demo dataset=spiral features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2 "
                    "layers=8,8,8,8,8,8 lr=0.00001 reg_rate=0.001 regularization=l2 "
                    "seed=2147483647")
    assert len(playground_url(request)) <= 512  # Discord's limit for a link button's url
