"""Progress: coalesced, paced, and not shown at all for quick answers."""

import asyncio
import time

from bot.slack.progress import ProgressMessage
from engine.replies import Progress


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
