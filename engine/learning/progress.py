"""Progress rules: mastery per concept, streaks in the learner's time zone, XP, what next.

Everything here is derived from the stored record (lessons read, answers, demo runs), so it is
always consistent with the rows, including after content changes or a deletion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from engine.domain.clock import zone
from engine.domain.records import Attempt, LearnerRecord
from engine.domain.replies import cmd
from engine.learning.curriculum import Curriculum

LESSON_XP = 10  # reading a lesson, once per lesson
DEMO_XP = 2  # running a demo
FIRST_CORRECT_XP = 10  # × difficulty, the first time a question is answered right
REPEAT_CORRECT_XP = 2  # answering a question right again
WRONG_XP = 1  # effort counts
MASTERY_TARGET = 5  # distinct questions whose latest answer is right = mastered
WEAK = 0.6  # below this mastery a concept is worth practising


@dataclass(frozen=True)
class ConceptMastery:
    """How well a learner knows one concept."""

    concept: str
    label: str
    mastery: float  # 0..1
    answered: int  # distinct questions answered
    right: int  # distinct questions whose latest answer is right
    lesson_read: bool = False


@dataclass(frozen=True)
class ProgressSummary:
    """The learner's record as the /progress picture shows it."""

    name: str
    concepts: tuple[ConceptMastery, ...]
    lessons_done: int
    lessons_total: int
    current_streak: int
    best_streak: int
    xp: int
    next_step: str
    timezone: str
    today: date


def active_days(record: LearnerRecord) -> set[date]:
    """Local calendar days (learner's time zone) with any activity."""
    tz = zone(record.timezone, fallback="UTC")
    stamps = [*record.lessons_done.values(), *(a.answered_at for a in record.attempts),
              *record.demo_runs]
    return {stamp.astimezone(tz).date() for stamp in stamps}


def streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, best) runs of consecutive active days.

    The current streak ends today, or yesterday if the learner has not been active yet
    today (the day is not over); otherwise it is 0.
    """
    ordered = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    alive = previous is not None and today - previous <= timedelta(days=1)
    return (run if alive else 0), best


def latest_by_question(attempts: Iterable[Attempt]) -> dict[str, Attempt]:
    """Each question's most recent attempt (attempts come oldest first)."""
    latest: dict[str, Attempt] = {}
    for attempt in attempts:
        latest[attempt.question_id] = attempt
    return latest


def mastery(record: LearnerRecord, curriculum: Curriculum) -> tuple[ConceptMastery, ...]:
    """Mastery per concept: distinct questions whose latest answer is right, over a target."""
    latest = latest_by_question(record.attempts)
    result = []
    for concept in curriculum.concepts:
        ids = {q.id for q in curriculum.questions_for(concept)}
        answered = [a for qid, a in latest.items() if qid in ids]
        right = sum(a.correct for a in answered)
        target = min(MASTERY_TARGET, len(ids)) or 1
        read = any(le.id in record.lessons_done for le in curriculum.lessons_for(concept))
        result.append(ConceptMastery(concept, concept_label(curriculum, concept),
                                     min(1.0, right / target), len(answered), right, read))
    return tuple(result)


def concept_label(curriculum: Curriculum, concept: str) -> str:
    """A short name for a concept (its first lesson's label or title)."""
    lessons = curriculum.lessons_for(concept)
    if not lessons:
        return concept
    return lessons[0].label or lessons[0].title


def attempt_xp(difficulty: int, correct: bool, right_before: bool) -> int:
    """XP for one answer, given whether this question had been answered right before."""
    if not correct:
        return WRONG_XP
    return REPEAT_CORRECT_XP if right_before else FIRST_CORRECT_XP * difficulty


def total_xp(record: LearnerRecord, curriculum: Curriculum) -> int:
    """XP from lessons read, answers and demo runs."""
    xp = LESSON_XP * len(record.lessons_done) + DEMO_XP * len(record.demo_runs)
    right_before: set[str] = set()
    for attempt in record.attempts:
        question = curriculum.question(attempt.question_id)
        difficulty = question.difficulty if question else 1
        xp += attempt_xp(difficulty, attempt.correct, attempt.question_id in right_before)
        if attempt.correct:
            right_before.add(attempt.question_id)
    return xp


def next_lesson(record: LearnerRecord, curriculum: Curriculum):
    """The first lesson on the path the learner has not read, or None when all are read."""
    return next((le for le in curriculum.lessons if le.id not in record.lessons_done), None)


def next_step(record: LearnerRecord, curriculum: Curriculum,
              concepts: tuple[ConceptMastery, ...]) -> str:
    """One sentence on what to do next."""
    upcoming = next_lesson(record, curriculum)
    if not record.lessons_done:
        return f"Start the path with lesson 1, _{upcoming.title}_: type `{cmd('learn')}`."
    read = {curriculum.lesson(i).concept for i in record.lessons_done if curriculum.lesson(i)}
    weak = [c for c in concepts if c.concept in read and c.mastery < WEAK]
    if weak:
        target = min(weak, key=lambda c: c.mastery)
        return (f"Practise _{target.label}_, your weakest topic so far "
                f"({target.mastery:.0%}): type `{cmd('quiz', target.concept, 'topic')}`.")
    if upcoming is not None:
        position = curriculum.position(upcoming.id)
        return f"Read lesson {position}, _{upcoming.title}_: type `{cmd('learn')}`."
    unmastered = [c for c in concepts if c.mastery < 1.0]
    if unmastered:
        target = min(unmastered, key=lambda c: c.mastery)
        return (f"You have read every lesson. Bring _{target.label}_ to 100%: "
                f"type `{cmd('quiz', target.concept, 'topic')}`.")
    return ("You have read every lesson and mastered every topic. Keep your streak with "
            f"`{cmd('quiz')}`.")


def summarize(record: LearnerRecord, curriculum: Curriculum, now: datetime,
              name: str) -> ProgressSummary:
    """The learner's progress at ``now`` (an aware datetime)."""
    concepts = mastery(record, curriculum)
    today = now.astimezone(zone(record.timezone, fallback="UTC")).date()
    current, best = streaks(active_days(record), today)
    known = {lesson.id for lesson in curriculum.lessons}
    return ProgressSummary(
        name=name, concepts=concepts,
        lessons_done=len(known & set(record.lessons_done)),
        lessons_total=len(curriculum.lessons), current_streak=current, best_streak=best,
        xp=total_xp(record, curriculum), next_step=next_step(record, curriculum, concepts),
        timezone=zone(record.timezone, fallback="UTC").key, today=today)
