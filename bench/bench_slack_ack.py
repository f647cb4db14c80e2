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

from bench import rawload  # noqa: E402
from bench.common import percentile  # noqa: E402
from bot import migrate  # noqa: E402
from bot.app import build_tutor, settle_heap  # noqa: E402
from bot.settings import CoreSettings  # noqa: E402
from bot.slack.app import open_app  # noqa: E402
from bot.slack.run import until_signalled  # noqa: E402
from bot.slack.server import EVENTS_PATH, start_http  # noqa: E402
from engine.storage.db import make_engine  # noqa: E402
from engine.storage.deliveries import ClaimLog  # noqa: E402
from testkit.fake_slack import FakeSlack  # noqa: E402
from testkit.slack_requests import command_body, sign, slack_settings  # noqa: E402

COMMANDS = 200
STREAM_RATE = 100.0  # requests per second
GOAL_P99 = 0.050


def signed(body: str) -> bytes:
    """The raw HTTP request Slack would send for ``body``."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    return rawload.post(EVENTS_PATH, body.encode(), headers)


def requests(fake: FakeSlack, tag: str, count: int = COMMANDS) -> list[bytes]:
    return [signed(command_body(fake, "tokenize", f"ack latency {i}", user=f"U{tag}{i}"))
            for i in range(count)]


def report(name: str, results: list[tuple[float, int]]) -> None:
    """Latency of the acked commands; any request not acked (status 0: the connection failed)
    is counted as a failure and misses the goal."""
    times, failed = rawload.answered(results)
    failures = f", {failed} of {len(results)} NOT ACKED" if failed else ""
    if not times:
        print(f"{name}: no command was acked{failures} (goal MISSED)")
        return
    p99 = percentile(times, 0.99)
    verdict = "met" if p99 <= GOAL_P99 and not failed else "MISSED"
    print(f"{name}: p50 {statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms over {len(times)} acks{failures} "
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
                settle_heap()  # as `tutorbot slack` does
                runner = await start_http(app, "127.0.0.1", 0, signing_secret=secret)
                ports.put(runner.addresses[0][1])
                await until_signalled(asyncio.Event().wait())  # SIGTERM: close the pool
                await runner.cleanup()

    asyncio.run(serve())


def load(address: tuple[str, int], fake: FakeSlack) -> None:
    for i in range(5):  # warm-up: auth.test, the first job
        rawload.burst(address, [signed(command_body(fake, "help", "", user=f"UW{i}"))])
    time.sleep(2)
    report("baseline: 1 in flight",
           [rawload.burst(address, [r])[0] for r in requests(fake, "O", 50)])
    time.sleep(3)
    report(f"burst: {COMMANDS} at once, a new connection each",
           rawload.burst(address, requests(fake, "B")))
    time.sleep(3)
    report(f"burst: {COMMANDS} at once on open keep-alive connections",
           rawload.burst(address, requests(fake, "K"), keep_alive=True))
    time.sleep(3)
    report(f"stream: {COMMANDS} at {STREAM_RATE:.0f}/s",
           rawload.burst(address, requests(fake, "S"), rate=STREAM_RATE))


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
        address = ("127.0.0.1", ports.get(timeout=120))
        try:
            load(address, fake)
        finally:
            for proc in (app_proc, fake_proc):
                proc.terminate()
                proc.join(10)


if __name__ == "__main__":
    main()
