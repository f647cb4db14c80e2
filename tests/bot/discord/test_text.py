"""Reply text -> Discord message pieces within 2 000 characters (how a cut is chosen is
``bot.text``'s and tested in ``tests/bot/test_text.py``)."""

from hypothesis import given
from hypothesis import strategies as st

from bot.discord.text import MESSAGE_MAX, progress_line, split_message, with_footer
from engine.domain.replies import Invocation


def test_long_text_splits_into_messages_discord_accepts():
    assert split_message("**5 tokens**") == ["**5 tokens**"]
    text = "Ids:\n```python\n" + "\n".join(f"{i} = token_{i}" for i in range(400)) + "\n```\nend"
    pieces = split_message(text)
    assert len(pieces) > 1 and all(len(p) <= MESSAGE_MAX for p in pieces)
    assert pieces[1].startswith("```python\n")


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=9000))
def test_any_text_is_at_least_one_message_discord_accepts(text):
    pieces = split_message(text)
    assert pieces and all(0 < len(p) <= MESSAGE_MAX and p.strip() for p in pieces)


def test_footer_and_progress_line():
    command = Invocation("tokenize", (("tokenizers", "utf8-bytes"),), "a`b", "text")
    assert with_footer("hi", command).endswith(
        "-# Reproduce with `/tokenize text:aˋb tokenizers:utf8-bytes`")
    assert with_footer("hi", None) == "hi"
    assert progress_line("epoch 30 of 100", 0.3) == "⏳ epoch 30 of 100\n▰▰▰▱▱▱▱▱▱▱ 30%"
    assert progress_line("loading", None) == "⏳ loading"
    assert len(progress_line("x" * 3000, 0.5)) == MESSAGE_MAX
