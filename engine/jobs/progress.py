"""/progress: picture a learner's record (rendering runs in a worker, off the event loop)."""

from __future__ import annotations

from engine.domain.replies import Image, Invocation, ProgressFn, Reply
from engine.learning.progress import ProgressSummary
from engine.plots.progress import render_progress


def run(summary: ProgressSummary, progress: ProgressFn) -> Reply:
    """Render the progress picture and the one-line summary."""
    png = render_progress(summary)
    streak = f"{summary.current_streak} day{'s' * (summary.current_streak != 1)}"
    text = (f"**Your progress** · {summary.lessons_done}/{summary.lessons_total} lessons · "
            f"streak {streak} (best {summary.best_streak}) · {summary.xp} XP\n"
            f"{summary.next_step}")
    mastered = sum(c.mastery >= 1 for c in summary.concepts)
    alt = (f"Progress of {summary.name}: {summary.lessons_done} of {summary.lessons_total} "
           f"lessons read, {mastered} of {len(summary.concepts)} topics mastered, streak "
           f"{summary.current_streak} days (best {summary.best_streak}), {summary.xp} XP.")
    return Reply(
        text=text,
        images=(Image("progress.png", png, alt=alt),),
        ephemeral=True,
        command=Invocation("progress"),
        facts={"lessons_done": summary.lessons_done, "lessons_total": summary.lessons_total,
               "current_streak": summary.current_streak, "best_streak": summary.best_streak,
               "xp": summary.xp,
               "mastery": {c.concept: round(c.mastery, 3) for c in summary.concepts}},
    )
