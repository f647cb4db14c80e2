"""``tutorbot simulate-day``: watch a day of daily quizzes in about a minute.

A throw-away SQLite database gets three channel schedules, a few simulated classmates who
answer each quiz, one learner with a review due and a reminder set, and (on a Monday) the
weekly cohort digest. The real
``QuizScheduler`` then runs on a simulated clock (``speed`` simulated seconds per real second)
and everything it posts is printed, exactly as the console adapter prints replies.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.console.adapter import ConsoleAdapter
from engine.domain.clock import zone
from engine.domain.errors import TutorError
from engine.domain.records import ChannelRef, LearnerRef, LearnerSettings, WorkspaceSettings
from engine.domain.replies import Reply
from engine.learning.review import new_card, review
from engine.learning.schedule import QuizSchedule, local_instant
from engine.services.scheduler import QuizScheduler, SchedulerConfig
from engine.services.tutor import Tutor

WORKSPACE = "local"
SIMULATED_TZ = "UTC"
STEP = timedelta(minutes=5)  # simulated time between scheduler ticks
CLASSMATES = ("ana", "bo", "cy", "dee", "eli", "fay")
SCHEDULES = (  # channel, local time, topic, window minutes
    ("general", time(9, 0), None, 30),
    ("ml-club", time(12, 30), "attention", 45),
    ("product", time(17, 0), "product-cost", 60),
)


class SimClock:
    """The simulated 'now' shared by the Tutor and the scheduler."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class ConsoleBoard:
    """Prints what the scheduler posts; simulated classmates answer each quiz."""

    tutor: Tutor
    adapter: ConsoleAdapter
    clock: SimClock
    tz: str
    rng: random.Random
    out: TextIO

    async def post(self, channel: ChannelRef, reply: Reply) -> str:
        stamp = self.clock().astimezone(zone(self.tz))
        where = "DM to you" if channel.channel.startswith("@") else f"#{channel.channel}"
        print(f"\n── {stamp:%H:%M} · {where} " + "─" * 40, file=self.out)
        self.adapter.show(reply)
        if "prompt_id" in reply.facts and reply.buttons:
            await self._classmates_answer(reply)
        return f"console-{reply.facts.get('prompt_id', 'post')}"

    async def _classmates_answer(self, quiz: Reply) -> None:
        answered = []
        for name in self.rng.sample(CLASSMATES, self.rng.randint(3, len(CLASSMATES))):
            learner = LearnerRef("console", WORKSPACE, name, name.title())
            button = await self._guess(quiz)
            try:
                await self.tutor.press(learner, button)
            except TutorError:
                continue
            answered.append(name.title())
        print(f"   ({', '.join(answered)} answered)", file=self.out)

    async def _guess(self, quiz: Reply) -> str:
        """Classmates are right about two times in three."""
        question = (await self.tutor.learning.curriculum()).question(quiz.facts["question_id"])
        right = f"quiz:{quiz.facts['prompt_id']}:{question.answer}"
        return right if self.rng.random() < 0.65 else self.rng.choice(quiz.buttons).id


def seed_demo(tutor: Tutor, day: date, tz: str, start: datetime) -> None:
    """Schedules, a weekly digest channel (Mondays), and a learner with a review due."""
    store = tutor.store
    for channel, at, topic, window in SCHEDULES:
        store.schedules.save_schedule(QuizSchedule(ChannelRef("console", WORKSPACE, channel), at, tz,
                                         "everyday", topic, window), now=start)
    store.workspaces.save_workspace_settings(WorkspaceSettings("console", WORKSPACE, tz, "facilitators"))
    you = store.learners.upsert_learner(LearnerRef("console", WORKSPACE, "you", "You"))
    store.learners.save_learner_settings(you, LearnerSettings(tz, True, time(8, 0)))
    answered = start - timedelta(days=2)
    card = review(new_card("tok-01", answered), True, answered)  # due about now
    store.reviews.update_card(you, "tok-01", lambda _: card)


async def simulate_day(tutor: Tutor, clock: SimClock, out: TextIO, image_dir: Path, *,
                       day: date, tz: str, speed: float, seed: int = 7,
                       step: timedelta = STEP) -> int:
    """Run one local day of the schedule; returns how many posts were made."""
    start = local_instant(day, time(0, 0), zone(tz))
    end = local_instant(day + timedelta(days=1), time(0, 0), zone(tz))
    clock.now = start
    await asyncio.to_thread(seed_demo, tutor, day, tz, start)
    adapter = ConsoleAdapter(tutor, image_dir, out=out)
    board = ConsoleBoard(tutor, adapter, clock, tz, random.Random(seed), out)
    posts = 0

    async def count(channel: ChannelRef, reply: Reply) -> str:
        nonlocal posts
        posts += 1
        return await board.post(channel, reply)

    scheduler = QuizScheduler(tutor.store, tutor.learning.curriculum, {"console": count},
                              tutor.executor, clock=clock,
                              sleep=lambda s: asyncio.sleep(s / speed),
                              config=SchedulerConfig(), instance="simulate-day")
    print(f"Simulating {day:%A %d %B %Y} in {tz}: {len(SCHEDULES)} channels with a daily "
          f"quiz, {speed:g}x speed. Ctrl-C stops.", file=out)
    while clock.now < end:
        clock.now = min(clock.now + step, end)
        await scheduler.tick()
        await asyncio.sleep(step.total_seconds() / speed)
    print(f"\nEnd of the simulated day: {posts} posts.", file=out)
    return posts
