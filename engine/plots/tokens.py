"""Text as coloured token spans, whitespace made visible, ids beneath (Pillow)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from engine.plots.style import FONT_MONO, FONT_REGULAR, INK, MUTED, PALETTE

WIDTH = 1000
MARGIN = 24
TEXT_SIZE = 22
ID_SIZE = 11
ROW_HEIGHT = 50
MAX_SHOWN = 400  # tokens drawn; the rest are counted in a note
VISIBLE = str.maketrans({" ": "·", "\t": "→", "\r": "␍", "\n": "↵"})


@dataclass(frozen=True)
class Span:
    """One token to draw: what it shows, its id and whether it is a byte fragment."""

    text: str
    id: int
    partial: bool = False


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _layout(spans: Sequence[Span], font, mono) -> list[list[tuple[Span, str, int, int]]]:
    """Greedy line wrapping; a newline token ends its line. Rows hold (span, shown, x, width)."""
    rows: list[list[tuple[Span, str, int, int]]] = [[]]
    x = MARGIN
    for span in spans:
        shown = span.text.translate(VISIBLE) or "∅"
        width = int(max(font.getlength(shown), mono.getlength(str(span.id)))) + 6
        if x + width > WIDTH - MARGIN and rows[-1]:
            rows.append([])
            x = MARGIN
        rows[-1].append((span, shown, x, width))
        x += width + 2
        if "\n" in span.text:
            rows.append([])
            x = MARGIN
    return [r for r in rows if r] or [[]]


def render_tokens(spans: Sequence[Span], title: str, footer: str) -> bytes:
    """A PNG of the spans in alternating colours with their ids below each one."""
    text_font = _font(str(FONT_REGULAR), TEXT_SIZE)
    mono = _font(str(FONT_MONO), ID_SIZE)
    rows = _layout(spans[:MAX_SHOWN], text_font, mono)
    if len(spans) > MAX_SHOWN:
        footer = f"{footer}   (first {MAX_SHOWN} of {len(spans)} tokens shown)"
    height = MARGIN * 2 + 40 + ROW_HEIGHT * len(rows) + 30
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), title, fill=INK, font=_font(str(FONT_REGULAR), 18))
    top = MARGIN + 40
    index = 0
    for r, row in enumerate(rows):
        y = top + r * ROW_HEIGHT
        for span, shown, x, width in row:
            colour = "#e5e7eb" if span.partial else PALETTE[index % len(PALETTE)]
            draw.rounded_rectangle((x, y, x + width, y + 30), radius=4, fill=colour)
            draw.text((x + 3, y + 2), shown, fill=INK, font=text_font)
            draw.text((x + 3, y + 32), str(span.id), fill=MUTED, font=mono)
            index += 1
    draw.text((MARGIN, height - MARGIN - 12), footer, fill=MUTED, font=_font(str(FONT_REGULAR), 14))
    buf = BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
