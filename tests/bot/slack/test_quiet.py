"""The quiet gate behind FastAck: held work waits for a burst of acks to pass, never longer
than its timeout, and sleeps on one event rather than polling."""

import asyncio
import time

from bot.slack.quiet import QuietGate

QUIET = 0.02
CALM = 0.15  # for timing tests: a busy test machine never leaves a 5 ms stream that quiet


async def marks(gate: QuietGate, every: float, seconds: float) -> float:
    """Mark ``gate`` every ``every`` s for ``seconds``; the loop time of the last mark."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        gate.mark()
        await asyncio.sleep(every)
    return gate.last


async def held(gate: QuietGate, timeout: float) -> float:
    await gate.wait(timeout)
    return asyncio.get_running_loop().time()


async def test_held_work_waits_until_a_burst_of_marks_has_passed():
    gate = QuietGate(CALM)
    gate.mark()
    waiters = [asyncio.create_task(held(gate, 5.0)) for _ in range(20)]
    last = await marks(gate, every=0.005, seconds=0.15)
    released = await asyncio.gather(*waiters)
    assert all(last + CALM <= t < last + CALM + 0.5 for t in released)  # + loop lag
    assert gate.opened.is_set()


async def test_held_work_waits_no_longer_than_its_timeout_in_an_endless_stream():
    gate = QuietGate(CALM)
    stream = asyncio.create_task(marks(gate, every=0.005, seconds=1.5))
    await asyncio.sleep(0.01)
    start = asyncio.get_running_loop().time()
    released = await held(gate, 0.2)
    assert 0.19 < released - start < 0.8  # its timeout (+ loop lag), not the stream's end
    assert not gate.opened.is_set()  # still closed: the stream goes on
    await stream


async def test_an_open_gate_or_a_spent_timeout_does_not_wait():
    gate = QuietGate(QUIET)
    await asyncio.wait_for(gate.wait(5.0), 0.5)  # never marked: open
    gate.mark()
    await asyncio.wait_for(gate.wait(0.0), 0.5)  # closed, but the hold is used up
    await asyncio.wait_for(gate.wait(5.0), 1.0)  # opens QUIET after the mark


class TimerCountingLoop(asyncio.SelectorEventLoop):
    """A real event loop that counts the timers scheduled on it (every sleep and timeout)."""

    timers = 0

    def call_at(self, when, callback, *args, context=None):
        self.timers += 1
        return super().call_at(when, callback, *args, context=context)


def test_held_work_sleeps_on_one_event_instead_of_polling():
    async def burst() -> int:
        loop = asyncio.get_running_loop()
        gate = QuietGate(QUIET)
        gate.mark()
        before = loop.timers
        waiters = [asyncio.create_task(held(gate, 5.0)) for _ in range(200)]
        await marks(gate, every=0.01, seconds=0.3)  # ~30 marks, ~30 timers of their own
        await asyncio.gather(*waiters)
        return loop.timers - before

    start = time.monotonic()
    with asyncio.Runner(loop_factory=TimerCountingLoop) as runner:
        timers = runner.run(burst())
    assert time.monotonic() - start < 2
    # one timeout per waiter, the marks' own sleeps and a watcher wake-up per QUIET; polling
    # every QUIET would take 200 waiters x ~15 polls = ~3000
    assert timers < 200 + 2 * 30 + 0.3 / QUIET + 20, timers
