"""Text helpers every layer shares (pictures' labels, platform limits, help lines)."""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut (trailing
    spaces before the ellipsis are dropped); never longer than ``limit``."""
    if len(text) <= limit:
        return text
    return text[:max(limit - len(ELLIPSIS), 1)].rstrip() + ELLIPSIS


def storable(text: str) -> str:
    """``text`` as both databases take it: without NUL (Postgres refuses it in text and
    JSON) and with lone surrogates (which no UTF-8 database can store) replaced by U+FFFD.
    The one rule for every string tutorbot stores, on SQLite and Postgres alike."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text
