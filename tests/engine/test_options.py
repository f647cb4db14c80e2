"""Each option type reads text, checks typed values and explains what is allowed."""

import pytest

from engine.commands.options import (
    BoolOption,
    ChoiceListOption,
    ChoiceOption,
    FloatOption,
    IntListOption,
    IntOption,
    TextArg,
)
from engine.domain.errors import BadOption

ACTIVATION = ChoiceOption("activation", "how neurons fire", "tanh",
                          choices=("relu", "tanh", "sigmoid", "linear"))
LAYERS = IntListOption("layers", "hidden layers", (4, 2), min_items=0, max_items=6,
                       item_min=1, item_max=8, empty_words=("0", "none"))
NOISE = IntOption("noise", "noise", 0, min=0, max=50)
LR = FloatOption("lr", "learning rate", 0.03, min=0.00001, max=10)


def message(option, raw) -> str:
    with pytest.raises(BadOption) as err:
        option.parse(raw)
    return err.value.user_message


def test_choice_suggests_the_closest_name():
    assert message(ACTIVATION, "tahn") == (
        "`activation` must be one of relu, tanh, sigmoid, linear; got 'tahn' (did you mean tanh?)")
    assert ACTIVATION.parse("ReLU") == "relu"


def test_int_range_and_type_errors_state_the_limits():
    assert message(NOISE, "-5") == "`noise` must be a whole number from 0 to 50; got '-5'"
    assert "whole number from 0 to 50" in message(NOISE, "abc")
    assert "got '1.5'" in message(NOISE, "1.5")
    assert NOISE.parse("7") == 7
    with pytest.raises(BadOption):
        NOISE.check(True)


def test_float_rejects_non_finite_and_out_of_range():
    assert LR.parse("3e-2") == pytest.approx(0.03)
    for bad in ("nan", "inf", "11", "0", "x"):
        assert "a number from 1e-05 to 10" in message(LR, bad)


def test_int_list_reads_lists_and_explains_each_mistake():
    assert LAYERS.parse("4,2") == (4, 2)
    assert LAYERS.parse("0") == ()
    assert LAYERS.format(()) == "0"
    assert "empty item" in message(LAYERS, "4,,2")
    assert "9 is out of range" in message(LAYERS, "9")
    assert "7 items" in message(LAYERS, "1,1,1,1,1,1,1")
    assert "each from 1 to 8" in message(LAYERS, "a,b")


def test_choice_list_rejects_unknown_and_repeated_items():
    features = ChoiceListOption("features", "inputs", ("x1", "x2"),
                                choices=("x1", "x2", "x1sq", "x2sq"))
    assert features.parse("x1,x2sq") == ("x1", "x2sq")
    assert "(did you mean x1sq?)" in message(features, "x1,x1sqq")
    assert "appears twice" in message(features, "x1,x1")


def test_bool_words():
    flag = BoolOption("animate", "make a GIF")
    assert flag.parse("yes") is True and flag.parse("OFF") is False
    assert "yes or no" in message(flag, "maybe")


def test_text_arg_refuses_empty_and_oversized_text_with_the_limit():
    arg = TextArg("text", "the text to split", max_len=4000)
    with pytest.raises(BadOption, match="needs text"):
        arg.check("tokenize", "   ")
    with pytest.raises(BadOption, match="100,000 characters long; `/tokenize` takes at most 4,000"):
        arg.check("tokenize", "x" * 100_000)
    assert arg.check("tokenize", "  hi  ") == "hi"
