"""Quiz rules: which question to ask next, and how questions and verdicts read in chat."""

from __future__ import annotations

import random

from engine.domain.records import Attempt, LearnerRecord
from engine.domain.replies import BUTTON_LABEL_MAX, Button, cmd
from engine.learning.curriculum import Curriculum
from engine.learning.progress import WEAK, latest_by_question, mastery, next_lesson
from engine.learning.schema import Question

LETTERS = "ABCDE"
DIFFICULTY = {1: "easy", 2: "medium", 3: "hard"}


def choose_concept(curriculum: Curriculum, record: LearnerRecord, rng: random.Random) -> str:
    """The concept to quiz when the learner names none.

    One of the three weakest concepts among the lessons read; when those are all solid, the
    concept of the next lesson on the path; when everything is read, any unmastered concept.
    """
    levels = {c.concept: c.mastery for c in mastery(record, curriculum)}
    read = [lesson.concept for lesson in curriculum.lessons if lesson.id in record.lessons_done]
    weak = sorted({c for c in read if levels[c] < WEAK}, key=lambda c: (levels[c], c))
    if weak:
        return rng.choice(weak[:3])
    upcoming = next_lesson(record, curriculum)
    if upcoming is not None:
        return upcoming.concept
    unmastered = sorted(c for c, level in levels.items() if level < 1.0)
    return rng.choice(unmastered or sorted(levels))


def pick_question(curriculum: Curriculum, record: LearnerRecord, concept: str,
                  rng: random.Random) -> Question:
    """A question on ``concept``: never answered first, then last answered wrong, then the
    one answered longest ago."""
    latest = latest_by_question(record.attempts)

    def rank(q: Question) -> tuple[int, float]:
        last = latest.get(q.id)
        if last is None:
            return (0, 0.0)
        return (1, 0.0) if not last.correct else (2, last.answered_at.timestamp())

    questions = sorted(curriculum.questions_for(concept), key=lambda q: q.id)
    best = min(rank(q) for q in questions)
    return rng.choice([q for q in questions if rank(q) == best])


def option_label(question: Question, index: int) -> str:
    """An option as its button shows it: ``B. option text``, or just ``False`` for a
    true/false question, whose buttons carry no letters (button labels and the verdict)."""
    if question.kind == "true_false":
        return question.options[index]
    return f"{LETTERS[index]}. {question.options[index]}"


def _chosen(question: Question, index: int) -> str:
    """The learner's choice as the buttons name it: ``B``, or ``True``/``False``."""
    return question.options[index] if question.kind == "true_false" else LETTERS[index]


def answer_label(question: Question, index: int) -> str:
    """A button label: the option's letter (the full options are in the message, lettered;
    a label would cut long ones), or True/False."""
    label = question.options[index] if question.kind == "true_false" else LETTERS[index]
    return label if len(label) <= BUTTON_LABEL_MAX else label[:BUTTON_LABEL_MAX - 1] + "…"


def answer_buttons(question: Question, prompt_id: int) -> tuple[Button, ...]:
    """One button per option, ``quiz:<prompt id>:<choice>`` (``/quiz``, reviews, daily posts)."""
    return tuple(Button(f"quiz:{prompt_id}:{i}", answer_label(question, i))
                 for i in range(len(question.options)))


def question_message(question: Question, curriculum: Curriculum) -> str:
    """The chat text of a quiz question, every option in full after its letter; the
    answer buttons carry the letters."""
    label = _lesson_label(question, curriculum)
    lines = [f"**Quiz · {label}** · {DIFFICULTY[question.difficulty]}", "", question.prompt, ""]
    if question.kind == "true_false":
        lines[-1] = "_True or false?_"
    else:
        lines[3:] = [option_label(question, i) for i in range(len(question.options))]
    if question.kind == "predict":
        lines += ["", f"_Predict, then answer: I'll run `{question.demo}` to settle it._"]
    return "\n".join(lines)


def verdict_message(question: Question, attempt: Attempt, curriculum: Curriculum, *,
                    repeat: bool, xp: int | None) -> str:
    """Right or wrong, the explanation and the lesson to revisit."""
    right = option_label(question, question.answer)
    if repeat:
        head = f"You already answered this one ({_chosen(question, attempt.choice)}); your first answer counts."
    elif attempt.correct:
        head = f"✅ **Right!** {right}"
    else:
        head = f"❌ **Not quite.** You chose {_chosen(question, attempt.choice)}; the answer is **{right}**."
    lines = [head, "", question.explanation]
    lessons = curriculum.lessons_for(question.concept)
    if lessons:
        lesson = lessons[0]
        lines += ["", f"Revisit lesson {curriculum.position(lesson.id)}, _{lesson.title}_: "
                      f"`{cmd('learn', str(lesson.id), 'topic')}`"]
    if xp:
        lines[0] += f" · +{xp} XP"
    return "\n".join(lines)


def _lesson_label(question: Question, curriculum: Curriculum) -> str:
    lessons = curriculum.lessons_for(question.concept)
    if not lessons:
        return question.concept
    return lessons[0].label or lessons[0].title
