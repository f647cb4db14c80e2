"""What the scheduler posts: the daily channel quiz, its reveal, review reminders, the digest.

The daily question is drawn from the schedule's topic (or the whole bank), avoiding questions
the channel saw in the last ``NO_REPEAT``; the draw is seeded by the schedule and the date, so a
post retried after a crash asks the same question.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta

from engine.domain.replies import Button, Image, Reply
from engine.learning.curriculum import Curriculum
from engine.learning.quizzes import answer_buttons, option_label, question_message
from engine.learning.schedule import QuizSchedule
from engine.learning.schema import Question

NO_REPEAT = timedelta(days=60)


def pick_channel_question(curriculum: Curriculum, schedule: QuizSchedule, day: date,
                          recent: Collection[str]) -> Question:
    """The day's question: on the topic, not seen recently, the same on a retry."""
    pool = (curriculum.questions_for(schedule.topic) if schedule.topic
            else curriculum.questions)
    pool = tuple(sorted(pool, key=lambda q: q.id)) or tuple(curriculum.questions)
    fresh = [q for q in pool if q.id not in set(recent)]
    if not fresh:  # everything was asked lately: the one asked longest ago comes back
        order = list(recent)
        fresh = [max(pool, key=lambda q: order.index(q.id) if q.id in order else len(order))]
    rng = random.Random(f"{schedule.id}:{day.isoformat()}")
    return rng.choice(fresh)


def quiz_post(question: Question, curriculum: Curriculum, prompt_id: int,
              closes_at: datetime, schedule: QuizSchedule) -> Reply:
    """The channel message: the question, one button per answer, when answers close."""
    closes = closes_at.astimezone(schedule.tz)
    text = (f"☀️ **Daily quiz**\n\n{question_message(question, curriculum)}\n\n"
            f"_Answer with a button (only you see whether you were right). Answers close at "
            f"{closes:%H:%M} {schedule.timezone}; then I'll post the answer and how the "
            f"channel did._")
    return Reply(text, buttons=answer_buttons(question, prompt_id),
                 facts={"prompt_id": prompt_id, "question_id": question.id,
                        "concept": question.concept, "closes_at": closes_at.isoformat()})


def answer_counts(question: Question, choices: Sequence[int]) -> list[int]:
    """How many learners picked each option (``choices``: one pick per learner)."""
    counts = Counter(choices)
    return [counts.get(i, 0) for i in range(len(question.options))]


def reveal_post(question: Question, curriculum: Curriculum, per_option: Sequence[int],
                chart: Image) -> Reply:
    """The answer, its explanation, the chart of the channel's answers (``engine.jobs.reveal``
    renders it in the worker pool), "learn more"."""
    total = sum(per_option)
    right = per_option[question.answer]
    share = f" — {right} of {total} right ({right / total:.0%})" if total else " — no answers"
    text = (f"🔔 **Answers closed**{share}\n\n_{question.prompt}_\n\n"
            f"The answer: **{option_label(question, question.answer)}**\n\n"
            f"{question.explanation}")
    buttons = []
    lessons = curriculum.lessons_for(question.concept)
    if lessons:
        buttons.append(Button(f"run:/learn {lessons[0].id}", "Learn more", "primary"))
    if question.demo:
        buttons.append(Button(f"run:{question.demo}", "Run the demo"))
    buttons.append(Button(f"run:/quiz {question.concept}", "Another question"))
    return Reply(text, images=(chart,), buttons=tuple(buttons),
                 facts={"question_id": question.id, "answers": total, "right": right,
                        "per_option": list(per_option)})


def reminder_post(due: int) -> Reply:
    """The daily direct message about due reviews."""
    noun = "question is" if due == 1 else "questions are"
    return Reply(f"🧠 {due} {noun} due for review today — a couple of minutes now keeps them "
                 "from slipping away.",
                 buttons=(Button("run:/review", "Review now", "primary"),
                          Button("run:/settings reminders=off", "Stop reminders")),
                 facts={"due": due})
