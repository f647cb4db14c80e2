"""Picture for /next-token: the top next-character probabilities at several temperatures.

One column per temperature: a bar chart of the most likely next characters, and under it
the text the model wrote when sampling at that temperature.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from engine.plots.png import figure_to_png
from engine.plots.text_glyphs import one_line, token_label

PANEL_WIDTH_IN = 3.4
HEIGHT_IN = 4.6
WRAP_CHARS = 34
PROMPT_TAIL_CHARS = 60


@dataclass(frozen=True)
class TemperaturePanel:
    """One column of the picture."""

    temperature: float
    tokens: Sequence[str]  # the top characters, most likely first
    probs: Sequence[float]  # their probabilities at this temperature (after top-k)
    continuation: str  # text sampled at this temperature
    highlight: bool = False  # the learner's own temperature


def _colour(temperature: float) -> tuple[float, float, float]:
    """Cool blue for careful low temperatures, warm red for wild high ones."""
    t = max(0.0, min(1.0, (temperature - 0.1) / 1.6))
    return (0.15 + 0.75 * t, 0.35, 0.85 - 0.65 * t)


def _bars(ax, panel: TemperaturePanel) -> None:
    n = len(panel.tokens)
    ys = list(range(n))[::-1]  # most likely at the top
    colour = _colour(panel.temperature)
    ax.barh(ys, panel.probs, color=colour, height=0.7)
    ax.set_yticks(ys, [token_label(t) for t in panel.tokens], fontfamily="monospace", fontsize=11)
    ax.set_xlim(0, 1.18)
    ax.set_xticks([0, 0.5, 1.0], ["0", "50%", "100%"], fontsize=8)
    for y, p in zip(ys, panel.probs, strict=True):
        ax.text(p + 0.02, y, f"{p:.0%}" if p >= 0.005 else "<1%", va="center", fontsize=8)
    title = f"temperature {panel.temperature:g}" + ("  (yours)" if panel.highlight else "")
    ax.set_title(title, fontsize=11, fontweight="bold" if panel.highlight else "normal",
                 color=colour)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _continuation(ax, panel: TemperaturePanel) -> None:
    ax.axis("off")
    lines = textwrap.wrap("\u2026" + one_line(panel.continuation), WRAP_CHARS,
                          drop_whitespace=False, replace_whitespace=False)[:6]
    ax.text(0.0, 1.0, "sampled:\n" + "\n".join(lines), va="top", ha="left",
            fontfamily="monospace", fontsize=8.5, transform=ax.transAxes)


def render_next_token(prompt: str, panels: Sequence[TemperaturePanel]) -> bytes:
    """PNG of the next-character probabilities and samples, one column per temperature."""
    if not panels:
        raise ValueError("need at least one temperature to draw")
    fig = Figure(figsize=(PANEL_WIDTH_IN * len(panels), HEIGHT_IN))
    grid = fig.add_gridspec(2, len(panels), height_ratios=(3.2, 1.0), hspace=0.22,
                            left=0.08, right=0.98, top=0.83, bottom=0.0, wspace=0.4)
    tail = one_line(prompt)
    tail = tail if len(tail) <= PROMPT_TAIL_CHARS else "\u2026" + tail[-PROMPT_TAIL_CHARS:]
    fig.suptitle(f"What comes after \u201c{tail}\u201d?", fontsize=12, fontfamily="monospace")
    fig.text(0.5, 0.9, "the tiny GPT's next-character probabilities (one character = one token)",
             ha="center", fontsize=9, color="0.35")
    for col, panel in enumerate(panels):
        _bars(fig.add_subplot(grid[0, col]), panel)
        _continuation(fig.add_subplot(grid[1, col]), panel)
    return figure_to_png(fig)
