"""Commands as structures: the engine's text syntax round-trips, markers render per syntax,
long free text is shortened with every option kept, Playground spellings are accepted."""

import pytest

from engine.commands import LINE
from engine.commands.parsing import parse
from engine.domain.errors import BadOption
from engine.domain.replies import Invocation, cmd, render_invocations


@pytest.mark.parametrize("line", [
    "/next-token The cat sat on the seed=5754",
    "/tokenize naïve café `quoted` 🙂 tokenizers=cl100k_base,utf8-bytes",
    "/train-demo dataset=xor layers=0 seed=4 compare=activation:relu,linear",
    "/settings timezone=Europe/Warsaw reminders=yes reminder_time=08:30",
])
def test_the_text_syntax_reads_back_to_the_same_request(line):
    request = parse(line)
    assert parse(LINE.invocation(request.invocation())) == request
    assert request.canonical() == LINE.invocation(request.invocation())


def test_markers_survive_any_text_and_render_in_the_given_syntax():
    class Colons:
        def invocation(self, inv):
            return " ".join([f"/{inv.command}", *(f"{k}:{v}" for k, v in inv.options)])

    tricky = Invocation("settings", (("timezone", "Europe/Warsaw\ue001"),))
    text = f"Try `{cmd('settings', timezone='Europe/Warsaw')}` or {tricky.mark()}."
    assert render_invocations(text, Colons()) == (
        "Try `/settings timezone:Europe/Warsaw` or /settings timezone:Europe/Warsaw\ue001.")
    assert render_invocations(text, LINE).startswith("Try `/settings timezone=Europe/Warsaw`")


def test_a_long_text_is_shortened_with_the_seed_and_options_kept():
    request = parse("/next-token " + "word " * 300 + "temperature=1.2 seed=77")
    short = request.invocation().clipped(200)
    line = LINE.invocation(short)
    assert line.endswith("… temperature=1.2 seed=77") and len(short.text) == 200


@pytest.mark.parametrize("spelling", ["sin_x1", "sin(x1)", "SIN(X1)", "sinX", "sinx1"])
def test_the_playgrounds_feature_spellings_are_aliases(spelling):
    request = parse(f"/train-demo features=x1,{spelling}")
    assert request["features"] == ("x1", "sinx1")
    assert parse("/train-demo features=x,y,xSquared,x1*x2")["features"] == (
        "x1", "x2", "x1sq", "x1x2")


def test_an_alias_of_a_feature_already_given_is_a_duplicate():
    with pytest.raises(BadOption, match="appears twice"):
        parse("/train-demo features=sinx1,sin(x1)")
