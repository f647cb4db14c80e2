"""The platform-neutral text helpers every adapter shares: splitting long text within a
platform's limit, clipping a line, and the progress bar."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import FENCE, progress_bar, split
from engine.domain.text import shorten

LIMIT = 200


def words(text: str) -> str:
    """Everything but white space, in order: what a split must never lose or reorder."""
    return "".join(text.split())


def test_text_within_the_limit_is_one_piece_and_blank_text_none():
    assert split("**5 tokens**", LIMIT) == ["**5 tokens**"]
    assert split("x" * LIMIT, LIMIT) == ["x" * LIMIT]
    assert split("", LIMIT) == [] and split(" \n\n ", LIMIT) == []


def test_a_paragraph_break_is_preferred_to_a_line_break_or_a_space():
    first = "\n".join(["a line of the first paragraph"] * 4)  # 119 characters
    second = " ".join(["words"] * 30)
    pieces = split(f"{first}\n\n{second}", LIMIT)
    assert pieces[0] == first and words("".join(pieces)) == words(first + second)


def test_lines_are_kept_whole_when_there_is_no_paragraph_break():
    lines = [f"- line {i} " + "x" * 30 for i in range(40)]
    pieces = split("\n".join(lines), LIMIT)
    assert len(pieces) > 1 and all(len(p) <= LIMIT for p in pieces)
    assert "\n".join(pieces).split("\n") == lines  # nothing lost, nothing cut mid-line


def test_a_long_line_is_cut_between_words():
    text = " ".join(f"word{i:03d}" for i in range(100))
    pieces = split(text, LIMIT)
    assert " ".join(pieces) == text
    assert all(len(p) <= LIMIT and not p.startswith(" ") for p in pieces)


def test_an_early_break_is_passed_over_for_a_fuller_piece():
    text = "title\n" + " ".join(["word"] * 100)
    pieces = split(text, LIMIT)
    assert pieces[0].startswith("title\nword") and len(pieces[0]) > LIMIT // 2


def test_one_enormous_word_is_cut_where_it_must():
    pieces = split("y" * 1000, LIMIT)
    assert "".join(pieces) == "y" * 1000 and all(len(p) <= LIMIT for p in pieces)


def test_a_code_block_spanning_a_cut_is_closed_and_reopened_with_its_language():
    code = "\n".join(f"{i} = token_{i}" for i in range(60))
    text = f"Ids:\n```python\n{code}\n```\nthe end"
    pieces = split(text, LIMIT)
    assert len(pieces) > 2 and all(len(p) <= LIMIT for p in pieces)
    assert all(p.count(FENCE) % 2 == 0 for p in pieces)  # every piece renders on its own
    assert all(p.startswith("```python\n") for p in pieces[1:-1])
    rejoined = "\n".join(pieces).replace("\n```\n```python\n", "\n")
    assert rejoined == text


def test_a_fence_without_a_language_is_reopened_bare():
    text = "```\n" + "\n".join("z" * 40 for _ in range(10)) + "\n```"
    pieces = split(text, LIMIT)
    assert pieces[1].startswith("```\nzzz") and all(p.count(FENCE) == 2 for p in pieces)


def test_a_block_that_ends_at_the_cut_is_not_reopened_empty():
    code = "\n".join("c" * 45 for _ in range(4))  # 183 characters: the block ends at the cut
    pieces = split(f"```\n{code}\n```\n" + "after " * 10, LIMIT)
    assert pieces[0] == f"```\n{code}\n```"
    assert pieces[1].startswith("after") and FENCE not in pieces[1]


def test_code_spans_on_one_line_open_no_block():
    line = "use ```inline``` here " * 5
    pieces = split("\n".join([line] * 6), LIMIT)
    assert all(not p.endswith(f"\n{FENCE}") for p in pieces)


def test_a_limit_too_small_for_a_reopened_fence_is_refused():
    with pytest.raises(ValueError, match="at least"):
        split("text", 20)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=3000),
       st.integers(min_value=100, max_value=600))
def test_any_text_splits_into_bounded_non_blank_pieces(text, limit):
    pieces = split(text, limit)
    assert all(0 < len(p) <= limit and p.strip() for p in pieces)
    assert bool(pieces) == bool(text.strip())


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=3000),
       st.integers(min_value=100, max_value=600))
def test_splitting_plain_text_loses_and_reorders_nothing(text, limit):
    assert words("".join(split(text, limit))) == words(text)


@given(st.lists(st.text(alphabet="ab \n", max_size=300), min_size=1, max_size=12))
def test_every_piece_of_fenced_text_has_balanced_fences(blocks):
    text = "\n".join(f"```\n{b}\n```" if i % 2 else b for i, b in enumerate(blocks))
    assert all(p.count(FENCE) % 2 == 0 for p in split(text, 120))


def test_clip_cuts_with_an_ellipsis_only_when_needed():
    assert shorten("short", 10) == "short"
    assert shorten("a" * 10, 10) == "a" * 10
    assert shorten("many words here", 10) == "many word…"
    assert shorten("many     words", 10) == "many…"  # no dangling spaces before the ellipsis


def test_progress_bar_shows_the_share_clamped():
    assert progress_bar(0.4) == "▰▰▰▰▱▱▱▱▱▱ 40%"
    assert progress_bar(0.0) == "▱" * 10 + " 0%"
    assert progress_bar(1.7) == "▰" * 10 + " 100%"
    assert progress_bar(-1) == "▱" * 10 + " 0%"
    assert progress_bar(0.5, width=4) == "▰▰▱▱ 50%"
