"""Weekly points: mastery and consistency, weeks in the workspace's time zone, opt-outs."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.learning.leaderboard import (
    ACTIVE_DAY,
    DAILY_CAP,
    FIRST_TRY,
    RELEARNED,
    AttemptRecord,
    standings,
    week_bounds,
    weekly_scores,
)

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = datetime(2025, 3, 24, 8, tzinfo=UTC)  # Monday 09:00 in Warsaw


def att(learner, question, correct, at):
    return AttemptRecord(learner, question, correct, at)


def scores(attempts, now=MONDAY, tz=WARSAW):
    start, end = week_bounds(now, tz)
    return weekly_scores(attempts, tz, start, end)


def test_the_week_starts_monday_midnight_local_and_may_last_167_hours():
    start, end = week_bounds(datetime(2025, 3, 26, 12, tzinfo=UTC), WARSAW)
    assert start == datetime(2025, 3, 23, 23, tzinfo=UTC)  # Monday 00:00 CET
    assert end == datetime(2025, 3, 30, 22, tzinfo=UTC)  # next Monday 00:00 CEST
    assert end - start == timedelta(hours=167)
    # Sunday 23:30 local is still last week; Monday 00:30 local is this week
    sunday_late = datetime(2025, 3, 23, 22, 30, tzinfo=UTC)
    assert week_bounds(sunday_late, WARSAW)[1] == start


def test_points_add_mastery_and_active_days_and_ignore_speed():
    day2 = MONDAY + timedelta(days=1)
    board = scores([
        att(1, "a", True, MONDAY), att(1, "b", False, MONDAY), att(1, "b", True, day2),
        att(1, "c", False, MONDAY),
        att(2, "a", True, MONDAY + timedelta(hours=5)),  # slower than learner 1: same points
    ])
    assert board[1].first_try == 1 and board[1].relearned == 1 and board[1].active_days == 2
    assert board[1].points == FIRST_TRY + RELEARNED + 2 * ACTIVE_DAY
    assert board[2].points == FIRST_TRY + ACTIVE_DAY


def test_repeating_a_question_earns_nothing_more():
    once = scores([att(1, "a", True, MONDAY)])[1].points
    many = scores([att(1, "a", True, MONDAY + timedelta(minutes=m)) for m in range(20)])[1]
    assert many.points == once


def test_a_little_every_day_beats_one_cramming_session():
    cram = [att(1, f"q{i}", True, MONDAY + timedelta(minutes=i)) for i in range(30)]
    daily = [att(2, f"q{d}{i}", True, MONDAY + timedelta(days=d, minutes=i))
             for d in range(5) for i in range(3)]
    board = scores(cram + daily)
    assert board[1].first_try == DAILY_CAP  # only the first DAILY_CAP new questions count
    assert board[2].points > board[1].points


def test_answers_outside_the_week_do_not_count():
    last_week = MONDAY - timedelta(days=2)
    assert scores([att(1, "a", True, last_week)]) == {}


def test_opted_out_learners_are_never_shown_and_ranks_close_up():
    day = MONDAY
    board = scores([att(1, "a", True, day), att(2, "a", True, day), att(2, "b", True, day),
                    att(3, "a", True, day)])
    rows = standings(board, {1: "Ana", 2: "Bo", 3: "Cy"}, opted_out={2})
    assert [(r.rank, r.name) for r in rows] == [(1, "Ana"), (1, "Cy")]  # tie shares a rank
    assert all(r.learner_id != 2 for r in rows)


def test_ties_share_a_rank_and_are_listed_by_name_not_by_time():
    board = scores([att(1, "a", True, MONDAY), att(1, "b", True, MONDAY),
                    att(2, "a", True, MONDAY), att(3, "a", True, MONDAY)])
    rows = standings(board, {1: "Zed", 2: "bo", 3: "Al"}, opted_out=())
    assert [(r.rank, r.name) for r in rows] == [(1, "Zed"), (2, "Al"), (2, "bo")]
