"""What happens to a fast-acked slash command after its empty 200: its work waits for a burst
of acks to pass (never longer than MAX_HOLD), and Bolt's refusals and failures reach the
learner (or at least the log) instead of vanishing."""

import asyncio
import logging
import socket
import time

import aiohttp
import pytest

from bot.slack.app import open_app
from bot.slack.server import FastAck, start_http
from engine.storage.db import make_engine
from engine.storage.deliveries import ClaimLog
from testkit.slack_requests import command_body, sign, slack_settings


def refused_url(path: str) -> str:
    """A loopback URL nobody listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


async def test_bolts_refusal_after_the_ack_is_posted_to_the_response_url(harness):
    fake = harness.fake
    fake.revoked.add("xoxb-test")  # the workspace removed the app: auth.test says token_revoked
    status, body, _ = await harness.command("help")
    assert status == 200 and body == ""  # acked before Bolt looked at the token
    await fake.wait_for(lambda: fake.named("response"), timeout=10)
    (answer,) = fake.named("response")
    assert answer.params["_rid"] == "U1-help"
    assert answer.params["response_type"] == "ephemeral"
    assert "installation with this app is no longer available" in answer.params["text"]
    assert [c.method for c in fake.calls] == ["auth.test", "response"]  # nothing ran


async def test_a_failure_in_the_dispatch_is_logged_with_its_traceback(fake, tutor, slack_db_url,
                                                                      caplog):
    # Slack cannot be reached at all: Bolt's authorization fails to connect, then so does the
    # error handler's apology to the response_url, which raises out of Bolt's dispatch.
    settings = slack_settings(fake, api_url=refused_url("/api/"))
    engine = make_engine(slack_db_url)

    def failures() -> list[logging.LogRecord]:
        return [r for r in caplog.records
                if r.name == "bot.slack.server" and r.levelno == logging.ERROR]

    async with open_app(settings, tutor, claims=ClaimLog(engine)) as app:
        runner = await start_http(app, "127.0.0.1", 0,
                                  signing_secret=settings.signing_secret.get_secret_value())
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        body = command_body(fake, "help", response_url=refused_url("/response/r1"))
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        async with aiohttp.ClientSession() as http, http.post(url, data=body,
                                                              headers=headers) as resp:
            assert resp.status == 200
        for _ in range(300):  # the clients retry refused connections for a few seconds
            if failures():
                break
            await asyncio.sleep(0.1)
        await runner.cleanup()
    engine.dispose()
    (record,) = failures()
    assert "/help" in record.getMessage() and record.exc_info is not None


@pytest.fixture
def slow_quiet(monkeypatch):
    """A quiet interval long enough that a loaded test machine never breaks a burst."""
    monkeypatch.setattr(FastAck, "QUIET", 0.2)
    monkeypatch.setattr(FastAck, "MAX_HOLD", 5.0)


async def test_a_burst_of_commands_is_acked_before_any_of_them_reaches_bolt(slow_quiet,
                                                                             harness):
    fake = harness.fake
    results = await asyncio.gather(*(harness.command("help", user=f"U{i}") for i in range(20)))
    last_ack = time.monotonic()
    assert all(status == 200 for status, _, _ in results)
    assert not fake.calls  # the work is held while acks keep coming ...
    await fake.wait_for(lambda: len(fake.named("response")) == 20)
    assert fake.calls[0].at >= last_ack + 0.1  # ... and starts once they have stopped


@pytest.fixture
def never_quiet(monkeypatch):
    monkeypatch.setattr(FastAck, "QUIET", 60.0)
    monkeypatch.setattr(FastAck, "MAX_HOLD", 0.3)


async def test_held_work_starts_after_max_hold_even_if_the_acks_never_pause(never_quiet,
                                                                             harness):
    fake = harness.fake
    status, _, _ = await harness.command("help")
    acked = time.monotonic()
    assert status == 200
    await fake.wait_for(lambda: fake.named("response"), timeout=10)
    assert 0.25 < fake.calls[0].at - acked < 1.5
