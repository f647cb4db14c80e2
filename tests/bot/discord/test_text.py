"""Reply text -> Discord message pieces within 2 000 characters."""

from hypothesis import given
from hypothesis import strategies as st

from bot.discord.text import MESSAGE_MAX, progress_line, split_message, with_footer


def test_short_text_is_one_piece_and_long_text_splits_at_line_breaks():
    assert split_message("**5 tokens**") == ["**5 tokens**"]
    lines = [f"- line {i} " + "x" * 80 for i in range(60)]
    pieces = split_message("\n".join(lines))
    assert len(pieces) > 1 and all(len(p) <= MESSAGE_MAX for p in pieces)
    assert "\n".join(pieces).split("\n") == lines  # nothing lost, nothing cut mid-line


def test_a_code_block_spanning_a_split_is_closed_and_reopened():
    text = "Ids:\n```python\n" + "\n".join(f"{i} = token_{i}" for i in range(400)) + "\n```\nend"
    pieces = split_message(text)
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.count("```") % 2 == 0, piece[:80]  # every piece renders on its own
        assert len(piece) <= MESSAGE_MAX
    assert pieces[1].startswith("```python\n")


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=9000))
def test_any_text_splits_into_pieces_discord_accepts(text):
    pieces = split_message(text)
    assert pieces and all(0 < len(p) <= MESSAGE_MAX for p in pieces)


def test_footer_and_progress_line():
    assert with_footer("hi", "/tokenize a`b").endswith("-# Reproduce with `/tokenize aˋb`")
    assert with_footer("hi", None) == "hi"
    line = progress_line("epoch 30 of 100", 0.3)
    assert "epoch 30 of 100" in line and "30%" in line and line.count("▰") == 4
    assert progress_line("loading", None) == "⏳ loading"
