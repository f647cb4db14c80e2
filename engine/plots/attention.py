"""Attention pictures: one head as a heatmap and all heads as one mosaic (lines: attention_lines).

All three take `tokens: list[str]` and `weights (layers, heads, T, T)` (rows = the token that
looks, columns = the token looked at), so MiniLM and the tiny GPT draw the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from PIL import Image, ImageDraw

from engine.domain.text import shorten
from engine.plots.glyphs import pil_font, printable
from engine.plots.heatmap import MatrixStyle, matrix_image
from engine.plots.png import image_to_png

CMAP = "Blues"
THUMB = 56  # pixels per head thumbnail in the mosaic
THUMB_GAP = 8



def render_head(tokens: Sequence[str], weights: np.ndarray, title: str) -> bytes:
    """One head (T, T) as a labelled heatmap: the row token attends to the column token."""
    image = matrix_image(
        weights,
        tokens,
        tokens,
        title,
        MatrixStyle(cmap=CMAP, bar_label="weight\n(each row\nsums to 1)"),
        axis_names=("rows: the token looking (query) · columns: the token looked at (key)", ""),
    )
    return image_to_png(image)


def _thumbnail(head: np.ndarray) -> np.ndarray:
    """Resample one head (T, T) to (THUMB, THUMB) by nearest neighbour."""
    index = (np.arange(THUMB) * head.shape[0]) // THUMB  # (THUMB,)
    return head[np.ix_(index, index)]


def render_grid(weights: np.ndarray, tags: Sequence[Sequence[str]], title: str) -> bytes:
    """Every layer x head as one mosaic image (numpy + Pillow, no per-head axes).

    tags[layer][head] is a short pattern name written under each thumbnail.
    """
    layers, heads = weights.shape[:2]
    left, top, cell_h = 74, 64, THUMB + THUMB_GAP + 14
    width = left + heads * (THUMB + THUMB_GAP) + 16
    height = top + layers * cell_h + 34
    mosaic = np.ones((height, width, 3))
    cmap = colormaps[CMAP]
    for layer in range(layers):
        for head in range(heads):
            y, x = top + layer * cell_h, left + head * (THUMB + THUMB_GAP)
            mosaic[y : y + THUMB, x : x + THUMB] = cmap(_thumbnail(weights[layer, head]))[..., :3]
    image = Image.fromarray((mosaic * 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    font, small, bold = pil_font(13), pil_font(10), pil_font(16, bold=True)
    draw.text((12, 12), printable(shorten(title, 110)), font=bold, fill="black")
    for head in range(heads):
        draw.text(
            (left + head * (THUMB + THUMB_GAP) + THUMB // 2 - 12, top - 20),
            f"H{head + 1}",
            font=font,
            fill="black",
        )
    for layer in range(layers):
        y = top + layer * cell_h
        draw.text((12, y + THUMB // 2 - 8), f"Layer {layer + 1}", font=font, fill="black")
        for head in range(heads):
            x = left + head * (THUMB + THUMB_GAP)
            draw.rectangle((x - 1, y - 1, x + THUMB, y + THUMB), outline="#b0b0b0")
            draw.text((x, y + THUMB + 1), tags[layer][head], font=small, fill="#444444")
    note = "each square: rows = tokens looking, columns = tokens looked at; darker = more attention"
    draw.text((12, height - 22), note, font=small, fill="#444444")
    return image_to_png(image)
