"""/cohort and the weekly digest: picture a workspace's report (rendering runs in a worker)."""

from __future__ import annotations

from engine.domain.replies import Image, ProgressFn, Reply
from engine.learning.cohort import CohortReport, cohort_text
from engine.plots.daily import cohort_chart


def run(report: CohortReport, progress: ProgressFn) -> Reply:
    """The cohort picture and its text."""
    image = Image("cohort.png", cohort_chart(report),
                  alt="Active learners per day, answers per daily quiz, hardest concepts")
    return Reply(cohort_text(report), images=(image,),
                 facts={"learners": report.learners, "active": list(report.active),
                        "quizzes": len(report.quizzes),
                        "hardest": [s.concept for s in report.hardest]})
