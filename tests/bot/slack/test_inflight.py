"""Shutdown waits for answers in progress, but not for ever."""

import asyncio

from bot.slack.inflight import InFlight


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


async def test_drain_with_nothing_in_flight_returns_at_once():
    await asyncio.wait_for(InFlight().drain(), 0.1)
