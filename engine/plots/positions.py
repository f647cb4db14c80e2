"""Positional encodings: the table as a heatmap, a few dimensions as waves, similarity by distance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from engine.domain.text import shorten
from engine.plots.glyphs import printable
from engine.plots.style import png_bytes


def wave_dims(dims: int) -> list[int]:
    """A handful of (sine) dimensions from fast to slow: 0, 2, then spread up to the last pair."""
    picks = {0, 2, 2 * (dims // 8), 2 * (dims // 4)}
    return sorted(d for d in picks if d < dims)


def render_positions(table: np.ndarray, tokens: Sequence[str], similarity: np.ndarray) -> bytes:
    """Left: positions x dims heatmap with the learner's tokens labelling the first rows.
    Right top: a few dimensions as waves, token positions marked. Right bottom: how alike a
    position's vector is to position 0's as the distance grows."""
    positions, dims = table.shape
    figure = Figure(figsize=(12, 6.4))  # fixed axes boxes: no layout engine, far fewer text passes
    heat = figure.add_axes((0.09, 0.09, 0.36, 0.84))
    image = heat.imshow(
        table, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest"
    )
    heat.set_xlabel("dimension (even = sine, odd = cosine; fast waves on the left)")
    heat.set_ylabel("position in the text")
    heat.set_title("Sinusoidal position vectors: one row per position", fontsize=11)
    if tokens:
        step = max(1, len(tokens) // 32)
        rows = list(range(0, len(tokens), step))
        labels = [f"{printable(shorten(tokens[r], 10))} {r}" for r in rows]
        rest = list(range(((len(tokens) + 7) // 8) * 8, positions, 8))
        heat.set_yticks(
            rows + rest, labels + [str(r) for r in rest], fontsize=7 if len(rows) > 20 else 8
        )
        heat.axhspan(-0.5, len(tokens) - 0.5, xmin=0, xmax=0.012, color="#f2b600")
    figure.colorbar(image, cax=figure.add_axes((0.465, 0.25, 0.012, 0.5)), label="value")

    waves = figure.add_axes((0.58, 0.59, 0.40, 0.34))
    x = np.arange(positions)
    for d in wave_dims(dims):
        waves.plot(x, table[:, d], lw=1.6, label=f"dim {d}")
    for p in range(min(len(tokens), positions)):
        waves.axvline(p, color="#bbbbbb", lw=0.5, zorder=0)
    if tokens:
        waves.axvspan(-0.5, len(tokens) - 0.5, color="#fff3c4", zorder=-1, label="your tokens")
    waves.set_xlabel("position")
    waves.set_title("A few dimensions as waves over the positions", fontsize=11)
    waves.legend(fontsize=7, ncols=3, loc="lower left")
    waves.set_ylim(-1.25, 1.25)

    near = figure.add_axes((0.58, 0.09, 0.40, 0.34))
    near.plot(x, similarity / similarity[0], color="#4c72b0", lw=1.8)
    near.set_xlabel("distance from position 0")
    near.set_ylabel("similarity (1 = identical)")
    near.set_title("Nearby positions look alike; far ones less so", fontsize=11)
    return png_bytes(figure)
