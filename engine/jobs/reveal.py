"""A daily quiz's reveal: picture how the channel answered (rendering runs in a worker)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.domain.replies import Image, ProgressFn
from engine.learning.quizzes import option_label
from engine.learning.schema import Question
from engine.plots.daily import answers_chart


def run(question: Question, per_option: Sequence[int], progress: ProgressFn) -> Image:
    """A bar per option (``per_option[i]`` learners picked option i), the answer marked."""
    chart = answers_chart(question.options, per_option, question.answer, question.prompt,
                          lettered=question.kind != "true_false")
    return Image("daily-quiz-answers.png", chart,
                 alt="How the channel answered: " + ", ".join(
                     f"{option_label(question, i)}: {n}" for i, n in enumerate(per_option)))
