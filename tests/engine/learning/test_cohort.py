"""The cohort digest: active days, hardest concepts and common wrong answers from answers."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.domain.records import ChannelPrompt
from engine.learning.cohort import (
    cohort_report,
    cohort_text,
    common_wrong_answers,
    digest_window,
    hardest_concepts,
)
from engine.learning.curriculum import default_curriculum
from engine.learning.leaderboard import AttemptRecord
from engine.plots.daily import answers_chart, cohort_chart

CUR = default_curriculum()
WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = datetime(2025, 3, 24, 8, tzinfo=UTC)  # 09:00 local


def two_concepts():
    a, b = CUR.concepts[:2]
    return CUR.questions_for(a), CUR.questions_for(b)


def answer(learner, question, right, at, choice=None):
    if choice is None:
        choice = question.answer if right else (question.answer + 1) % len(question.options)
    return AttemptRecord(learner, question.id, right, at, question.concept, choice)


def test_hardest_concept_is_the_one_with_lowest_first_try_accuracy():
    easy, hard = two_concepts()
    attempts = [answer(1, easy[0], True, MONDAY), answer(2, easy[0], True, MONDAY),
                answer(1, hard[0], False, MONDAY), answer(2, hard[0], True, MONDAY),
                # a later right answer does not change the first try
                answer(1, hard[0], True, MONDAY + timedelta(hours=1))]
    stats = hardest_concepts(attempts, {}, CUR)
    assert [s.concept for s in stats] == [hard[0].concept, easy[0].concept]
    assert stats[0].accuracy == 0.5 and stats[0].first_tries == 2


def test_lapses_break_ties_in_accuracy():
    a, b = two_concepts()
    attempts = [answer(1, a[0], True, MONDAY), answer(1, b[0], True, MONDAY)]
    stats = hardest_concepts(attempts, {b[1].id: 4}, CUR)
    assert stats[0].concept == b[0].concept and stats[0].lapses == 4


def test_most_common_wrong_answers_name_the_option():
    q = CUR.questions_for(CUR.concepts[0])[0]
    wrong = (q.answer + 1) % len(q.options)
    attempts = [answer(i, q, False, MONDAY, wrong) for i in range(3)]
    attempts.append(answer(9, q, False, MONDAY, (q.answer + 2) % len(q.options)))
    top = common_wrong_answers(attempts, CUR)
    assert top[0].option == q.options[wrong] and top[0].count == 3


def test_report_counts_active_learners_per_local_day_and_renders():
    q = CUR.questions[0]
    sunday_night = datetime(2025, 3, 23, 23, 30, tzinfo=UTC)  # Monday 00:30 in Warsaw
    attempts = [answer(1, q, True, sunday_night), answer(2, q, True, MONDAY),
                answer(1, q, True, MONDAY + timedelta(days=2))]
    prompts = [ChannelPrompt(1, q.id, "C1", MONDAY, 2)]
    start, _ = digest_window(date(2025, 3, 31), WARSAW)
    report = cohort_report(attempts, prompts, {}, CUR, WARSAW, start)
    assert report.days[0] == date(2025, 3, 24) and report.active[:3] == (2, 0, 1)
    assert report.learners == 2
    text = cohort_text(report, "Acme")
    assert "Active learners: **2**" in text and "1 posted, 2 answers" in text
    assert cohort_chart(report)[:8] == b"\x89PNG\r\n\x1a\n"
    assert cohort_chart(report) == cohort_chart(report)  # deterministic bytes


def test_digest_window_is_the_previous_local_week():
    start, end = digest_window(date(2025, 3, 31), WARSAW)
    assert start == datetime(2025, 3, 23, 23, tzinfo=UTC)  # Mon 24 Mar 00:00 CET
    assert end == datetime(2025, 3, 30, 22, tzinfo=UTC)  # Mon 31 Mar 00:00 CEST


def test_an_empty_period_says_so_and_still_draws():
    start, _ = digest_window(date(2025, 3, 31), WARSAW)
    report = cohort_report([], [], {}, CUR, WARSAW, start)
    assert "No answers yet" in cohort_text(report)
    assert cohort_chart(report)[:4] == b"\x89PNG"
    assert answers_chart(["A", "B"], [0, 0], 0, "t")[:4] == b"\x89PNG"
