"""Fonts for the language demos, and honest labels for characters a font cannot draw.

We draw with DejaVu Sans, the font matplotlib ships inside its own package, so every machine has
it. It covers Latin, Greek, Cyrillic, many symbols and the classic emoticons (U+1F600...), but not
CJK or most newer emoji. Instead of a silent empty box ("tofu"), a character without a glyph is
written as its code point, e.g. `<U+6587>`, matching the `<0xF0 0x9F>` notation for raw bytes.
"""

from __future__ import annotations

import functools

from matplotlib.ft2font import FT2Font
from PIL import ImageFont

from engine.plots.style import FONT_BOLD, FONT_MONO, FONT_REGULAR

SANS, SANS_BOLD, MONO = str(FONT_REGULAR), str(FONT_BOLD), str(FONT_MONO)
FOOTNOTE = (
    "<0x..> = raw bytes of a character split between tokens;  "
    "<U+....> = an invisible character, or one this font cannot draw"
)


@functools.cache
def coverage(path: str = SANS) -> frozenset[int]:
    """Code points the font has a glyph for."""
    return frozenset(FT2Font(path).get_charmap())


def drawable(char: str, path: str = SANS) -> bool:
    """True when the font draws this character (whitespace counts as drawable)."""
    return char.isspace() or ord(char) in coverage(path)


def printable(text: str, path: str = SANS) -> str:
    """Text with every character the font lacks replaced by `<U+XXXX>`."""
    return "".join(c if drawable(c, path) else f"<U+{ord(c):04X}>" for c in text)


def has_tofu(text: str, path: str = SANS) -> bool:
    """True if drawing `text` as is would show an empty box somewhere."""
    return any(not drawable(c, path) for c in text)


@functools.cache
def pil_font(size: int, bold: bool = False, mono: bool = False) -> ImageFont.FreeTypeFont:
    """A Pillow font at a pixel size (cached: loading a TTF costs a few milliseconds)."""
    path = MONO if mono else (SANS_BOLD if bold else SANS)
    return ImageFont.truetype(path, size)


