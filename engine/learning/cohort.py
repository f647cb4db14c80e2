"""The cohort digest: how a workspace's learners are doing over a period (pure).

- **Active learners per day**: learners with at least one answer that local day.
- **Quiz participation**: for each channel quiz posted, how many learners answered it.
- **Hardest concepts**: lowest first-try accuracy (each learner's first answer to each
  question within the period), then most FSRS lapses (wrong answers on questions a learner
  had already reviewed); concepts with no first tries in the period are left out.
- **Most common wrong answers**: the (question, option) pairs picked wrongly most often.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.domain.records import ChannelPrompt
from engine.learning.curriculum import Curriculum
from engine.learning.leaderboard import AttemptRecord
from engine.learning.schedule import local_date, local_instant

TOP = 3


@dataclass(frozen=True)
class ConceptStat:
    """How hard one concept was for the group."""

    concept: str
    label: str
    first_tries: int
    first_try_right: int
    lapses: int

    @property
    def accuracy(self) -> float:
        return self.first_try_right / self.first_tries if self.first_tries else 0.0


@dataclass(frozen=True)
class WrongAnswer:
    """An option learners picked wrongly, and how often."""

    question_id: str
    prompt: str
    option: str
    count: int


@dataclass(frozen=True)
class CohortReport:
    """Everything ``/cohort`` shows, for one workspace and period."""

    start: date
    days: tuple[date, ...]
    active: tuple[int, ...]  # learners active each day
    learners: int  # distinct learners active in the period
    quizzes: tuple[ChannelPrompt, ...]
    hardest: tuple[ConceptStat, ...]
    wrong: tuple[WrongAnswer, ...]


def cohort_report(attempts: Sequence[AttemptRecord], prompts: Sequence[ChannelPrompt],
                  lapses: Mapping[str, int], curriculum: Curriculum, tz: ZoneInfo,
                  start: datetime, days: int = 7) -> CohortReport:
    """Summarise ``days`` local days from ``start`` (UTC) for the digest and ``/cohort``."""
    first_day = local_date(start, tz)
    calendar = tuple(first_day + timedelta(days=i) for i in range(days))
    per_day: dict[date, set[int]] = defaultdict(set)
    for attempt in attempts:
        per_day[local_date(attempt.at, tz)].add(attempt.learner_id)
    return CohortReport(
        start=first_day, days=calendar,
        active=tuple(len(per_day.get(day, ())) for day in calendar),
        learners=len({a.learner_id for a in attempts}),
        quizzes=tuple(sorted(prompts, key=lambda p: p.created_at)),
        hardest=hardest_concepts(attempts, lapses, curriculum),
        wrong=common_wrong_answers(attempts, curriculum))


def digest_window(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the week before ``monday``: the week a Monday digest reports."""
    midnight = time(0, 0)
    return (local_instant(monday - timedelta(days=7), midnight, tz),
            local_instant(monday, midnight, tz))


def hardest_concepts(attempts: Iterable[AttemptRecord], lapses: Mapping[str, int],
                     curriculum: Curriculum, top: int = TOP) -> tuple[ConceptStat, ...]:
    """Concepts by lowest first-try accuracy, ties broken by most lapses."""
    firsts: dict[tuple[int, str], AttemptRecord] = {}
    for attempt in sorted(attempts, key=lambda a: a.at):
        firsts.setdefault((attempt.learner_id, attempt.question_id), attempt)
    tries: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for attempt in firsts.values():
        concept = _concept(attempt, curriculum)
        tries[concept] += 1
        right[concept] += attempt.correct
    lapsed: Counter[str] = Counter()
    for question_id, count in lapses.items():
        question = curriculum.question(question_id)
        if question is not None:
            lapsed[question.concept] += count
    stats = [ConceptStat(c, _label(curriculum, c), tries[c], right[c], lapsed[c]) for c in tries]
    stats.sort(key=lambda s: (s.accuracy, -s.lapses, -s.first_tries, s.concept))
    return tuple(stats[:top])


def common_wrong_answers(attempts: Iterable[AttemptRecord], curriculum: Curriculum,
                         top: int = TOP) -> tuple[WrongAnswer, ...]:
    """The wrong options picked most often (questions no longer in the bank are skipped)."""
    counts = Counter((a.question_id, a.choice) for a in attempts
                     if not a.correct and a.choice is not None)
    rows = []
    for (question_id, choice), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        question = curriculum.question(question_id)
        if question is None or not 0 <= choice < len(question.options):
            continue
        rows.append(WrongAnswer(question_id, _short(question.prompt), question.options[choice],
                                count))
    return tuple(rows[:top])


def cohort_text(report: CohortReport, workspace_name: str = "this group") -> str:
    """The digest in chat markdown (the picture shows the same numbers)."""
    end = report.days[-1]
    lines = [f"**Cohort digest · {workspace_name} · {report.start:%a %d %b} – {end:%a %d %b}**",
             f"- Active learners: **{report.learners}** this period; per day "
             + ", ".join(f"{d:%a} {n}" for d, n in zip(report.days, report.active, strict=True))]
    if report.quizzes:
        answered = [q.answers for q in report.quizzes]
        lines.append(f"- Daily quizzes: {len(answered)} posted, {sum(answered)} answers "
                     f"(average {sum(answered) / len(answered):.1f} per quiz)")
    else:
        lines.append("- Daily quizzes: none posted (set one with `/quiz-schedule`)")
    if report.hardest:
        lines.append("- Hardest concepts: " + "; ".join(
            f"_{s.label}_ {s.accuracy:.0%} right first time ({s.first_tries} tries, "
            f"{s.lapses} lapses)" for s in report.hardest))
    for wrong in report.wrong:
        lines.append(f"- Common wrong answer ×{wrong.count}: “{wrong.option}” to _{wrong.prompt}_")
    if not report.learners:
        lines.append("_No answers yet in this period._")
    return "\n".join(lines)


def _concept(attempt: AttemptRecord, curriculum: Curriculum) -> str:
    if attempt.concept:
        return attempt.concept
    question = curriculum.question(attempt.question_id)
    return question.concept if question else "unknown"


def _label(curriculum: Curriculum, concept: str) -> str:
    lessons = curriculum.lessons_for(concept)
    if not lessons:
        return concept
    return getattr(lessons[0], "label", None) or lessons[0].title


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
