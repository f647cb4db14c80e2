"""Making invisible characters visible in pictures of tokens."""

from __future__ import annotations

#: How a character that would be invisible in a picture is drawn.
VISIBLE = {" ": "\u2423", "\n": "\u21b5", "\t": "\u2192"}


def visible(token: str) -> str:
    """``token`` with spaces, newlines and tabs drawn as ␣, ↵ and →."""
    return "".join(VISIBLE.get(c, c) for c in token)


def one_line(text: str) -> str:
    """Text for a single line of a picture: newlines shown as ↵, nothing else changed."""
    return text.replace("\n", " \u21b5 ")


#: Names shown next to the glyph when a whitespace character stands alone as a token.
_NAMES = {" ": "\u2423 space", "\n": "\u21b5 newline", "\t": "\u2192 tab"}


def token_label(token: str) -> str:
    """Label for a token on an axis: a lone space or newline is named, others made visible."""
    return _NAMES.get(token, visible(token))


def percent(p: float) -> str:
    """A probability for people: whole percents, never rounding a possibility to 0% or 100%."""
    if p > 0 and round(p * 100) == 0:
        return "<1%"
    if p < 1 and round(p * 100) == 100:
        return ">99%"
    return f"{p:.0%}"
