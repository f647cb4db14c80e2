"""/train-demo pictures: one run (network, decision boundary, loss) or runs side by side.

matplotlib `Figure` only (never pyplot), fixed pixel sizes at style.DPI, PNG bytes without
timestamps: the same view gives the same bytes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.plots.compose import figure_pixels, paste, png
from engine.plots.heatmap_pixels import frame, heatmap_pixels
from engine.plots.network_diagram import draw_network
from engine.plots.playground_style import (
    TEST_LINE,
    TRAIN_LINE,
    WARN,
    RunView,
)
from engine.plots.style import DPI, INK, MUTED

WIDTH, HEIGHT = 1200, 480  # pixels of the single-run picture
PANEL = 300  # pixels per heatmap in the comparison
COMPARE_COLOURS = ("#0877bd", "#f59322", "#2da44e", "#8250df")


def _rect(left: float, bottom: float, width: float, height: float, fig_w: int, fig_h: int):
    """A figure-fraction rectangle from pixel measures."""
    return (left / fig_w, bottom / fig_h, width / fig_w, height / fig_h)


def heatmap(view: RunView, side: int, radius: float = 3.5) -> np.ndarray:
    """The output over [-6, 6]² with the training points (and test points if asked)."""
    test = (view.x_test, view.y_test) if view.show_test else (None, None)
    return heatmap_pixels(view.output, side, view.x_train, view.y_train, *test, radius=radius)


def _ticks(top: float) -> list[float]:
    """Three round ticks from 0 to about `top` (fixed ticks draw faster than a locator)."""
    step = float(f"{top / 2:.1g}")
    return [0.0, step, 2 * step] if 2 * step <= top * 1.001 else [0.0, step]


def draw_losses(ax: Axes, train: np.ndarray, test: np.ndarray) -> None:
    """Train (grey) and test (black) loss per epoch, as the Playground's line chart."""
    epochs = np.arange(len(train))
    marker = "o" if len(train) <= 3 else None  # a run stopped early still shows its points
    ax.plot(epochs, train, color=TRAIN_LINE, linewidth=1.4, marker=marker)
    ax.plot(epochs, test, color=TEST_LINE, linewidth=1.4, marker=marker)
    last, top = max(1, len(train) - 1), max(float(np.max(train)), float(np.max(test)), 1e-3)
    ax.set_xlim(0, last)
    ax.set_ylim(0, top * 1.05)
    ax.set_xticks(sorted({0, last // 2, last}))
    ax.set_yticks(_ticks(top))
    ax.set_xlabel("epoch", fontsize=8, color=MUTED, labelpad=1)
    ax.set_title("Loss", fontsize=9, color=INK, loc="left")
    ax.text(1, 1.02, "train", color=TRAIN_LINE, fontsize=8, ha="right", va="bottom",
            transform=ax.transAxes)
    ax.text(0.72, 1.02, "test", color=TEST_LINE, fontsize=8, ha="right", va="bottom",
            transform=ax.transAxes)
    ax.tick_params(labelsize=7, colors=MUTED, length=2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def render_png(view: RunView) -> bytes:
    """The single-run picture: network diagram, output heatmap, loss curves and metrics."""
    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    fig.text(10 / WIDTH, 1 - 10 / HEIGHT, view.title, fontsize=11, color=INK, va="top")
    tiles = None
    if view.network is not None:
        net_ax = fig.add_axes(_rect(6, 6, 540, 420, WIDTH, HEIGHT))
        tiles = draw_network(net_ax, view.network, 540, 420)
    frame(fig, 370, 590, 40)
    fig.text(590 / WIDTH, 416 / HEIGHT, "Output", fontsize=9, color=INK)
    loss_ax = fig.add_axes(_rect(1000, 230, 185, 180, WIDTH, HEIGHT))
    draw_losses(loss_ax, view.train_loss, view.test_loss)
    fig.text(1000 / WIDTH, 190 / HEIGHT, "\n".join(view.metrics), fontsize=9, color=INK,
             va="top", linespacing=1.6)
    if view.warning:
        fig.text(1000 / WIDTH, 70 / HEIGHT, textwrap.fill(view.warning, 26), fontsize=9, color=WARN,
                 va="top", fontweight="bold")
    pixels = figure_pixels(fig)
    if tiles is not None:
        paste(pixels, tiles, 6, HEIGHT - 6 - 420)
    paste(pixels, heatmap(view, 370), 590, HEIGHT - 40 - 370)
    return png(pixels)



def render_compare(views: Sequence[RunView], labels: Sequence[str], title: str) -> bytes:
    """2–4 runs side by side (same data and seed): each output heatmap with its final test
    loss, and every run's test loss curve on one chart below."""
    n = len(views)
    width, height = 20 + n * (PANEL + 20), PANEL + 290
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    side, heatmaps = PANEL - 20, []
    fig.text(10 / width, 1 - 10 / height, title, fontsize=11, color=INK, va="top")
    for i, (view, label) in enumerate(zip(views, labels, strict=True)):
        left = 30 + i * (PANEL + 20)
        frame(fig, side, left, 250)
        heatmaps.append((heatmap(view, side, radius=2.5), left))
        fig.text(left / width, (256 + side) / height, label, fontsize=10,
                 color=COMPARE_COLOURS[i], fontweight="bold")
        fig.text((left + side / 2) / width, 226 / height, view.warning or view.caption,
                 ha="center", va="top", fontsize=8.5, color=WARN if view.warning else INK)
    ax = fig.add_axes(_rect(60, 40, width - 120, 130, width, height))
    for i, (view, label) in enumerate(zip(views, labels, strict=True)):
        marker = "o" if len(view.test_loss) <= 3 else None
        ax.plot(view.test_loss, color=COMPARE_COLOURS[i], linewidth=1.5, label=label,
                marker=marker)
    ax.set_title("Test loss per epoch", fontsize=9, color=INK, loc="left")
    ax.legend(fontsize=7, frameon=False, loc="lower right", bbox_to_anchor=(1, 1),
              ncols=min(n, 4))
    ax.tick_params(labelsize=7, colors=MUTED, length=2)
    ax.set_xlabel("epoch", fontsize=8, color=MUTED, labelpad=1)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    pixels = figure_pixels(fig)
    for block, left in heatmaps:
        paste(pixels, block, left, height - 250 - side)
    return png(pixels)
