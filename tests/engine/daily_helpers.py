"""Test doubles for the daily scheduler: a settable clock, a recording Poster, fake sleeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from engine.domain.records import ChannelRef
from engine.domain.replies import Reply
from engine.learning.curriculum import default_curriculum
from engine.learning.schedule import QuizSchedule, parse_hhmm
from engine.services.scheduler import QuizScheduler, SchedulerConfig
from tests.engine.executors import ThreadExecutor


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Post:
    channel: ChannelRef
    reply: Reply
    at: datetime  # the scheduler's clock when posted
    mono: float  # the fake monotonic time when posted


@dataclass
class Board:
    """A fake chat platform: records posts; fake sleeping advances a monotonic counter."""

    clock: Clock
    posts: list[Post] = field(default_factory=list)
    mono: float = 0.0
    slept: list[float] = field(default_factory=list)
    fail: bool = False

    async def post(self, channel: ChannelRef, reply: Reply) -> str:
        if self.fail:
            raise ConnectionError("platform down")
        self.posts.append(Post(channel, reply, self.clock(), self.mono))
        return f"msg-{len(self.posts)}"

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.mono += seconds

    def monotonic(self) -> float:
        return self.mono

    def kinds(self) -> list[str]:
        """What was posted: quiz, reveal, reminder or digest (from the reply's text)."""
        names = {"Cohort digest": "digest", "Daily quiz": "quiz", "Answers closed": "reveal",
                 "due for review": "reminder"}
        return [next(v for k, v in names.items() if k in p.reply.text) for p in self.posts]


async def curriculum():
    return default_curriculum()


def make_scheduler(store, board: Board, name: str = "a", executor=None,
                   **config) -> QuizScheduler:
    return QuizScheduler(store, curriculum, {"slack": board.post, "console": board.post},
                         executor or ThreadExecutor(),
                         clock=board.clock, sleep=board.sleep, monotonic=board.monotonic,
                         config=SchedulerConfig(**config), instance=name)


LONG_AGO = utc(2025, 1, 1)


def add_schedule(store, channel="C1", at="09:00", tz="Europe/Warsaw", days="everyday",
                 since=LONG_AGO, workspace="T1", **kw) -> QuizSchedule:
    schedule = QuizSchedule(ChannelRef("slack", workspace, channel), parse_hhmm(at), tz, days,
                            **kw)
    return store.schedules.save_schedule(schedule, now=since)
