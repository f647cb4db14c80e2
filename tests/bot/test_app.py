"""The composition root: the scheduler beside an adapter stops in bounded time."""

import asyncio
import time

from bot import app as composition
from bot.app import running_scheduler
from engine.services.tutor import Tutor
from tests.engine.daily_helpers import Clock, add_schedule, utc
from tests.engine.executors import ThreadExecutor


async def test_a_stuck_post_does_not_hold_up_stopping(store, monkeypatch):
    monkeypatch.setattr(composition, "SCHEDULER_STOP", 0.3)
    add_schedule(store, at="09:00", tz="UTC")
    tutor = Tutor(store, ThreadExecutor(), clock=Clock(utc(2025, 1, 15, 9, 0)))
    posting = asyncio.Event()

    async def stuck(channel, reply) -> str:  # a chat platform that never answers
        posting.set()
        await asyncio.sleep(3600)
        return "never"

    async with running_scheduler(tutor, {"slack": stuck}):
        await asyncio.wait_for(posting.wait(), 10)  # the daily quiz is being posted
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 2  # the tick was cancelled, not awaited for an hour
