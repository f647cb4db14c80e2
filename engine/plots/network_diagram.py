"""The network drawn as the Playground draws it, onto a matplotlib Axes.

Every unit is a small heatmap tile of its own output over the input square; links are
curves from unit to unit, orange for negative weights, blue for positive, thicker for
larger |weight|; each non-input unit has a small square coloured by its bias. All tiles
are drawn into one RGBA image that the caller pastes over the rendered figure, and the
links are one LineCollection, so the diagram draws fast whatever the network's size.
Axes units are pixels, y pointing down.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from engine.plots.playground_style import CMAP, NetworkView, link_width, to_rgb
from engine.plots.style import INK, MUTED

TILE_PX = 36
TILE_RESOLUTION = 12  # grid points per tile side; must divide TILE_PX
TOP = 34  # room for the column headers
LEFT = 70  # room for the feature labels
BIAS_PX = 6
CURVE_POINTS = 16
POINTS_PER_PX = 0.72  # matplotlib line widths are in points; 1 px = 0.72 pt at 100 dpi
WIDTH_SCALE = 0.6  # the Playground's 1–10 px links, scaled to this smaller picture


def _layout(sizes: list[int], width: int, height: int) -> list[list[tuple[float, float]]]:
    """Top-left corner of every tile, column by column (inputs, hidden..., output)."""
    last_x = width - TILE_PX - 8
    xs = np.linspace(LEFT, last_x, len(sizes))
    step = min(TILE_PX + 14, (height - TOP - 4) / max(sizes))
    return [[(float(x), TOP + i * step) for i in range(n)] for x, n in zip(xs, sizes, strict=True)]


def _tile_pixels(tile: np.ndarray, normalise: bool) -> np.ndarray:
    """(R, R) values, row 0 = lowest x2 -> (TILE_PX, TILE_PX, 3) uint8 image rows (top first)."""
    if normalise:  # raw features span e.g. [-6, 6] or [0, 36]: show their shape, not saturation
        tile = tile / max(float(np.abs(tile).max()), 1e-12)
    factor = TILE_PX // tile.shape[0]  # TILE_RESOLUTION divides TILE_PX
    return np.repeat(np.repeat(to_rgb(tile[::-1]), factor, axis=0), factor, axis=1)


def _canvas(view: NetworkView, corners, width: int, height: int) -> np.ndarray:
    """One transparent RGBA image with every tile, its frame and its bias square."""
    canvas = np.zeros((height, width, 4), dtype=np.uint8)
    for k, (tiles, column) in enumerate(zip(view.tiles, corners, strict=True)):
        for unit, (x, y) in enumerate(column):
            x0, y0 = round(x), round(y)
            canvas[y0 - 1 : y0 + TILE_PX + 1, x0 - 1 : x0 + TILE_PX + 1] = (160, 160, 160, 255)
            canvas[y0 : y0 + TILE_PX, x0 : x0 + TILE_PX, :3] = _tile_pixels(tiles[unit], k == 0)
            if k:
                bias = to_rgb(np.array(view.biases[k - 1][unit]))
                by, bx = y0 + TILE_PX - BIAS_PX, x0 - BIAS_PX - 3
                canvas[by : by + BIAS_PX, bx : bx + BIAS_PX] = (*bias, 255)
    return canvas


def _links(view: NetworkView, corners) -> LineCollection:
    """Every link as a horizontal S-curve from its source's right edge to its target's left."""
    t = np.linspace(0, 1, CURVE_POINTS)[:, None]  # (P, 1)
    curves, weights = [], []
    for k, w in enumerate(view.weights):
        sources, targets = corners[k], corners[k + 1]
        for j, (tx, ty) in enumerate(targets):
            for i, (sx, sy) in enumerate(sources):
                spread = (i - (len(sources) - 1) / 2) / len(sources) * 12  # fan in, as nn.ts
                p0 = np.array([sx + TILE_PX + 1, sy + TILE_PX / 2])
                p3 = np.array([tx - 1, ty + TILE_PX / 2 + spread])
                middle = (p0[0] + p3[0]) / 2  # control points: halfway across, level with the ends
                p1, p2 = np.array([middle, p0[1]]), np.array([middle, p3[1]])
                curve = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3
                curves.append(curve)  # (P, 2), a cubic Bezier like d3's diagonal
                weights.append(w[i, j])
    weights_arr = np.array(weights)
    colours = CMAP((np.clip(weights_arr, -1, 1) + 1) / 2)
    widths = link_width(weights_arr) * WIDTH_SCALE * POINTS_PER_PX
    return LineCollection(curves, colors=colours, linewidths=widths, zorder=1, capstyle="round")


def draw_network(ax: Axes, view: NetworkView, width: int, height: int) -> np.ndarray:
    """Draw the links and labels into ax (width x height pixels); return the tiles as an
    RGBA image of the same size, to be pasted over the rendered axes."""
    sizes = [len(tiles) for tiles in view.tiles]
    corners = _layout(sizes, width, height)
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    ax.add_collection(_links(view, corners))
    headers = ["Features", *[f"{n} neuron{'s' * (n > 1)}" for n in sizes[1:-1]], "Output"]
    for (x, _), header in zip((col[0] for col in corners), headers, strict=True):
        ax.text(x + TILE_PX / 2, TOP - 12, header, ha="center", va="bottom", fontsize=8, color=INK)
    for (x, y), label in zip(corners[0], view.labels, strict=True):
        ax.text(x - 6, y + TILE_PX / 2, label, ha="right", va="center", fontsize=9, color=INK)
    if len(sizes) == 2:
        ax.text(width / 2, height - 6, "no hidden layer", ha="center", fontsize=8, color=MUTED)
    return _canvas(view, corners, width, height)
