"""The /progress picture: mastery per concept, lessons read, streaks and XP."""

from __future__ import annotations

import re

from matplotlib.figure import Figure

from engine.domain.replies import Invocation, render_invocations
from engine.learning.progress import WEAK, ProgressSummary
from engine.plots.style import INK, MUTED, png_bytes

WIDTH, ROW_HEIGHT, HEADER = 8.0, 0.27, 1.45  # inches
NONE, LOW, MID, DONE = "#d0d7de", "#ffb77a", "#8cc8ff", "#5cc46b"


def _colour(mastery: float) -> str:
    if mastery <= 0:
        return NONE
    if mastery < WEAK:
        return LOW
    return MID if mastery < 1 else DONE


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


class _PictureSyntax:
    """Commands in a picture every platform shows: ``/quiz (topic: attention)``."""

    def invocation(self, invocation: Invocation) -> str:
        given = [*([(invocation.text_name, invocation.text)] if invocation.text else []),
                 *invocation.options]
        details = ", ".join(f"{name}: {value}" for name, value in given)
        return f"/{invocation.command}" + (f" ({details})" if details else "")


def plain(text: str) -> str:
    """Markdown subset to plain text for the picture."""
    return re.sub(r"[*_`]", "", render_invocations(text, _PictureSyntax()))


def render_progress(summary: ProgressSummary) -> bytes:
    """A PNG of the learner's progress (fixed width, height grows with the concepts)."""
    rows = len(summary.concepts)
    height = HEADER + ROW_HEIGHT * rows + 0.6
    fig = Figure(figsize=(WIDTH, height))
    top = 1 - 0.25 / height
    fig.text(0.03, top, f"Progress · {summary.name}", fontsize=15, weight="bold", color=INK,
             va="top")
    stats = (f"Lessons {summary.lessons_done}/{summary.lessons_total}   ·   "
             f"Streak {_days(summary.current_streak)} (best {summary.best_streak})   ·   "
             f"{summary.xp} XP")
    fig.text(0.03, top - 0.42 / height, stats, fontsize=11.5, color=INK, va="top")
    fig.text(0.03, top - 0.75 / height, plain(summary.next_step), fontsize=9.5, color=MUTED,
             va="top", wrap=True)
    ax = fig.add_axes((0.33, 0.45 / height, 0.6, (ROW_HEIGHT * rows) / height))
    ys = list(range(rows))[::-1]  # path order from the top
    levels = [c.mastery for c in summary.concepts]
    ax.barh(ys, [1.0] * rows, color="#f6f8fa", height=0.72)
    ax.barh(ys, levels, color=[_colour(m) for m in levels], height=0.72)
    labels = [("● " if c.lesson_read else "○ ") + c.label for c in summary.concepts]
    ax.set_yticks(ys, labels, fontsize=9, color=INK)
    for y, c in zip(ys, summary.concepts, strict=True):
        ax.text(1.01, y, f"{c.mastery:.0%}", va="center", fontsize=8.5, color=MUTED)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.set_xticks([0, 0.5, 1], ["0%", "50%", "100%"], fontsize=8, color=MUTED)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    fig.text(0.03, 0.12 / height, f"● lesson read   ○ not yet   ·   mastery = 5 different "
             f"questions right · days in {summary.timezone}", fontsize=8, color=MUTED)
    return png_bytes(fig)
