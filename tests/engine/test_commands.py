"""The command table and its parser: validated requests, clear errors, never a crash."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import commands
from engine.commands import LINE, Command, Request
from engine.commands.options import ChoiceOption, IntListOption, IntOption, TextArg
from engine.commands.parsing import TABLE
from engine.domain.errors import BadInput, BadOption, TutorError, UnknownCommand
from engine.domain.replies import render_invocations
from engine.services.tutor import Tutor, command_help

DEMO = Command(
    "demo-test", "A command used only by these tests",
    options=(ChoiceOption("activation", "a", "tanh", choices=("relu", "tanh", "sigmoid", "linear")),
             IntListOption("layers", "l", (4, 2), max_items=6, item_min=1, item_max=8),
             IntOption("noise", "n", 0, min=0, max=50), commands.SEED),
    heavy=True)
TEXTY = Command("texty-test", "A text command used only by these tests",
                options=(IntOption("layer", "l", 1, min=1, max=6),),
                text=TextArg("text", "some text", max_len=50))


# the real table plus two test-only commands (the parser is what is tested)
TEST_TABLE = TABLE.with_commands(DEMO, TEXTY)
parse, parse_args, build = TEST_TABLE.parse, TEST_TABLE.parse_args, TEST_TABLE.build


def test_slack_style_text_becomes_a_validated_request_with_defaults():
    request = parse("/demo-test activation=relu layers=4,4 noise=5")
    assert request == Request("demo-test", {"activation": "relu", "layers": (4, 4), "noise": 5,
                                            "seed": None})


def test_free_text_keeps_its_inner_spacing_and_options_may_lead_or_trail():
    request = parse("/texty-test layer=2 the  cat\tsat")
    assert request.text == "the  cat\tsat" and request["layer"] == 2
    assert parse("/texty-test the cat layer=3")["layer"] == 3
    assert parse("/texty-test a=b c").text == "a=b c"  # not an option name: it is text


def test_errors_name_option_value_and_what_is_allowed():
    cases = {
        "/demo-test activation=tahn": "(did you mean tanh?)",
        "/demo-test layers=4,,2": "empty item",
        "/demo-test layers=9": "9 is out of range",
        "/demo-test noise=-5": "from 0 to 50; got '-5'",
        "/demo-test noise=lots": "whole number",
        "/demo-test activaton=relu": "has no option `activaton` (did you mean activation?)",
        "/demo-test relu": "takes options as name=value",
        "/demo-test noise=1 noise=2": "given twice",
        "/texty-test hello layr=2": "(did you mean layer?)",
        "/tokenise hi": "(did you mean tokenize?)",
        "/tokenize": "needs text",
        "hello": "Commands start with `/`",
        "": "Type a command",
    }
    for line, expected in cases.items():
        with pytest.raises(BadInput) as err:
            parse(line)
        assert expected in err.value.user_message, (line, err.value.user_message)


def test_unknown_command_lists_the_real_ones():
    with pytest.raises(UnknownCommand, match="/help"):
        parse("/frobnicate")


def test_canonical_reproduces_the_request_and_includes_the_seed():
    request = parse("/demo-test layers=3 seed=42")
    assert request.canonical(DEMO) == "/demo-test layers=3 seed=42"
    assert parse(request.canonical(DEMO)) == request
    assert parse_args("demo-test", "noise=3") == parse("/demo-test noise=3")


def test_typed_values_from_discord_are_checked_by_the_same_options():
    assert build("demo-test", {"layers": "2,2", "noise": 3})["layers"] == (2, 2)
    with pytest.raises(BadOption, match="from 0 to 50"):
        build("demo-test", {"noise": 99})


def test_help_is_generated_from_the_table():
    text = render_invocations(command_help("demo-test", TEST_TABLE), LINE)  # Slack's syntax
    assert "Usage: `/demo-test [activation=tanh] [layers=4,2] [noise=0] [seed=…]`" in text
    assert "`activation`: a — one of relu, tanh, sigmoid, linear; default tanh" in text
    assert "no command" in command_help("nope", TEST_TABLE)


def test_every_command_in_the_table_has_a_use_case():
    tutor = Tutor(None, None)  # type: ignore[arg-type]  # no storage or workers needed
    assert set(tutor.handlers) == set(commands.COMMANDS)
    assert all(callable(handler) for handler in tutor.handlers.values())


def test_a_table_with_a_command_the_tutor_cannot_run_is_refused_at_start():
    with pytest.raises(ValueError, match="without a handler: demo-test, texty-test"):
        Tutor(None, None, commands=TEST_TABLE)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises_anything_but_a_tutor_error(line):
    for candidate in (line, "/" + line, "/demo-test " + line, "/texty-test " + line):
        try:
            request = parse(candidate)
        except TutorError as err:
            assert err.user_message
        else:
            assert parse(request.canonical(TEST_TABLE[request.command])) == request


def test_a_text_with_choices_takes_only_those_words_and_suggests_the_closest():
    assert parse("/quiz-schedule PAUSE").text == "pause"
    with pytest.raises(BadOption, match=r"takes one of show, set, pause, resume, remove; "
                                        r"got 'pasue' \(did you mean pause\?\)"):
        parse("/quiz-schedule pasue")
