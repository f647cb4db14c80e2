"""Sentence embeddings: a cosine-similarity matrix and the sentences as labelled points in 2-D.

Drawn with numpy + Pillow (the matrix reuses engine.plots.heatmap) so the picture costs
milliseconds, not the few hundred a matplotlib figure with 100 text labels takes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from engine.domain.text import shorten
from engine.plots.glyphs import pil_font, printable
from engine.plots.heatmap import INK, MUTED, MatrixStyle, matrix_image
from engine.plots.png import image_to_png

MAP_SIZE = 520
POINT = "#dd8452"


def _map(
    sentences: Sequence[str], points: np.ndarray, explained: tuple[float, float]
) -> Image.Image:
    """The 2-D projection as a square map with labelled points (no numeric ticks: PCA
    directions have no units; only distances between points mean something)."""
    size, pad = MAP_SIZE, 40
    image = Image.new("RGB", (size + 230, size + 80), "white")
    draw = ImageDraw.Draw(image)
    draw.text(
        (12, 12),
        "Sentences as points: close = similar meaning",
        font=pil_font(16, bold=True),
        fill=INK,
    )
    box = (pad, 46, pad + size - 2 * pad, 46 + size - 2 * pad)
    draw.rectangle(box, outline="#999999")
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 1e-12, high - low, 1.0)
    inner = size - 2 * pad - 40
    xy = (points - low) / span.max() * inner + np.array([box[0] + 20, box[1] + 20])  # (N, 2)
    xy[:, 1] = box[3] - (xy[:, 1] - box[1])  # y grows upwards on the map
    font = pil_font(12)
    placed: list[tuple[float, float, float, float]] = []
    for n, ((x, y), sentence) in enumerate(zip(xy, sentences, strict=True)):
        draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=POINT, outline="#8a4a1c")
        label = f"S{n + 1}: {printable(shorten(sentence, 28))}"
        lx, ly = _free_spot(placed, x + 9, y - 8, font.getlength(label), 15)
        if ly != y - 8:
            draw.line((x + 5, y, lx - 2, ly + 8), fill="#aaaaaa")
        draw.text((lx, ly), label, font=font, fill=INK)
    small = pil_font(11)
    draw.text(
        (box[0], box[3] + 8),
        f"→ direction 1 ({explained[0]:.0%} of the spread)",
        font=small,
        fill=MUTED,
    )
    draw.text(
        (box[0], box[3] + 24),
        f"↑ direction 2 ({explained[1]:.0%} of the spread)",
        font=small,
        fill=MUTED,
    )
    draw.text(
        (box[0], box[3] + 40), "384 dimensions squeezed to 2 with PCA", font=small, fill=MUTED
    )
    return image


def _free_spot(
    placed: list, x: float, y: float, width: float, height: float
) -> tuple[float, float]:
    """Move a label down in steps until it overlaps no label placed before it; remember it."""
    for _ in range(12):
        if not any(
            x < bx1 and bx0 < x + width and y < by1 and by0 < y + height
            for bx0, by0, bx1, by1 in placed
        ):
            break
        y += height
    placed.append((x, y, x + width, y + height))
    return x, y


def render_embeddings(
    sentences: Sequence[str],
    similarity: np.ndarray,
    points: np.ndarray,
    explained: tuple[float, float],
) -> bytes:
    """Left: the cosine similarity of every pair (numbers in the cells). Right: the 2-D map."""
    names = [f"S{i + 1}" for i in range(len(sentences))]
    style = MatrixStyle(
        cmap="viridis",
        vmin=min(0.0, float(similarity.min())),
        vmax=1.0,
        annotate_below=11,
        min_shown=-np.inf,
        bar_label="cosine\nsimilarity",
    )
    matrix = matrix_image(similarity, names, names, "Cosine similarity (1 = same meaning)", style)
    chart = _map(sentences, points, explained)
    width = matrix.width + chart.width + 10
    image = Image.new("RGB", (width, max(matrix.height, chart.height)), "white")
    image.paste(matrix, (0, 0))
    image.paste(chart, (matrix.width + 10, 0))
    return image_to_png(image)
