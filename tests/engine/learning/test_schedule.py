"""Daily quiz schedules: local wall-clock times across time zones and clock changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.domain.clock import zone
from engine.domain.errors import BadOption
from engine.domain.records import ChannelRef
from engine.learning.schedule import (
    CATCH_UP,
    QuizSchedule,
    due_occurrences,
    local_instant,
    next_occurrence,
    parse_hhmm,
)

CHANNEL = ChannelRef("slack", "T1", "C1")
WARSAW = ZoneInfo("Europe/Warsaw")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def schedule(at="09:00", tz="Europe/Warsaw", days="everyday", **kw) -> QuizSchedule:
    return QuizSchedule(CHANNEL, parse_hhmm(at), tz, days, **kw)


def posts_between(sched: QuizSchedule, start: datetime, end: datetime) -> list[datetime]:
    """Simulate a scheduler ticking every minute from start to end; collect the post instants."""
    posted, since, now = [], start, start
    while now < end:
        now += timedelta(minutes=1)
        posted += [o.post_at for o in due_occurrences(sched, now, since)]
        since = now
    return posted


def test_nine_oclock_warsaw_is_eight_utc_in_winter_and_seven_in_summer():
    sched = schedule()
    (winter,) = due_occurrences(sched, utc(2025, 1, 15, 8, 0), utc(2025, 1, 15, 7, 59))
    (summer,) = due_occurrences(sched, utc(2025, 7, 15, 7, 0), utc(2025, 7, 15, 6, 59))
    assert winter.post_at == utc(2025, 1, 15, 8) and winter.local_date == date(2025, 1, 15)
    assert summer.post_at == utc(2025, 7, 15, 7)
    assert due_occurrences(sched, utc(2025, 1, 15, 7, 59), utc(2025, 1, 15, 7)) == []


@pytest.mark.parametrize("start, end", [
    (utc(2025, 3, 28), utc(2025, 4, 2)),    # spring forward: Sunday 30 March 02:00 -> 03:00
    (utc(2025, 10, 24), utc(2025, 10, 29)),  # fall back: Sunday 26 October 03:00 -> 02:00
])
def test_a_daily_quiz_posts_at_nine_local_every_day_across_a_clock_change(start, end):
    sched = schedule()
    posted = posts_between(sched, start, end)
    assert [p.astimezone(WARSAW).time() for p in posted] == [time(9, 0)] * 5
    assert len({p.astimezone(WARSAW).date() for p in posted}) == 5
    offsets = {p.astimezone(WARSAW).utcoffset() for p in posted}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}  # both sides of the change


def test_a_time_in_the_spring_gap_posts_once_an_hour_later_that_day():
    sched = schedule("02:30")  # 30 March 2025: 02:00-03:00 does not exist in Warsaw
    posted = posts_between(sched, utc(2025, 3, 29, 12), utc(2025, 3, 31, 12))
    gap_day = [p for p in posted if p.astimezone(WARSAW).date() == date(2025, 3, 30)]
    assert len(gap_day) == 1
    assert gap_day[0].astimezone(WARSAW).time() == time(3, 30)  # read with the pre-gap offset
    assert len(posted) == 2  # 31 March posts at 02:30 as usual; none missed, none doubled


def test_a_time_repeated_in_the_autumn_overlap_posts_once_at_its_first_occurrence():
    sched = schedule("02:30")  # 26 October 2025: 02:00-03:00 happens twice in Warsaw
    posted = posts_between(sched, utc(2025, 10, 25, 12), utc(2025, 10, 26, 12))
    assert posted == [utc(2025, 10, 26, 0, 30)]  # 02:30 CEST, not 02:30 CET an hour later


def test_weekdays_skip_saturday_and_sunday_in_the_local_calendar():
    # 08:00 Monday in Auckland (UTC+13 in January) is 19:00 Sunday UTC: the local day decides
    sched = schedule("08:00", "Pacific/Auckland", "weekdays")
    posted = posts_between(sched, utc(2025, 1, 5), utc(2025, 1, 13))
    local_days = [p.astimezone(ZoneInfo("Pacific/Auckland")).strftime("%a") for p in posted]
    assert local_days == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon"]
    assert [p.strftime("%a") for p in posted] == ["Sun", "Mon", "Tue", "Wed", "Thu", "Sun"]


def test_a_late_tick_still_finds_todays_quiz_but_not_one_older_than_the_catch_up():
    sched = schedule()
    now = utc(2025, 1, 15, 10, 30)  # 2.5 hours after 09:00 local
    (late,) = due_occurrences(sched, now, now - CATCH_UP)
    assert late.post_at == utc(2025, 1, 15, 8)
    assert due_occurrences(sched, utc(2025, 1, 15, 20), utc(2025, 1, 15, 20) - CATCH_UP) == []


def test_paused_schedules_have_nothing_due_and_next_occurrence_skips_weekends():
    assert due_occurrences(schedule(paused=True), utc(2025, 1, 15, 9), utc(2025, 1, 15)) == []
    friday_evening = utc(2025, 1, 17, 18)
    upcoming = next_occurrence(schedule(days="weekdays"), friday_evening)
    assert upcoming.local_date == date(2025, 1, 20)  # Monday


def test_local_instant_round_trips_for_every_day_of_a_year():
    day = date(2025, 1, 1)
    for _ in range(365):
        instant = local_instant(day, time(9), WARSAW)
        assert instant.astimezone(WARSAW).replace(tzinfo=None) == datetime.combine(day, time(9))
        day += timedelta(days=1)


@pytest.mark.parametrize("bad, message", [
    ("25:00", "24-hour time"), ("9", "24-hour time"), ("nine", "24-hour time"),
])
def test_bad_times_name_the_option_and_the_format(bad, message):
    with pytest.raises(BadOption, match=message):
        parse_hhmm(bad)


def test_time_zones_are_checked_with_a_suggestion():
    assert zone("europe/warsaw") == WARSAW
    with pytest.raises(BadOption, match="did you mean Europe/Warsaw"):
        zone("Europe/Warsw")
    with pytest.raises(BadOption, match="IANA"):
        schedule(tz="Mars/Olympus")


def test_days_and_window_are_validated():
    with pytest.raises(BadOption, match="weekdays, everyday"):
        schedule(days="weekends")
    with pytest.raises(BadOption, match="window"):
        schedule(window_minutes=2)


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError, match="UTC"):
        due_occurrences(schedule(), datetime(2025, 1, 1), utc(2025, 1, 1))
