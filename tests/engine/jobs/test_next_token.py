"""/next-token end to end inside one process: parse -> job -> Reply with picture and facts."""

import pytest

from engine.commands import LINE
from engine.commands.parsing import parse
from engine.demos.tiny_gpt import next_token_distribution, sample_many
from engine.domain.errors import BadOption
from engine.domain.replies import no_progress
from engine.jobs import next_token
from engine.plots.text_glyphs import one_line

PNG = b"\x89PNG\r\n\x1a\n"


def answer(line: str):
    return next_token.run(parse(line), no_progress)


def test_three_temperatures_with_samples_a_picture_and_facts():
    reply = answer("/next-token The cat sat on th seed=3")
    assert LINE.invocation(reply.command) == "/next-token The cat sat on th seed=3"
    (image,) = reply.images
    assert image.data.startswith(PNG) and len(image.data) < 300_000
    facts = reply.facts
    assert list(facts["by_temperature"]) == ["0.2", "0.8", "1.5"]
    assert facts["temperature"] == 0.8 and facts["top_tokens"][0][0] == "e"
    dist = next_token_distribution("The cat sat on th", 0.8)
    assert facts["top_tokens"] == [[c, round(p, 4)] for c, p in dist.top(8)]
    samples = sample_many("The cat sat on th", 60, [0.2, 0.8, 1.5], None, 3)
    for panel, text in zip(facts["by_temperature"].values(), samples, strict=True):
        assert panel["sample"] == text
        assert one_line(text) in reply.text
    cold, hot = facts["by_temperature"]["0.2"]["top"][0][1], facts["by_temperature"]["1.5"]["top"][0][1]
    assert cold > hot
    assert "Temperature" in reply.text and "`e`" in reply.text
    assert reply.buttons[0].id == "run:/next-token The cat sat on th seed=4"


def test_same_request_same_picture_bytes():
    a, b = answer("/next-token Tokens seed=9"), answer("/next-token Tokens seed=9")
    assert a.images[0].data == b.images[0].data and a.text == b.text


def test_the_learners_own_temperature_and_top_k_are_added():
    facts = answer("/next-token A neural network temperature=1.2 top_k=3 seed=1").facts
    assert list(facts["by_temperature"]) == ["0.2", "0.8", "1.2", "1.5"]
    assert all(len(p["top"]) <= 3 for p in facts["by_temperature"].values())
    assert sum(p for _, p in facts["top_tokens"]) == pytest.approx(1.0, abs=1e-3)


def test_temperature_zero_is_greedy():
    facts = answer("/next-token The model temperature=0 seed=5").facts
    assert facts["top_tokens"][0][1] == 1.0
    greedy = sample_many("The model", 60, [0.0], None, 99)[0]  # the seed does not matter
    assert facts["by_temperature"]["0"]["sample"] == greedy


@pytest.mark.parametrize(("text", "note"), [
    ("\U0001f600" * 3000, "'\U0001f600' \u2192 '?'"),
    ("caf\u00e9 \u201cquotes\u201d", "'\u00e9' \u2192 'e'"),
    ("\x00\x01\x02", "None of your characters"),
    ("word " * 200, "saw only the end"),
])
def test_awkward_text_gets_an_answer_with_a_plain_note(text, note):
    reply = answer(f"/next-token {text} seed=1")
    assert note in reply.text
    assert reply.images[0].data.startswith(PNG)


@pytest.mark.parametrize(("line", "message"), [
    ("/next-token", "needs text"),
    ("/next-token hi temperature=3", "`temperature` must be a number from 0 to 2"),
    ("/next-token hi top_k=0", "`top_k` must be a whole number from 1 to 50"),
    ("/next-token hi temprature=1", "did you mean temperature"),
])
def test_bad_options_are_named(line, message):
    with pytest.raises(BadOption, match=message):
        parse(line)
