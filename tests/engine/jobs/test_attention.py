"""/attention: real MiniLM weights, views, patterns in the text, cutting, bad input, tiny-gpt wiring."""

import sys
import types

import numpy as np
import pytest

from engine.commands.parsing import build, parse
from engine.domain.errors import BadInput, BadOption
from engine.domain.replies import no_progress
from engine.jobs import attention

PNG = b"\x89PNG\r\n\x1a\n"
CAT = "The cat sat on the mat because it was tired."


def answer(line):
    return attention.run(parse(line), no_progress)


def test_default_shows_the_clearest_head_found_in_the_weights():
    reply = answer(f"/attention {CAT}")
    facts = reply.facts
    assert (facts["layer"], facts["head"], facts["pattern"]) == (1, 3, "previous")
    assert "layer 1 head 3 mostly attends to the previous token" in reply.text
    assert "most heads in layer" in reply.text
    assert facts["max_abs_error"] < 1e-5
    assert facts["tokens"][:3] == ["[CLS]", "the", "cat"]
    assert reply.images[0].data.startswith(PNG)
    assert {b.label for b in reply.buttons} == {"Every head", "As lines"}


@pytest.mark.parametrize("view", ["head", "grid", "lines"])
def test_each_view_draws_a_picture_deterministically(view):
    line = f"/attention {CAT} layer=2 head=9 view={view}"
    first, second = answer(line), answer(line)
    assert first.images[0].data.startswith(PNG)
    assert first.images[0].data == second.images[0].data
    assert first.images[0].name == f"attention-{view}.png"


def test_a_chosen_layer_without_head_picks_that_layers_clearest_head():
    reply = answer(f"/attention {CAT} layer=2")
    assert reply.facts["layer"] == 2
    assert reply.facts["pattern"] != "mixed"


def test_long_text_is_cut_with_a_note_not_refused():
    reply = answer("/attention " + "word " * 200)
    assert len(reply.facts["tokens"]) == 64 and reply.facts["truncated"]
    assert "Your text has 202 tokens" in reply.text and "first 64" in reply.text


@pytest.mark.parametrize("text", ["👍" * 3000, "Hello\x07 world\x00!", "﷽ 文字 𝔘𝔫𝔦"])
def test_odd_text_gets_an_answer(text):
    reply = attention.run(build("attention", {}, text), no_progress)
    assert reply.images[0].data.startswith(PNG)


def test_text_without_any_word_gets_a_clear_message():
    with pytest.raises(BadInput, match="no words"):
        attention.run(build("attention", {}, "\x07\x08"), no_progress)


def fake_tiny_gpt(length=5, layers=2, heads=2):
    """A stand-in decoder: causal attention where every token looks at the previous one."""
    weights = np.zeros((layers, heads, length, length))
    weights[..., 0, 0] = 1.0
    for i in range(1, length):
        weights[..., i, i - 1] = 1.0

    def tiny_gpt_attention(text, max_tokens=None):
        if not text:
            raise ValueError("there is no text to attend over")
        n = min(len(text), length, max_tokens or length)
        return list(text[:n]), weights[..., :n, :n]

    return types.SimpleNamespace(tiny_gpt_attention=tiny_gpt_attention)


def test_tiny_gpt_attention_goes_through_the_same_analysis(monkeypatch):
    monkeypatch.setitem(sys.modules, "engine.demos.tiny_gpt", fake_tiny_gpt())
    reply = answer("/attention he lo model=tiny-gpt view=grid")
    assert reply.facts["model"] == "tiny-gpt"
    assert reply.facts["tokens"] == ["h", "e", "␣", "l", "o"]
    assert reply.facts["patterns"] == [["previous", "previous"], ["previous", "previous"]]
    assert reply.facts["max_abs_error"] is None
    with pytest.raises(BadOption, match="from 1 to 2 for this model"):
        answer("/attention hello model=tiny-gpt layer=5")


def test_the_real_tiny_gpt_is_causal_and_analysed_like_minilm():
    reply = answer("/attention The cat sat on the mat model=tiny-gpt view=grid")
    facts = reply.facts
    assert facts["model"] == "tiny-gpt" and facts["tokens"][:4] == ["T", "h", "e", "␣"]
    assert all("next" not in row for row in facts["patterns"])  # impossible under a causal mask
    assert "causal mask" in reply.text
    assert reply.images[0].data.startswith(PNG)


def test_chat_text_shows_cjk_and_emoji_as_themselves():
    reply = answer("/attention 文字 文字 文字 文字")
    assert "Strongest links" in reply.text and "'文'" in reply.text
    assert "<U+" not in reply.text  # code points only where the picture's font lacks a glyph


def test_the_chosen_heads_strongest_links_are_facts_as_the_text_names_them():
    reply = answer("/attention The animal didn't cross the street because it was too tired "
                   "layer=4 head=2 view=lines")
    links = reply.facts["links"]
    assert [link[:2] for link in links][0] == ["it", "animal"]
    assert len(links) == 3 and all(0 < w <= 1 for _, _, w in links)
    assert f"'it' → 'animal' ({links[0][2]:.2f})" in reply.text
    assert not {t for link in links for t in link[:2]} & attention.SPECIALS
