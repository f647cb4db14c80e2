"""Acknowledgements before answers: work after a defer waits while other defers are in
flight, and never longer than the bound."""

import asyncio
import time

from bot.discord.priority import AckFirst


async def test_answers_wait_for_defers_in_flight_then_go():
    acks = AckFirst(max_wait=5.0)
    order = []
    release = asyncio.Event()

    async def slow_defer():
        async with acks.acknowledging():
            await release.wait()
            order.append("defer")

    async def answer():
        await acks.wait_turn()
        order.append("answer")

    defer = asyncio.create_task(slow_defer())
    await asyncio.sleep(0)
    waiting = asyncio.create_task(answer())
    await asyncio.sleep(0.05)
    assert order == [] and acks.pending == 1
    release.set()
    await asyncio.gather(defer, waiting)
    assert order == ["defer", "answer"] and acks.pending == 0


async def test_an_answer_is_never_held_back_longer_than_the_bound():
    acks = AckFirst(max_wait=0.1)
    stuck = asyncio.Event()

    async def never_done():
        async with acks.acknowledging():
            await stuck.wait()

    task = asyncio.create_task(never_done())
    await asyncio.sleep(0)
    started = time.monotonic()
    await acks.wait_turn()
    assert 0.09 <= time.monotonic() - started < 1.0
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert acks.pending == 0  # a cancelled defer still counts down
    await asyncio.wait_for(acks.wait_turn(), 0.01)
