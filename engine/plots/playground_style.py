"""The Playground's colours and the views the /train-demo pictures are drawn from.

Orange is negative, blue positive, light grey zero (tensorflow/playground's colour
scale, clamped to [-1, 1]); link widths grow with |weight| from 1 to 10 px, clamped at
|w| = 5, as in the Playground. The views hold plain arrays and text, so the renderers do
no maths beyond layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

ORANGE, NEUTRAL, BLUE = "#f59322", "#e8eaeb", "#0877bd"
CMAP = LinearSegmentedColormap.from_list("playground", [ORANGE, NEUTRAL, BLUE])
TRAIN_LINE, TEST_LINE = "#888888", "#1f2328"
WARN = "#b42318"
SHADES = 32  # quantised shades for tiles and GIF frames


_LUT = (np.asarray(CMAP(np.linspace(0, 1, SHADES)))[:, :3] * 255).astype(np.uint8)  # (S, 3)


def to_rgb(values: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] (clamped) to RGB bytes (..., 3) on the Playground scale, quantised
    to SHADES shades like the Playground's heatmap (a table lookup: fast on big arrays)."""
    shade = np.rint((np.clip(values, -1.0, 1.0) + 1.0) / 2.0 * (SHADES - 1)).astype(np.intp)
    return _LUT[shade]


def link_width(weight: np.ndarray) -> np.ndarray:
    """The Playground's link width in pixels: 1 + 9·min(|w|, 5)/5."""
    return 1.0 + 9.0 * np.minimum(np.abs(weight), 5.0) / 5.0


@dataclass(frozen=True, eq=False)
class NetworkView:
    """The network as the Playground draws it: every unit's output tile and every link."""

    labels: tuple[str, ...]  # input feature labels, e.g. ("x₁", "x₂")
    tiles: tuple[np.ndarray, ...]  # per layer (n_k, R, R): inputs, hidden layers, output
    weights: tuple[np.ndarray, ...]  # (n_k, n_{k+1}) per layer of links
    biases: tuple[np.ndarray, ...]  # (n_{k+1},)


@dataclass(frozen=True, eq=False)
class RunView:
    """One run: the output heatmap with points, loss curves, metrics and the network."""

    title: str
    output: np.ndarray  # (R, R), row i = x2 ascending
    x_train: np.ndarray  # (N, 2)
    y_train: np.ndarray  # (N,)
    x_test: np.ndarray
    y_test: np.ndarray
    train_loss: np.ndarray  # (E + 1,)
    test_loss: np.ndarray
    metrics: tuple[str, ...]  # lines such as "Test loss 0.013"
    caption: str = ""  # one line under a compared panel: "test loss 0.013 · accuracy 98%"
    network: NetworkView | None = None
    show_test: bool = False
    warning: str | None = None  # e.g. "Diverged at epoch 3: learning rate too high"


@dataclass(frozen=True, eq=False)
class Frame:
    """One animation frame: the output at an epoch and the loss curves up to it."""

    epoch: int
    output: np.ndarray  # (R, R)
    train_loss: np.ndarray  # (epoch + 1,)
    test_loss: np.ndarray
