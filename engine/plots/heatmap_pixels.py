"""The output heatmap with its points as an RGB pixel array (Pillow), pasted onto the
rendered figure: no Axes, no resampling, several times faster than imshow plus scatter.
Points are drawn at twice the size and scaled down, so their edges stay smooth."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image, ImageDraw

from engine.plots.playground_style import to_rgb
from engine.plots.style import MUTED

SUPERSAMPLE = 2


def _stamp(draw: ImageDraw.ImageDraw, points, labels, big: int, radius: float, edge) -> None:
    xy = np.stack([(points[:, 0] + 6) / 12 * big, (6 - points[:, 1]) / 12 * big], axis=1)
    for (x, y), colour in zip(xy.tolist(), to_rgb(labels).tolist(), strict=True):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=tuple(colour),
                     outline=edge, width=SUPERSAMPLE)


def heatmap_pixels(output: np.ndarray, side: int, points: np.ndarray, labels: np.ndarray,
                   test_points: np.ndarray | None = None, test_labels: np.ndarray | None = None,
                   radius: float = 3.5) -> np.ndarray:
    """(side, side, 3) uint8: output (R, R) (row 0 = x2 = -6) coloured, points on top
    (training points white-edged, test points black-edged)."""
    big = side * SUPERSAMPLE
    colours = to_rgb(output[::-1])  # (R, R, 3): colour the grid, then enlarge it
    image = Image.fromarray(colours).resize((big, big), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(image)
    _stamp(draw, points, labels, big, radius * SUPERSAMPLE, "white")
    if test_points is not None and test_labels is not None:
        _stamp(draw, test_points, test_labels, big, radius * SUPERSAMPLE, "black")
    return np.asarray(image.resize((side, side), Image.Resampling.BOX))


def frame(fig: Figure, side: int, left: int, bottom: int, ticks: bool = True) -> None:
    """Frame the square where a heatmap will be pasted (pixel left, bottom of fig), with
    -6 / 0 / 6 labels along its edges."""
    width, height = fig.bbox.width, fig.bbox.height
    fig.add_artist(Rectangle(((left - 1) / width, (bottom - 1) / height), (side + 2) / width,
                             (side + 2) / height,
                             transform=fig.transFigure, fill=False, edgecolor=MUTED,
                             linewidth=0.8))
    if not ticks:
        return
    for value, offset in ((-6, 0), (0, side / 2), (6, side)):
        fig.text((left + offset) / width, (bottom - 4) / height, str(value), ha="center",
                 va="top", fontsize=8, color=MUTED)
        fig.text((left - 5) / width, (bottom + offset) / height, str(value), ha="right",
                 va="center", fontsize=8, color=MUTED)
