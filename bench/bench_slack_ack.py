"""Slack HTTP mode: ack latency with 200 signed slash commands in flight.

The real Bolt app on loopback (real worker pool, SQLite), a fake Slack Web API on loopback.
Two loads: a burst (200 requests sent at once) and a stream (200 requests at 100/s, none
waiting for the previous answer). The demos keep running (or are refused as busy) after
each ack, so the event loop is doing real follow-up work while later acks are measured.

Run: .venv/bin/python bench/bench_slack_ack.py   (goal: p99 <= 50 ms)
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402

from bot import migrate  # noqa: E402
from bot.app import build_tutor  # noqa: E402
from bot.settings import CoreSettings  # noqa: E402
from bot.slack.app import build_app  # noqa: E402
from bot.slack.server import start_http  # noqa: E402
from engine.storage.claims import ClaimLog  # noqa: E402
from engine.storage.db import make_engine  # noqa: E402
from tests.bot.slack.conftest import command_body, sign, slack_settings  # noqa: E402
from tests.bot.slack.fake_slack import FakeSlack  # noqa: E402

COMMANDS = 200
STREAM_RATE = 100.0  # requests per second
GOAL_P99 = 0.050


async def post(http: aiohttp.ClientSession, url: str, body: str) -> float:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    start = time.perf_counter()
    async with http.post(url, data=body.encode(), headers=headers) as resp:
        await resp.read()
        assert resp.status == 200, resp.status
    return time.perf_counter() - start


def bodies(fake: FakeSlack, tag: str) -> list[str]:
    return [command_body(fake, "tokenize", f"ack latency {i}", user=f"U{tag}{i}")
            for i in range(COMMANDS)]


async def burst(http, url, fake) -> list[float]:
    return list(await asyncio.gather(*(post(http, url, b) for b in bodies(fake, "B"))))


async def stream(http, url, fake) -> list[float]:
    tasks = []
    for body in bodies(fake, "S"):
        tasks.append(asyncio.create_task(post(http, url, body)))
        await asyncio.sleep(1 / STREAM_RATE)
    return list(await asyncio.gather(*tasks))


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    verdict = "met" if p99 <= GOAL_P99 else "MISSED"
    print(f"{name}: p50 {statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"max {ordered[-1] * 1000:.1f} ms over {len(times)} acks "
          f"(goal p99 <= {GOAL_P99 * 1000:.0f} ms: {verdict})")


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        fake = await FakeSlack().start()
        settings = CoreSettings(database_url=url, data_dir=Path(tmp) / "data")
        async with build_tutor(settings, workers=1) as tutor:
            engine = make_engine(url)
            app = build_app(slack_settings(fake), tutor, claims=ClaimLog(engine))
            runner = await start_http(app, "127.0.0.1", 0)
            events = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as http:
                for i in range(5):  # warm-up: auth.test, first job
                    await post(http, events, command_body(fake, "help", "", user=f"UW{i}"))
                await asyncio.sleep(2)
                report("burst: 200 at once", await burst(http, events, fake))
                await asyncio.sleep(3)
                report(f"stream: 200 at {STREAM_RATE:.0f}/s", await stream(http, events, fake))
                await asyncio.sleep(3)
            await runner.cleanup()
            engine.dispose()
        await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
