"""Progress (Slack and Discord alike): coalesced, paced, not shown at all for quick answers,
and given up on at the first failure to show it."""

import asyncio
import time

import aiohttp
import pytest

from bot.progress import ProgressMessage
from engine.domain.replies import Progress


async def test_quick_jobs_show_no_progress():
    shown = []

    async def show(report):
        shown.append(report.text)

    message = ProgressMessage(show, first_delay=0.3, interval=0.1)
    await message.report(Progress("starting", 0.0))
    await message.close()
    assert shown == []


async def test_reports_are_coalesced_and_paced():
    shown = []

    async def show(report):
        shown.append((time.monotonic(), report.text))
        await asyncio.sleep(0.05)  # a slow Web API call must not hold the job

    message = ProgressMessage(show, first_delay=0.0, interval=0.2)
    start = time.monotonic()
    for step in range(50):
        await message.report(Progress(f"step {step}", step / 50))
        await asyncio.sleep(0.01)
    reported_in = time.monotonic() - start
    await asyncio.sleep(0.3)
    await message.close()
    assert reported_in < 1.2  # report() never waited for show()
    assert 2 <= len(shown) <= 6 and shown[-1][1] == "step 49"
    gaps = [b[0] - a[0] for a, b in zip(shown, shown[1:], strict=False)]
    assert all(gap >= 0.2 for gap in gaps)


class ApiError(Exception):
    """A platform's API error (SlackApiError, discord.HTTPException)."""


@pytest.mark.parametrize("error", [ApiError("no such message"), aiohttp.ClientOSError(),
                                   TimeoutError()])
async def test_the_first_failure_ends_progress_for_the_answer_not_the_job(error, caplog):
    tried = []

    async def show(report):
        tried.append(report.text)
        raise error

    message = ProgressMessage(show, interval=0.01, give_up_on=(ApiError,))
    await message.report(Progress("epoch 1"))
    await asyncio.sleep(0.05)
    await message.report(Progress("epoch 2"))
    await asyncio.sleep(0.05)
    await message.close()  # returns, raises nothing
    assert tried == ["epoch 1"]
    assert "no more progress" in caplog.text


async def test_close_waits_for_an_update_under_way_so_it_cannot_land_last():
    events = []

    async def show(report):
        events.append(f"start {report.text}")
        await asyncio.sleep(0.1)
        events.append(f"end {report.text}")

    message = ProgressMessage(show, interval=0.01)
    await message.report(Progress("epoch 1"))
    await asyncio.sleep(0.02)
    await message.close()
    events.append("answer")
    await message.report(Progress("late"))  # after close: never shown
    await asyncio.sleep(0.05)
    assert events == ["start epoch 1", "end epoch 1", "answer"]
