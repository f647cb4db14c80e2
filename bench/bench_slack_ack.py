"""Slack HTTP mode: ack latency with 200 signed slash commands in flight.

Three processes, as in production: the load (Slack sending signed commands), tutorbot's real
Bolt app in HTTP mode (real worker pool, SQLite), and a fake Slack Web API on loopback.
Two loads: a burst (200 requests sent at once) and a stream (200 requests at 100/s, none
waiting for the previous answer). The demos keep running (or are refused as busy) after
each ack, so the event loop is doing real follow-up work while later acks are measured.

Run: .venv/bin/python bench/bench_slack_ack.py   (goal: p99 <= 50 ms)
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
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
from bot.slack.app import open_app  # noqa: E402
from bot.slack.run import until_signalled  # noqa: E402
from bot.slack.server import start_http  # noqa: E402
from engine.storage.db import make_engine  # noqa: E402
from engine.storage.deliveries import ClaimLog  # noqa: E402
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


def run_fake(ports) -> None:
    """Child process: the fake Slack Web API (Slack's side of the wire)."""

    async def serve() -> None:
        fake = await FakeSlack().start()
        ports.put(fake.base)
        await asyncio.Event().wait()

    asyncio.run(serve())


def run_app(ports, fake_base: str, tmp: str) -> None:
    """Child process: tutorbot's Slack app in HTTP mode, as `tutorbot slack --http` runs it."""
    logging.basicConfig(level=logging.ERROR)

    async def serve() -> None:
        url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        settings = CoreSettings(database_url=url, data_dir=Path(tmp) / "data")
        fake = FakeSlack()
        fake.base = fake_base
        async with build_tutor(settings, workers=1) as tutor:
            engine = make_engine(url)
            slack = slack_settings(fake)
            async with open_app(slack, tutor, claims=ClaimLog(engine)) as app:
                secret = slack.signing_secret.get_secret_value()
                runner = await start_http(app, "127.0.0.1", 0, signing_secret=secret)
                ports.put(runner.addresses[0][1])
                await until_signalled(asyncio.Event().wait())  # SIGTERM: close the pool
                await runner.cleanup()

    asyncio.run(serve())


async def load(events: str, fake: FakeSlack) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        for i in range(5):  # warm-up: auth.test, the first job
            await post(http, events, command_body(fake, "help", "", user=f"UW{i}"))
        await asyncio.sleep(2)
        one = [await post(http, events, b) for b in bodies(fake, "O")[:50]]
        report("baseline: 1 in flight", one)
        await asyncio.sleep(3)
        report(f"burst: {COMMANDS} at once", await burst(http, events, fake))
        await asyncio.sleep(3)
        report(f"stream: {COMMANDS} at {STREAM_RATE:.0f}/s", await stream(http, events, fake))


def main() -> None:
    load1, load5, _ = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load1:.1f} (1 min), {load5:.1f} (5 min)")
    ctx = mp.get_context("spawn")
    ports = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        fake_proc = ctx.Process(target=run_fake, args=(ports,), daemon=True)
        fake_proc.start()
        fake = FakeSlack()
        fake.base = ports.get(timeout=60)
        app_proc = ctx.Process(target=run_app, args=(ports, fake.base, tmp))
        app_proc.start()
        events = f"http://127.0.0.1:{ports.get(timeout=120)}/slack/events"
        try:
            asyncio.run(load(events, fake))
        finally:
            for proc in (app_proc, fake_proc):
                proc.terminate()
                proc.join(10)


if __name__ == "__main__":
    main()
