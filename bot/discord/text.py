"""Reply text -> Discord message content.

Discord renders the engine's markdown subset as it is (``**bold**``, ``_italic_``,
```` `code` ````, fenced blocks, ``- `` bullets), so conversion is about limits: a message
holds 2 000 characters, so long text is split (``bot.text.split``: at paragraphs, lines or
words, a code block that spans a cut closed and reopened).
"""

from __future__ import annotations

from bot.discord.syntax import present, reproduce_line
from bot.text import progress_bar, split
from engine.domain.replies import Invocation
from engine.domain.text import shorten

MESSAGE_MAX = 2000  # characters of content per Discord message
EMPTY = "…"  # a message needs some content


def progress_line(text: str, fraction: float | None) -> str:
    """A progress report as one short message: the text and, if known, a bar with percent."""
    text = present(text)
    line = f"⏳ {text}" if fraction is None else f"⏳ {text}\n{progress_bar(fraction)}"
    return shorten(line, MESSAGE_MAX)


def with_footer(text: str, command: Invocation | None) -> str:
    """The reply text (commands in Discord's syntax) with the reproducing command as small
    grey text (``-#`` subtext), short enough never to be split from it."""
    text = present(text)
    if command is None:
        return text
    return f"{text}\n-# Reproduce with `{reproduce_line(command)}`"


def split_message(text: str, limit: int = MESSAGE_MAX) -> list[str]:
    """``text`` as message contents of at most ``limit`` characters; always at least one."""
    return split(text, limit) or [EMPTY]
