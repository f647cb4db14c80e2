"""The weekly leaderboard: points for knowing and for showing up, never for being fast.

The week runs from Monday 00:00 to the next Monday 00:00 in the workspace's time zone (so a
week across a clock change lasts 167 or 169 hours). Points for one learner and one week:

    points = 10 x questions right on the first try this week        (mastery)
           +  5 x questions got wrong, then right later this week     (mastery, relearned)
           + 20 x days with at least one answer (local days, max 7)   (consistency)

- Each question counts once a week, however often it is answered, so repeating an easy
  question earns nothing; at most ``DAILY_CAP`` new questions a day count, so one long
  cramming session cannot beat a few minutes every day.
- Time never counts: answering first, or quickly, earns nothing. Equal points share a rank.
- Learners who opted out (``/settings leaderboard=off``) are left out before ranking, so
  they are never shown and the ranks of the others have no gaps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.learning.schedule import local_date, local_instant

FIRST_TRY = 10
RELEARNED = 5
ACTIVE_DAY = 20
DAILY_CAP = 10  # new questions per local day that earn points


@dataclass(frozen=True)
class AttemptRecord:
    """One answer, as the leaderboard and the cohort digest see it."""

    learner_id: int
    question_id: str
    correct: bool
    at: datetime  # UTC
    concept: str = ""
    choice: int | None = None  # the option picked (for "most common wrong answers")


@dataclass(frozen=True)
class Score:
    """A learner's week, with the parts that make up the points."""

    learner_id: int
    first_try: int = 0
    relearned: int = 0
    active_days: int = 0

    @property
    def points(self) -> int:
        return FIRST_TRY * self.first_try + RELEARNED * self.relearned + ACTIVE_DAY * self.active_days


@dataclass(frozen=True)
class Standing:
    """One row of the board."""

    rank: int
    learner_id: int
    name: str
    score: Score


def week_bounds(now_utc: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the week holding ``now_utc``: Monday 00:00 local to Monday 00:00."""
    today = local_date(now_utc, tz)
    monday = today - timedelta(days=today.weekday())
    midnight = datetime.min.time()
    return (local_instant(monday, midnight, tz),
            local_instant(monday + timedelta(days=7), midnight, tz))


def weekly_scores(attempts: Iterable[AttemptRecord], tz: ZoneInfo, start: datetime,
                  end: datetime) -> dict[int, Score]:
    """Scores of every learner with an answer in ``[start, end)``, by learner id."""
    by_learner: dict[int, list[AttemptRecord]] = defaultdict(list)
    for attempt in attempts:
        if start <= attempt.at.astimezone(UTC) < end:
            by_learner[attempt.learner_id].append(attempt)
    return {learner: _score(learner, sorted(rows, key=lambda a: a.at), tz)
            for learner, rows in by_learner.items()}


def _score(learner_id: int, attempts: list[AttemptRecord], tz: ZoneInfo) -> Score:
    counted = _counted(attempts, tz)
    first_try = relearned = 0
    for answers in counted.values():
        if answers[0]:
            first_try += 1
        elif any(answers[1:]):
            relearned += 1
    days = {local_date(a.at, tz) for a in attempts}
    return Score(learner_id, first_try, relearned, min(len(days), 7))


def _counted(attempts: list[AttemptRecord], tz: ZoneInfo) -> dict[str, list[bool]]:
    """Per question, its answers in time order; a question only counts if it was among the
    first ``DAILY_CAP`` new questions of the day it was first answered."""
    answers: dict[str, list[bool]] = {}
    new_per_day: dict[date, int] = defaultdict(int)
    for attempt in attempts:
        if attempt.question_id not in answers:
            day = local_date(attempt.at, tz)
            if new_per_day[day] >= DAILY_CAP:
                continue
            new_per_day[day] += 1
            answers[attempt.question_id] = []
        answers[attempt.question_id].append(attempt.correct)
    return answers


def standings(scores: Mapping[int, Score], names: Mapping[int, str],
              opted_out: Collection[int], limit: int = 10) -> list[Standing]:
    """The top ``limit`` learners, opted-out ones removed first; ties share a rank and are
    listed by name (never by who answered first)."""
    shown = [s for learner, s in scores.items() if learner not in opted_out and s.points > 0]
    shown.sort(key=lambda s: (-s.points, names.get(s.learner_id, "").casefold(), s.learner_id))
    rows: list[Standing] = []
    for index, score in enumerate(shown):
        tied = rows and rows[-1].score.points == score.points
        rank = rows[-1].rank if tied else index + 1
        rows.append(Standing(rank, score.learner_id, names.get(score.learner_id, "someone"),
                             score))
    return rows[:limit]
