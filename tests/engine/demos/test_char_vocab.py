"""The character vocabulary: ids round-trip, unknown characters are folded and reported."""

import pytest

from engine.demos.char_vocab import CharVocab

VOCAB = CharVocab.from_text("The cat sat on the mat. Is it? 'yes', -\n")


def test_from_text_is_sorted_and_unique():
    assert list(VOCAB.chars) == sorted(set(VOCAB.chars))
    assert VOCAB.size == len(set("The cat sat on the mat. Is it? 'yes', -\n"))


def test_round_trip_of_known_text():
    enc = VOCAB.encode("the cat sat.\nIs it?")
    assert enc.replaced == {}
    assert enc.text == "the cat sat.\nIs it?"
    assert VOCAB.decode(enc.ids) == enc.text
    assert enc.ids[0] == VOCAB.chars.index("t")


def test_typographic_characters_fold_to_plain_ones():
    enc = VOCAB.encode("\u2018ma\u0301t\u2019 \u2013 yes!")  # curly quotes, combining accent, en dash
    assert enc.text == "'mat' - yes."
    assert enc.replaced["\u2018"] == "'"
    assert enc.replaced["\u2013"] == "-"


def test_unknown_characters_become_the_fallback_and_controls_vanish():
    enc = VOCAB.encode("cat\U0001f600\u200d\x00sat")  # emoji, zero-width joiner, NUL
    assert enc.text == "cat?sat"
    assert enc.replaced == {"\U0001f600": "?", "\u200d": "", "\x00": ""}


def test_fallback_is_a_space_without_question_mark():
    vocab = CharVocab.from_text("ab ")
    assert vocab.encode("a\U0001f600b").text == "a b"


def test_duplicates_are_rejected():
    with pytest.raises(ValueError, match="duplicates"):
        CharVocab("aab")
