"""A channel's daily quiz schedule and which quiz posts are due (pure: no clock, no storage).

A schedule says "post a question in this channel at 09:00 Europe/Warsaw on weekdays". The
scheduler asks ``due_occurrences(schedule, now_utc, since)`` which (channel, local date) posts
fell due in ``(since, now_utc]``; the claim table then makes sure each one is posted once.

Local wall-clock time is what people expect, so the UTC instant of a quiz moves when the
clocks change: 09:00 Europe/Warsaw is 08:00 UTC in winter and 07:00 UTC in summer.

- **Nonexistent local times** (the spring gap, e.g. 02:30 on the night clocks jump from 02:00
  to 03:00) are read with the offset in force *before* the gap, as RFC 5545 (iCalendar)
  prescribes: 02:30 becomes 03:30 local, one gap-length later, and the quiz still posts that
  day, once.
- **Ambiguous local times** (the autumn overlap, 02:30 happens twice) take the first one
  (``fold=0``). The claim key is the local date, so the second 02:30 never posts again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.domain.clock import zone
from engine.domain.errors import BadOption
from engine.domain.records import ChannelRef

DAYS = ("weekdays", "everyday")
WINDOW_MIN, WINDOW_MAX = 5, 24 * 60  # minutes answers stay open
CATCH_UP = timedelta(hours=6)  # a quiz found due later than this (bot was down) is skipped
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class QuizSchedule:
    """One channel's daily quiz: when (local time and zone), which days, what topic, how long."""

    channel: ChannelRef
    at: time
    timezone: str = "UTC"
    days: str = "weekdays"
    topic: str | None = None  # a concept slug, or None for the whole curriculum
    window_minutes: int = 60
    paused: bool = False
    id: int | None = None  # the database id once stored
    active_since: datetime | None = None  # set, changed or resumed then: no earlier posts

    def __post_init__(self) -> None:
        zone(self.timezone)  # raises BadOption for an unknown zone
        if self.days not in DAYS:
            raise BadOption(f"`days` must be one of {', '.join(DAYS)}; got '{self.days}'")
        if not WINDOW_MIN <= self.window_minutes <= WINDOW_MAX:
            raise BadOption(f"`window` must be {WINDOW_MIN} to {WINDOW_MAX} minutes; "
                            f"got {self.window_minutes}")

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def runs_on(self, day: date) -> bool:
        """True when the quiz posts on this local date (weekdays are Monday to Friday)."""
        return self.days == "everyday" or day.weekday() < 5

    def since(self, now_utc: datetime) -> datetime:
        """The lower bound for ``due_occurrences``: the catch-up window, never before the
        schedule took effect (a quiz set at 10:00 for 09:00 starts tomorrow)."""
        floor = now_utc - CATCH_UP
        return max(floor, self.active_since) if self.active_since else floor

    def describe(self) -> str:
        """One line for people: ``09:00 Europe/Warsaw, weekdays, topic attention, 60 min``."""
        topic = self.topic or "any topic"
        state = " (paused)" if self.paused else ""
        return (f"{self.at:%H:%M} {self.timezone}, {self.days}, {topic}, answers open "
                f"{self.window_minutes} min{state}")


@dataclass(frozen=True)
class Occurrence:
    """One due post: the schedule, the local date it belongs to and its UTC instant."""

    schedule: QuizSchedule
    local_date: date
    post_at: datetime  # UTC


def parse_hhmm(text: str, option: str = "time") -> time:
    """``"9:05"`` or ``"09:05"`` -> ``time(9, 5)``; anything else names the option and format."""
    match = _HHMM.match(text.strip())
    if match is None:
        raise BadOption(f"`{option}` must be a 24-hour time like 09:00 or 17:30; got '{text}'")
    return time(int(match.group(1)), int(match.group(2)))


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz`` (gap: offset before it)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)  # fold=0: first/pre-gap offset


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar date in ``tz`` at a UTC instant."""
    return instant.astimezone(tz).date()


def due_occurrences(schedule: QuizSchedule, now_utc: datetime,
                    since: datetime) -> list[Occurrence]:
    """The posts of ``schedule`` whose instant lies in ``(since, now_utc]``, oldest first.

    ``since`` is the caller's lower bound: typically ``max(schedule set up, now - CATCH_UP)``
    so a restart shortly after quiz time still posts it, while a quiz missed by hours is not
    posted out of context. A paused schedule has no occurrences.
    """
    _require_utc(now_utc)
    _require_utc(since)
    if schedule.paused or since >= now_utc:
        return []
    return [Occurrence(schedule, day, instant)
            for day, instant in _instants(schedule, since, now_utc)
            if since < instant <= now_utc]


def next_occurrence(schedule: QuizSchedule, after: datetime) -> Occurrence | None:
    """The first post strictly after ``after`` (None when paused)."""
    _require_utc(after)
    if schedule.paused:
        return None
    for day, instant in _instants(schedule, after, after + timedelta(days=9)):
        if instant > after:
            return Occurrence(schedule, day, instant)
    return None  # pragma: no cover - every schedule runs at least 5 days a week


def _instants(schedule: QuizSchedule, start: datetime,
              end: datetime) -> Iterator[tuple[date, datetime]]:
    """(local date, UTC instant) for each running day whose local date spans [start, end]."""
    tz = schedule.tz
    day = local_date(start, tz) - timedelta(days=1)  # offsets reach ±14 h: one day of margin
    last = local_date(end, tz) + timedelta(days=1)
    while day <= last:
        if schedule.runs_on(day):
            yield day, local_instant(day, schedule.at, tz)
        day += timedelta(days=1)


def _require_utc(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() != timedelta(0):
        raise ValueError(f"expected an aware UTC datetime, got {instant!r}")
