"""Picture for live language-model training: the loss curve and what the model wrote.

Top: the training loss of every step (faint) and a smoothed line, with the validation
loss at the moments a sample was taken (lettered A, B, C, ...). Bottom: those samples, so
the learner can read the text turning from noise into English as the loss falls.
"""

from __future__ import annotations

import string
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from engine.plots.style import png_bytes
from engine.plots.text_glyphs import one_line

WIDTH_IN = 9.0
CURVE_HEIGHT_IN = 3.0
LINE_HEIGHT_IN = 0.165
WRAP_CHARS = 112
SMOOTHING_DIVISOR = 25  # the smoothing window is 1/25 of the run


@dataclass(frozen=True)
class SamplePoint:
    """Text written by the model at one step of training."""

    step: int
    val_loss: float
    text: str


def moving_average(values: Sequence[float], window: int) -> list[float]:
    """Centred moving average (no lag); the window shrinks near the ends."""
    half = max(0, window // 2)
    out = []
    for i in range(len(values)):
        part = values[max(0, i - half) : i + half + 1]
        out.append(sum(part) / len(part))
    return out


def _sample_lines(samples: Sequence[SamplePoint]) -> list[str]:
    lines: list[str] = []
    for letter, s in zip(string.ascii_uppercase, samples, strict=False):
        head = f"{letter}  step {s.step:>4}  val loss {s.val_loss:4.2f}  "
        body = textwrap.wrap(one_line(s.text), WRAP_CHARS - len(head), drop_whitespace=False)
        lines.append(head + (body[0] if body else ""))
        lines.extend(" " * len(head) + part for part in body[1:2])
    return lines


def render_lm_training(
    losses: Sequence[tuple[int, float]], samples: Sequence[SamplePoint], title: str
) -> bytes:
    """PNG of the loss curve with lettered sample points, and the samples below it."""
    lines = _sample_lines(samples)
    text_h = LINE_HEIGHT_IN * (len(lines) + 1.5)
    fig = Figure(figsize=(WIDTH_IN, CURVE_HEIGHT_IN + text_h))
    curve_frac = CURVE_HEIGHT_IN / (CURVE_HEIGHT_IN + text_h)
    ax = fig.add_axes((0.08, 1 - curve_frac + 0.14 * curve_frac, 0.9, 0.7 * curve_frac))
    if losses:
        steps, values = zip(*losses, strict=True)
        ax.plot(steps, values, color="#9ecae1", linewidth=0.8, label="training loss (each step)")
        ax.plot(steps, moving_average(values, len(values) // SMOOTHING_DIVISOR), color="#08519c",
                linewidth=2, label="training loss (smoothed)")
    for letter, s in zip(string.ascii_uppercase, samples, strict=False):
        ax.plot([s.step], [s.val_loss], "o", color="#e6550d", markersize=6)
        ax.annotate(letter, (s.step, s.val_loss), textcoords="offset points", xytext=(4, 6),
                    fontsize=9, fontweight="bold", color="#a63603")
    ax.plot([], [], "o", color="#e6550d", label="validation loss (held-out text)")
    ax.set_xlabel("training step", fontsize=9)
    ax.set_ylabel("loss (lower = better guesses)", fontsize=9)
    ax.set_ylim(bottom=0)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right", frameon=False)
    ax.set_title(title, fontsize=11)
    fig.text(0.02, (text_h - 0.15) / (CURVE_HEIGHT_IN + text_h), "\n".join(lines), va="top",
             ha="left", fontfamily="monospace", fontsize=8.5)
    return png_bytes(fig)
