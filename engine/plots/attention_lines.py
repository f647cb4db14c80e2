"""BertViz-style "lines" view of one layer, drawn with Pillow.

Left: the chosen head, large: every token on the left is joined to the tokens it attends to on
the right; the stronger the attention, the darker and thicker the line. Right: all heads of the
same layer as small line diagrams, the chosen one framed, so the whole layer is visible at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from engine.domain.text import shorten
from engine.plots.glyphs import pil_font, printable
from engine.plots.png import image_to_png

INK, MUTED = "#1f2328", "#555555"
LINE = (13, 64, 153)  # dark blue
THRESHOLD = 0.05  # weaker links are not drawn
GAP = 230  # horizontal distance between the two token columns of the main diagram
MINI_W, MINI_COLS = 96, 4


def _row_height(length: int) -> int:
    return int(np.clip(600 // max(length, 1), 9, 30))


def _links(draw: ImageDraw.ImageDraw, weights: np.ndarray, x0, x1, top, row, scale) -> None:
    """Lines from (x0, row i) to (x1, row j) for every weight above THRESHOLD."""
    rows, cols = np.nonzero(weights >= THRESHOLD)
    for i, j in zip(rows, cols, strict=True):
        w = float(weights[i, j])
        alpha = int(255 * min(1.0, 0.12 + 0.88 * w))
        start, end = (x0, top + (i + 0.5) * row), (x1, top + (j + 0.5) * row)
        draw.line((start, end), fill=(*LINE, alpha), width=max(1, round(scale * w)))


def _main(draw, tokens: list[str], weights: np.ndarray, top: int) -> int:
    """The chosen head at full size; returns its right edge."""
    row = _row_height(len(tokens))
    font = pil_font(int(np.clip(row * 0.62, 8, 15)))
    width = int(max(font.getlength(t) for t in tokens)) + 12
    x0, x1 = 12 + width, 12 + width + GAP
    for i, token in enumerate(tokens):
        y = top + (i + 0.5) * row
        draw.text((x0 - 6, y), token, font=font, fill=INK, anchor="rm")
        draw.text((x1 + 6, y), token, font=font, fill=INK, anchor="lm")
    _links(draw, weights, x0, x1, top, row, scale=4.0)
    return x1 + width + 24


def _minis(
    draw, weights: np.ndarray, chosen: int, tags: Sequence[str], left: int, top: int
) -> None:
    """Every head of the layer as a small diagram in a grid; the chosen one framed."""
    heads, length = weights.shape[0], weights.shape[-1]
    row = max(2.0, min(150 / length, 8.0))
    height = row * length
    font = pil_font(11)
    for h in range(heads):
        r, c = divmod(h, MINI_COLS)
        x, y = left + c * (MINI_W + 16), top + r * (height + 30)
        outline, width = ("#d1242f", 2) if h == chosen else ("#c8c8c8", 1)
        draw.rectangle((x - 4, y - 4, x + MINI_W + 4, y + height + 4), outline=outline, width=width)
        _links(draw, weights[h], x, x + MINI_W, y, row, scale=1.5)
        draw.text((x, y + height + 6), f"H{h + 1} {tags[h]}".strip(), font=font, fill=MUTED)


def render_layer_lines(
    tokens: Sequence[str], weights: np.ndarray, chosen: int, tags: Sequence[str], title: str
) -> bytes:
    """One layer (heads, T, T): the chosen head (0-based) large, all heads small beside it."""
    labels = [printable(shorten(t, 16)) for t in tokens]
    length, heads = len(labels), weights.shape[0]
    main_height = _row_height(length) * length
    mini_height = (
        (heads + MINI_COLS - 1) // MINI_COLS * (max(2.0, min(150 / length, 8.0)) * length + 30)
    )
    height = int(60 + max(main_height, mini_height) + 40)
    image = Image.new("RGB", (1200, height), "white")
    draw = ImageDraw.Draw(image, "RGBA")  # RGBA drawing blends the translucent lines
    draw.text((12, 12), printable(shorten(title, 110)), font=pil_font(16, bold=True), fill=INK)
    right = _main(draw, labels, weights[chosen], 60)
    _minis(draw, weights, chosen, tags, max(right, 560), 64)
    note = "left: tokens looking · right: tokens looked at · darker, thicker line = more attention"
    draw.text((12, height - 24), note, font=pil_font(11), fill=MUTED)
    used = max(right, 560) + MINI_COLS * (MINI_W + 16) + 8
    return image_to_png(image.crop((0, 0, min(max(used, 700), 1200), height)))
