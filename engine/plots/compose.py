"""Raster parts pasted onto a rendered Figure, then one PNG encode.

matplotlib draws the vector parts (links, text, axes, curves) with its Agg canvas; ready-made
pixel blocks (heatmaps, unit tiles) are copied straight into the result instead of going
through imshow's resampling. Exact pixels, several times faster, and the same bytes for
the same inputs (no timestamp is written).
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from engine.plots.png import image_to_png


def figure_pixels(fig: Figure) -> np.ndarray:
    """Render fig with Agg: (H, W, 4) uint8, row 0 at the top."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.array(canvas.buffer_rgba())


def paste(target: np.ndarray, block: np.ndarray, left: int, top: int) -> None:
    """Copy block (h, w, 3) or (h, w, 4) into target at (left, top); RGBA blocks are copied
    where their alpha is non-zero (the tiles are opaque, the space between them is not)."""
    h, w = block.shape[:2]
    region = target[top : top + h, left : left + w]
    if block.shape[2] == 4:
        mask = block[..., 3] > 0
        region[mask, :3] = block[mask, :3]
        region[mask, 3] = 255
    else:
        region[..., :3] = block
        region[..., 3] = 255


def png(pixels: np.ndarray) -> bytes:
    """PNG bytes of an RGBA or RGB array, without metadata."""
    return image_to_png(Image.fromarray(np.ascontiguousarray(pixels[..., :3])))
