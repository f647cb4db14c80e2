"""Reply text -> Discord message content.

Discord renders the engine's markdown subset as it is (``**bold**``, ``_italic_``,
```` `code` ````, fenced blocks, ``- `` bullets), so conversion is about limits: a message
holds 2 000 characters, so long text is split at line breaks, closing and reopening a code
fence that spans a split.
"""

from __future__ import annotations

MESSAGE_MAX = 2000  # characters of content per Discord message
FENCE = "```"
BAR_WIDTH = 12


def progress_line(text: str, fraction: float | None) -> str:
    """A progress report as one short message: the text and, if known, a bar with percent."""
    if fraction is None:
        return split_message(f"⏳ {text}")[0]
    share = min(max(fraction, 0.0), 1.0)
    filled = round(share * BAR_WIDTH)
    bar = "▰" * filled + "▱" * (BAR_WIDTH - filled)
    return split_message(f"⏳ {text}\n`{bar}` {share:.0%}")[0]


def with_footer(text: str, command: str | None) -> str:
    """The reply text with the reproducing command as small grey text (``-#`` subtext)."""
    if not command:
        return text
    return f"{text}\n-# Reproduce with `{command.replace('`', 'ˋ')}`"


def split_message(text: str, limit: int = MESSAGE_MAX) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, preferring line breaks and
    keeping code blocks intact across pieces. Always at least one (non-empty) piece."""
    if len(text) <= limit:
        return [text if text.strip() else "…"]
    pieces: list[str] = []
    current: list[str] = []
    fence: str | None = None  # the opening line of the code block we are inside
    for line in _short_lines(text.split("\n"), limit - 2 * len(FENCE) - 16):
        closing = 1 + len(FENCE) if fence else 0
        if current and len("\n".join([*current, line])) + closing > limit:
            pieces.append("\n".join([*current, FENCE] if fence else current))
            current = [fence] if fence else []
        current.append(line)
        if line.lstrip().startswith(FENCE):
            fence = None if fence else line.strip()
    if current:
        pieces.append("\n".join(current))
    return [p for p in pieces if p.strip()] or [text[:limit]]


def _short_lines(lines: list[str], width: int) -> list[str]:
    """Lines no longer than ``width``: long ones are cut at the last space (or hard)."""
    result = []
    for line in lines:
        while len(line) > width:
            cut = line.rfind(" ", width // 2, width)
            cut = cut if cut > 0 else width
            result.append(line[:cut])
            line = line[cut:].lstrip(" ")
        result.append(line)
    return result
