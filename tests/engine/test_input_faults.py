"""Bad input from an attacker's keyboard: refusals stay short, and any whitespace after the
command name separates it from the text (issue 15, "Input")."""

import pytest

from engine import commands as table
from engine.commands.parsing import TABLE
from engine.domain.errors import ECHO_MAX, BadInput, shown


@pytest.mark.parametrize("line", [
    "/train-demo layers=" + ",".join(["4"] * 10_001),
    "/train-demo dataset=" + "x" * 20_000,
    "/train-demo activation=" + "y" * 20_000,
    "/train-demo features=" + "z" * 20_000,
    "/train-demo lr=" + "9" * 20_000,
    "/" + "q" * 20_000,
    "/train-demo compare=" + "c" * 20_000 + ":1,2",
    "/tokenize " + "t" * 20_000,
])
def test_a_refusal_echoes_at_most_80_characters_of_the_bad_value(line):
    with pytest.raises(BadInput) as refused:
        TABLE.parse(line)
    message = refused.value.user_message
    assert len(message) < 600, message[:300]
    longest = max(len(run) for run in message.replace("'", " ").replace("`", " ").split())
    assert longest <= ECHO_MAX + 20, message[:300]


def test_help_for_a_huge_unknown_name_stays_short():
    from engine.services.tutor import command_help

    assert len(command_help("w" * 20_000)) < 600


def test_shown_keeps_short_values_and_says_how_long_a_cut_one_was():
    assert shown("tanh") == "tanh"
    cut = shown("x" * 10_000)
    assert cut.startswith("x" * (ECHO_MAX - 1) + "…") and "10,000 characters" in cut


@pytest.mark.parametrize("sep", ["\t", "\n", "\r\n", " \t", "\u00a0"])
def test_any_whitespace_after_the_command_name_separates_it(sep):
    request = TABLE.parse(f"/tokenize{sep}hello world")
    assert request.command == "tokenize"
    assert request.text == "hello world"


def test_a_newline_separated_command_keeps_its_options():
    request = TABLE.parse("/train-demo\ndataset=xor\tepochs=50")
    assert request.command == "train-demo"
    assert request["dataset"] == "xor" and request["epochs"] == 50
    assert "train-demo" in table.COMMANDS
