"""Progress rules: streaks in the learner's time zone, mastery, XP and the next step."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from engine.commands import LINE
from engine.domain.records import Attempt, LearnerRecord
from engine.domain.replies import render_invocations
from engine.learning.curriculum import default_curriculum
from engine.learning.progress import (
    DEMO_XP,
    FIRST_CORRECT_XP,
    LESSON_XP,
    MASTERY_TARGET,
    REPEAT_CORRECT_XP,
    WRONG_XP,
    active_days,
    mastery,
    streaks,
    summarize,
    total_xp,
)
from engine.learning.quizzes import choose_concept, pick_question

CUR = default_curriculum()
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def d(day: int) -> date:
    return date(2026, 1, day)


@pytest.mark.parametrize(("days", "today", "expected"), [
    ([], d(10), (0, 0)),
    ([d(10)], d(10), (1, 1)),
    ([d(1), d(2), d(3), d(5), d(6)], d(6), (2, 3)),
    ([d(1), d(2), d(3), d(5), d(6)], d(7), (2, 3)),  # yesterday counts until today ends
    ([d(1), d(2), d(3), d(5), d(6)], d(8), (0, 3)),
    ([d(6), d(5), d(5), d(4)], d(6), (3, 3)),  # order and repeats do not matter
    ([date(2025, 12, 31), d(1)], d(1), (2, 2)),  # across a year boundary
])
def test_streaks(days, today, expected):
    assert streaks(days, today) == expected


def attempt(question_id, correct, at=NOW, prompt_id=1):
    q = CUR.question(question_id)
    return Attempt(prompt_id, question_id, q.concept if q else "x", 0, correct, at)


def test_days_are_counted_in_the_learners_time_zone_across_midnight():
    # 04:30 and 05:30 UTC on Jan 10 are 23:30 (Jan 9) and 00:30 (Jan 10) in New York
    stamps = (datetime(2026, 1, 10, 4, 30, tzinfo=UTC), datetime(2026, 1, 10, 5, 30, tzinfo=UTC))
    new_york = LearnerRecord("America/New_York", demo_runs=stamps)
    assert active_days(new_york) == {d(9), d(10)}
    assert summarize(new_york, CUR, NOW, "x").current_streak == 2
    tokyo = LearnerRecord("Asia/Tokyo", demo_runs=stamps)
    assert active_days(tokyo) == {d(10)}
    assert summarize(tokyo, CUR, NOW, "x").current_streak == 1


def test_today_is_the_learners_local_today():
    # 23:30 UTC on Jan 10 is already Jan 11 in Warsaw: activity on Jan 9 (local) is too old
    late = datetime(2026, 1, 10, 23, 30, tzinfo=UTC)
    record = LearnerRecord("Europe/Warsaw", demo_runs=(datetime(2026, 1, 9, 12, tzinfo=UTC),))
    assert summarize(record, CUR, late, "x").current_streak == 0
    assert summarize(record, CUR, NOW, "x").current_streak == 1


def test_an_unknown_time_zone_falls_back_to_utc():
    record = LearnerRecord("Mars/Olympus_Mons", demo_runs=(NOW,))
    assert summarize(record, CUR, NOW, "x").timezone == "UTC"


def test_xp_rules():
    hard = next(q for q in CUR.questions if q.difficulty == 3)
    attempts = (attempt(hard.id, False), attempt(hard.id, True), attempt(hard.id, True),
                attempt("no-longer-exists", True))
    record = LearnerRecord(lessons_done={"what-is-ai": NOW, "neurons": NOW},
                           attempts=attempts, demo_runs=(NOW, NOW, NOW))
    expected = (2 * LESSON_XP + 3 * DEMO_XP + WRONG_XP + FIRST_CORRECT_XP * 3
                + REPEAT_CORRECT_XP + FIRST_CORRECT_XP * 1)
    assert total_xp(record, CUR) == expected


def test_mastery_counts_distinct_questions_by_their_latest_answer():
    qs = CUR.questions_for("tokenization")
    later = NOW + timedelta(minutes=1)
    attempts = [attempt(q.id, True) for q in qs[:MASTERY_TARGET - 1]]
    attempts += [attempt(qs[0].id, True), attempt(qs[1].id, False, later)]  # repeat, then wrong
    levels = {m.concept: m for m in mastery(LearnerRecord(attempts=tuple(attempts)), CUR)}
    token = levels["tokenization"]
    assert (token.answered, token.right) == (MASTERY_TARGET - 1, MASTERY_TARGET - 2)
    assert token.mastery == pytest.approx((MASTERY_TARGET - 2) / MASTERY_TARGET)
    full = tuple(attempt(q.id, True) for q in qs)
    assert {m.concept: m.mastery for m in mastery(LearnerRecord(attempts=full), CUR)}[
        "tokenization"] == 1.0
    assert levels["attention"].mastery == 0


def test_next_step_moves_from_reading_to_practising():
    def step(record):  # as Slack and the console write the commands it mentions
        return render_invocations(summarize(record, CUR, NOW, "x").next_step, LINE)

    assert "`/learn`" in step(LearnerRecord())
    read_one = LearnerRecord(lessons_done={CUR.lessons[0].id: NOW})
    assert f"`/quiz {CUR.lessons[0].concept}`" in step(read_one)
    mastered = tuple(attempt(q.id, True) for q in CUR.questions_for(CUR.lessons[0].concept))
    strong = LearnerRecord(lessons_done={CUR.lessons[0].id: NOW}, attempts=mastered)
    assert "lesson 2" in summarize(strong, CUR, NOW, "x").next_step


def test_quiz_chooses_weak_read_concepts_then_the_next_lesson():
    rng = random.Random(3)
    fresh = LearnerRecord()
    assert choose_concept(CUR, fresh, rng) == CUR.concepts[0]
    read = LearnerRecord(lessons_done={CUR.lessons[4].id: NOW})
    assert choose_concept(CUR, read, rng) == CUR.lessons[4].concept


def test_pick_question_prefers_unanswered_then_wrong_then_oldest():
    rng = random.Random(0)
    qs = sorted(CUR.questions_for("loss"), key=lambda q: q.id)
    t = [NOW + timedelta(minutes=i) for i in range(len(qs))]
    all_but_one = tuple(attempt(q.id, True, t[i]) for i, q in enumerate(qs[:-1]))
    assert pick_question(CUR, LearnerRecord(attempts=all_but_one), "loss", rng) == qs[-1]
    with_wrong = all_but_one + (attempt(qs[-1].id, True, t[-1]), attempt(qs[2].id, False, t[-1]))
    assert pick_question(CUR, LearnerRecord(attempts=with_wrong), "loss", rng) == qs[2]
    all_right = tuple(attempt(q.id, True, t[i]) for i, q in enumerate(qs))
    assert pick_question(CUR, LearnerRecord(attempts=all_right), "loss", rng) == qs[0]
