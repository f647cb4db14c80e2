"""Reply text within a chat platform's size limits: long text cut into pieces at the gentlest
boundary, one line clipped with an ellipsis, and a progress bar.

Platform-neutral: each adapter passes its own limit (a Slack section holds 3 000 characters,
a Discord message 2 000) and keeps its own markup around the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FENCE = "```"
CLOSE = "\n" + FENCE  # what closes a code block a cut falls inside
ELLIPSIS = "…"
BAR_WIDTH = 10  # cells of a progress bar: one per 10%
SPLIT_LIMIT_MIN = 100  # room for a reopened fence and a useful piece besides
_LANGUAGE = re.compile(r"[\w+#.-]{1,20}")  # a fence's language tag: ```python
_SEPARATORS = ("\n\n", "\n", " ")  # paragraph, line, word: the gentlest first


def split(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters.

    Each cut falls at the last paragraph break in the second half of the piece, else the
    last line break there, else the last space; a word longer than that is cut where it
    must. A code block a cut falls inside is closed at the end of the piece and reopened
    (with its language) at the start of the next, so every piece renders on its own. Blank
    pieces are dropped: blank text gives none.
    """
    if limit < SPLIT_LIMIT_MIN:
        raise ValueError(f"split needs a limit of at least {SPLIT_LIMIT_MIN}, not {limit}")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        piece, rest = _cut(rest, limit - len(CLOSE))
        opening = _open_fence(piece)
        if opening is not None:
            piece += CLOSE
            fence_line, _, after = rest.partition("\n")
            rest = after if fence_line.strip() == FENCE else f"{opening}\n{rest}"
        pieces.append(piece)
    pieces.append(rest)
    return [piece for piece in pieces if piece.strip()]


def _cut(text: str, budget: int) -> tuple[str, str]:
    """The head of ``text`` up to its gentlest boundary within ``budget`` characters (the
    boundary itself dropped), and the rest."""
    floor = budget // 2  # never cut so early that pieces come out short
    for separator in _SEPARATORS:
        at = text.rfind(separator, floor, budget + len(separator))
        if at > 0:
            return text[:at], text[at + len(separator):]
    return text[:budget], text[budget:]


def _open_fence(piece: str) -> str | None:
    """The fence that reopens the code block ``piece`` ends inside (``None`` if it ends
    outside one): the opening fence with its language tag, when it has one."""
    if piece.count(FENCE) % 2 == 0:
        return None
    tag, newline, _ = piece[piece.rfind(FENCE) + len(FENCE):].partition("\n")
    return FENCE + tag if newline and _LANGUAGE.fullmatch(tag) else FENCE


def progress_bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """``▰▰▰▰▱▱▱▱▱▱ 40%``: the share done, clamped to 0-100%."""
    share = min(max(fraction, 0.0), 1.0)
    filled = round(share * width)
    return f"{'▰' * filled}{'▱' * (width - filled)} {share:.0%}"


def message_line(text: str, commands: Iterable[str]) -> str:
    """What a message to the bot (an @mention with the mention removed, or a DM) asks for, as
    a command line: ``/cmd ...`` runs it; ``cmd ...`` runs a command by name unless it reads as
    a question (ends with ``?``); anything else is a question for ``/ask``; nothing, ``/help``.
    """
    clean = " ".join(text.split())
    if not clean:
        return "/help"
    if clean.startswith("/"):
        return clean
    first = clean.split(maxsplit=1)[0].lower()
    if first in set(commands) and not clean.endswith("?"):
        return f"/{clean}"
    return f"/ask {clean}"
