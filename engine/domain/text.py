"""Text helpers every layer shares (pictures' labels, platform limits, help lines)."""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut (trailing
    spaces before the ellipsis are dropped); never longer than ``limit``."""
    if len(text) <= limit:
        return text
    return text[:max(limit - len(ELLIPSIS), 1)].rstrip() + ELLIPSIS
