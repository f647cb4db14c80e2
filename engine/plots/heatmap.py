"""A labelled matrix heatmap drawn with numpy + Pillow (no axes objects, ~10 ms).

Used for one attention head (tokens x tokens) and for sentence similarity. Row labels sit on
the left, column labels run vertically along the bottom, a colour bar on the right, and the
numbers are written in the cells when the matrix is small enough to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from PIL import Image, ImageDraw

from engine.domain.text import shorten
from engine.plots.glyphs import pil_font, printable

INK, MUTED = "#1f2328", "#555555"


@dataclass(frozen=True)
class MatrixStyle:
    """How to colour and annotate a matrix."""

    cmap: str = "Blues"
    vmin: float = 0.0
    vmax: float = 1.0
    annotate_below: int = 17  # write the numbers in the cells when the side is shorter than this
    min_shown: float = 0.1  # leave cells below this blank (attention: near-zero clutter)
    bar_label: str = "attention weight"


def colourise(matrix: np.ndarray, style: MatrixStyle) -> np.ndarray:
    """Values -> RGB bytes (H, W, 3) with a matplotlib colour map."""
    scaled = np.clip((matrix - style.vmin) / (style.vmax - style.vmin), 0.0, 1.0)
    return (colormaps[style.cmap](scaled)[..., :3] * 255).astype(np.uint8)


def cell_size(length: int) -> int:
    """Pixels per cell: big for short texts, at least 9 px for 64 tokens."""
    return int(np.clip(560 // max(length, 1), 9, 44))


def _labels(labels: Sequence[str], limit: int = 14) -> list[str]:
    return [printable(shorten(label, limit)) for label in labels]


def _column_strip(labels: list[str], cell: int, font, width: int) -> Image.Image:
    """Column labels drawn as rows in a strip, then rotated so they read bottom-to-top."""
    strip = Image.new("RGB", (width, cell * len(labels)), "white")
    draw = ImageDraw.Draw(strip)
    for j, label in enumerate(labels):
        draw.text((width - 4, j * cell + cell / 2), label, font=font, fill=INK, anchor="rm")
    return strip.rotate(90, expand=True)


def matrix_image(
    matrix: np.ndarray,
    rows: Sequence[str],
    cols: Sequence[str],
    title: str,
    style: MatrixStyle = MatrixStyle(),
    axis_names: tuple[str, str] = ("", ""),
) -> Image.Image:
    """The heatmap with its labels, title, axis names and colour bar, as a Pillow image."""
    n_rows, n_cols = matrix.shape
    cell = cell_size(max(n_rows, n_cols))
    font = pil_font(int(np.clip(cell * 0.6, 9, 15)))
    row_labels, col_labels = _labels(rows), _labels(cols)
    left = int(max(font.getlength(label) for label in row_labels)) + 30
    bottom = int(max(font.getlength(label) for label in col_labels)) + 30
    top, bar = 46, 120
    width = max(left + n_cols * cell + bar, 360)
    height = top + n_rows * cell + bottom + 10
    image = Image.new("RGB", (width, height), "white")
    cells = np.repeat(np.repeat(colourise(matrix, style), cell, axis=0), cell, axis=1)
    image.paste(Image.fromarray(cells), (left, top))
    image.paste(_column_strip(col_labels, cell, font, bottom - 26), (left, top + n_rows * cell + 4))
    draw = ImageDraw.Draw(image)
    draw.text((12, 12), printable(shorten(title, 90)), font=pil_font(16, bold=True), fill=INK)
    draw.rectangle(
        (left - 1, top - 1, left + n_cols * cell, top + n_rows * cell), outline="#999999"
    )
    for i, label in enumerate(row_labels):
        draw.text((left - 6, top + i * cell + cell / 2), label, font=font, fill=INK, anchor="rm")
    _annotate(draw, matrix, style, left, top, cell)
    _colour_bar(image, draw, style, left + n_cols * cell + 24, top, min(n_rows * cell, 300))
    small = pil_font(11)
    if axis_names[0]:
        draw.text((12, height - 18), axis_names[0], font=small, fill=MUTED)
    if axis_names[1]:
        draw.text((left, top - 16), axis_names[1], font=small, fill=MUTED)
    return image


def _annotate(draw, matrix: np.ndarray, style: MatrixStyle, left: int, top: int, cell: int) -> None:
    """Write each cell's value when the matrix is small enough to read it."""
    if max(matrix.shape) >= style.annotate_below or cell < 28:
        return
    font = pil_font(max(9, cell // 3))
    luminance = colourise(matrix, style) @ np.array([0.299, 0.587, 0.114])  # (H, W)
    for (i, j), value in np.ndenumerate(matrix):
        if abs(value) < style.min_shown:
            continue
        colour = "white" if luminance[i, j] < 140 else INK
        centre = (left + j * cell + cell / 2, top + i * cell + cell / 2)
        draw.text(centre, f"{value:.2f}", font=font, fill=colour, anchor="mm")


def _colour_bar(image, draw, style: MatrixStyle, x: int, y: int, height: int) -> None:
    ramp = np.linspace(style.vmax, style.vmin, height)[:, None].repeat(14, axis=1)  # (height, 14)
    image.paste(Image.fromarray(colourise(ramp, style)), (x, y))
    draw.rectangle((x - 1, y - 1, x + 14, y + height), outline="#999999")
    font = pil_font(10)
    for value in (style.vmax, (style.vmax + style.vmin) / 2, style.vmin):
        ty = y + (style.vmax - value) / (style.vmax - style.vmin) * (height - 1)
        draw.text(
            (x + 18, ty), f"{value:.2f}".rstrip("0").rstrip("."), font=font, fill=INK, anchor="lm"
        )
    draw.multiline_text((x, y + height + 6), style.bar_label, font=font, fill=MUTED)
