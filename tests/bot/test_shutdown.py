"""Shutdown waits for answers in progress, but not for ever."""

import asyncio
import time

from bot.shutdown import InFlight, ShutdownBudget


async def test_drain_waits_for_quick_work_and_cancels_work_past_the_timeout():
    in_flight = InFlight()
    finished = []

    async def answer(seconds: float) -> None:
        in_flight.add()
        await asyncio.sleep(seconds)
        finished.append(seconds)

    quick = asyncio.create_task(answer(0.05))
    stuck = asyncio.create_task(answer(60))
    await asyncio.sleep(0)  # both start and register themselves
    await in_flight.drain(timeout=0.5)
    assert finished == [0.05] and quick.done()
    assert stuck.cancelled()
    assert not in_flight.tasks  # ended tasks are forgotten


async def test_drain_keeps_to_its_timeout_even_when_cancelled_work_is_slow_to_unwind():
    in_flight = InFlight()

    async def stubborn() -> None:
        in_flight.add()
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(5)  # e.g. a clean-up call to a slow Slack

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    start = time.monotonic()
    await in_flight.drain(timeout=0.4)
    assert time.monotonic() - start < 2.0  # not the 5 s the clean-up would take
    task.cancel()


async def test_one_budget_is_shared_by_the_stages_of_a_shutdown():
    budget = ShutdownBudget(2.0)
    first, second = InFlight(), InFlight()

    async def stuck(in_flight: InFlight) -> None:
        in_flight.add()
        await asyncio.sleep(60)

    tasks = [asyncio.create_task(stuck(first)), asyncio.create_task(stuck(second))]
    await asyncio.sleep(0)
    start = time.monotonic()
    await first.drain(budget.left(cap=0.5))  # a stage with a share of its own ...
    first_took = time.monotonic() - start
    assert first_took < 1.0  # its share, not the 60 s its work would take
    left = budget.left()  # ... and the next one gets what is left
    assert abs(left - (2.0 - first_took)) < 0.2
    await second.drain(left)
    assert time.monotonic() - start < 2.7  # the whole budget, not more
    assert all(t.cancelled() for t in tasks)


async def test_drain_with_nothing_in_flight_returns_at_once():
    await asyncio.wait_for(InFlight().drain(timeout=5), 0.1)
