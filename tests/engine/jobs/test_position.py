"""/position: the sinusoidal table with the learner's tokens, three schemes explained."""

import pytest

from engine.commands.parsing import parse
from engine.domain.errors import BadOption
from engine.domain.replies import no_progress
from engine.jobs import position


def answer(line):
    return position.run(parse(line), no_progress)


def test_tokens_are_marked_and_every_scheme_is_explained():
    reply = answer("/position My name is Pawel")
    assert reply.facts["tokens"] == ["My", "␣name", "␣is", "␣Paw", "el"]
    assert reply.facts["positions"] >= 5 and reply.facts["dims"] == 64
    for word in ("learned", "sinusoidal", "rotary", "GPT-2", "RoPE"):
        assert word in reply.text
    scores = reply.facts["rope_scores"]
    assert max(scores) - min(scores) < 1e-9
    assert reply.images[0].data == answer("/position My name is Pawel").images[0].data


def test_without_text_and_with_long_text():
    assert answer("/position").facts["tokens"] == []
    long = answer("/position " + "word " * 100)
    assert len(long.facts["tokens"]) == 64 and "I marked the first 64" in long.text


def test_odd_dims_are_refused_with_the_reason():
    with pytest.raises(BadOption, match="even"):
        answer("/position hi dims=63")
    assert answer("/position hi dims=128").facts["dims"] == 128


def test_rope_facts_show_that_only_the_distance_matters():
    facts = answer("/position The dog bit the man").facts
    assert facts["rope_spread"] < 1e-9
    assert facts["rope_far_score"] < facts["rope_scores"][0]  # 9 apart scores lower than 3
