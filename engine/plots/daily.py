"""Pictures for the daily quiz reveal (how the channel answered) and the cohort digest."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from engine.domain.text import shorten
from engine.learning.cohort import CohortReport
from engine.plots.style import INK, MUTED, PALETTE, png_bytes

RIGHT = "#2da44e"
WRONG = "#d0d7de"
LETTERS = "ABCDE"


def answers_chart(options: Sequence[str], counts: Sequence[int], answer: int,
                  title: str, lettered: bool = True) -> bytes:
    """Horizontal bars: how many picked each option; the right one is green. Options are
    lettered as their buttons are (True/False buttons carry no letters: ``lettered=False``)."""
    total = sum(counts)
    height = 0.6 * len(options) + 0.8
    fig = Figure(figsize=(8, height))
    ax = fig.add_subplot()
    rows = list(range(len(options)))[::-1]  # option A on top
    colours = [RIGHT if i == answer else WRONG for i in range(len(options))]
    ax.barh(rows, counts, color=colours, height=0.6)
    labels = [f"{LETTERS[i]}. {shorten(o, 38)}" if lettered else shorten(o, 38)
              for i, o in enumerate(options)]
    ax.set_yticks(rows, labels, fontsize=10, color=INK)
    for row, count in zip(rows, counts, strict=True):
        share = f" · {count / total:.0%}" if total else ""
        ax.text(count, row, f" {count}{share}", va="center", fontsize=10, color=INK)
    ax.set_xlim(0, max(max(counts, default=0), 1) * 1.3)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    fig.suptitle(f"{shorten(title, 80)} · {total} answer{'s' if total != 1 else ''}",
                 fontsize=11, color=INK, x=0.02, ha="left")
    fig.subplots_adjust(left=0.4, right=0.97, top=1 - 0.5 / height, bottom=0.1 / height)
    return png_bytes(fig)  # fixed margins: no tight_layout pass, one draw per chart


def cohort_chart(report: CohortReport) -> bytes:
    """Three panels: active learners per day, answers per daily quiz, hardest concepts."""
    fig = Figure(figsize=(12, 3.8))
    days, quizzes, hardest = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.3]})
    labels = [f"{d:%a}\n{d:%d}" for d in report.days]
    days.bar(range(len(labels)), report.active, color=PALETTE[0])
    days.set_xticks(range(len(labels)), labels, fontsize=8)
    _style(days, "Active learners per day")
    if report.quizzes:
        quiz_labels = [f"{q.created_at:%a}\n{q.created_at:%d}" for q in report.quizzes]
        quizzes.bar(range(len(quiz_labels)), [q.answers for q in report.quizzes],
                    color=PALETTE[1])
        quizzes.set_xticks(range(len(quiz_labels)), quiz_labels, fontsize=8)
    else:
        _empty(quizzes, "no daily quizzes")
    _style(quizzes, "Answers per daily quiz")
    if report.hardest:
        rows = list(range(len(report.hardest)))[::-1]
        hardest.barh(rows, [100 * s.accuracy for s in report.hardest], color=PALETTE[3])
        hardest.set_yticks(rows, [shorten(s.label, 22) for s in report.hardest], fontsize=9)
        hardest.set_xlim(0, 100)
        for row, stat in zip(rows, report.hardest, strict=True):
            hardest.text(100 * stat.accuracy, row, f" {stat.accuracy:.0%} · {stat.lapses} lapses",
                         va="center", fontsize=8, color=INK)
    else:
        _empty(hardest, "no answers yet")
    _style(hardest, "Hardest: % right first try")
    fig.tight_layout()
    return png_bytes(fig)


def _style(ax, title: str) -> None:
    ax.set_title(title, fontsize=10, color=INK, loc="left")
    ax.tick_params(colors=MUTED, labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", color=MUTED, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


