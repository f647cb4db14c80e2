"""/tokenize compares tokenizers in one picture and keeps the cl100k contract."""

import pytest

from engine.commands import LINE
from engine.commands.parsing import build, parse
from engine.domain.replies import no_progress
from engine.jobs import tokenize
from engine.plots.tokens import MAX_CHIPS

PNG = b"\x89PNG\r\n\x1a\n"


def answer(line):
    return tokenize.run(parse(line), no_progress)


def test_my_name_is_pawel_keeps_the_cl100k_contract_and_adds_wordpiece():
    reply = answer("/tokenize My name is Pawel")
    assert reply.facts["token_count"] == 5
    assert reply.facts["ids"] == [5159, 836, 374, 61071, 301]
    assert "5 tokens" in reply.text and "[5159, 836, 374, 61071, 301]" in reply.text
    bert = reply.facts["tokenizers"]["bert-wordpiece"]
    assert bert["ids"] == [2026, 2171, 2003, 22195, 2884]
    assert reply.images[0].data.startswith(PNG)
    assert LINE.invocation(reply.command) == "/tokenize My name is Pawel"


def test_same_request_gives_the_same_picture_bytes():
    line = "/tokenize naïve café 👍 tokenizers=cl100k_base,utf8-bytes"
    assert answer(line).images[0].data == answer(line).images[0].data


def test_chosen_tokenizers_in_order_and_canonical_command():
    reply = answer("/tokenize héllo tokenizers=utf8-bytes,cl100k_base")
    assert list(reply.facts["tokenizers"]) == ["utf8-bytes", "cl100k_base"]
    assert reply.facts["ids"] == list("héllo".encode())
    assert LINE.invocation(reply.command) == "/tokenize héllo tokenizers=utf8-bytes,cl100k_base"


def test_emoji_split_into_bytes_is_explained():
    reply = answer("/tokenize 👍")
    assert reply.facts["ids"] == [9468, 239, 235]
    assert "<0x..>" in reply.text


@pytest.mark.parametrize(
    "text",
    ["👍" * 3000, "a\x07b\x00c\x1bd", "<|endoftext|> hello", "\u200d\u200d", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ﷽"],
)
def test_odd_input_gets_a_sensible_answer(text):
    reply = tokenize.run(build("tokenize", {}, text), no_progress)
    assert reply.facts["token_count"] >= 1
    assert reply.images[0].data.startswith(PNG)
    assert len(reply.text) < 3000  # ids are cut after 64 in the text


def test_three_thousand_emoji_are_counted_but_only_some_chips_drawn():
    reply = answer("/tokenize " + "👍" * 3000)
    assert reply.facts["token_count"] >= 3000
    assert "…]" in reply.text
    assert reply.facts["token_count"] > MAX_CHIPS


def test_a_tie_names_no_winner():
    reply = answer("/tokenize a")  # one token in both tokenizers
    counts = {k: v["token_count"] for k, v in reply.facts["tokenizers"].items()}
    assert counts == {"cl100k_base": 1, "bert-wordpiece": 1}
    assert "Fewest tokens" not in reply.text
    assert "A tie: every tokenizer used 1 token." in reply.text


def test_a_strict_winner_is_named():
    reply = answer("/tokenize Tokenization isn't magic")
    counts = reply.facts["tokenizers"]
    fewest = min(counts, key=lambda k: counts[k]["token_count"])
    assert sorted(c["token_count"] for c in counts.values())[0] < sorted(
        c["token_count"] for c in counts.values())[1]
    assert f"Fewest tokens: {tokenize.TOKENIZERS[fewest].label}." in reply.text
