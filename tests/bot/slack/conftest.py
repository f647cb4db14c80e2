"""The real Bolt app served over HTTP on loopback, a fake Slack, a real worker pool and a
real database; requests are signed exactly as Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot import migrate
from bot.app import build_tutor
from bot.settings import CoreSettings, SlackSettings
from bot.slack.app import open_app
from bot.slack.server import start_http
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.deliveries import ClaimLog
from tests.bot.loopback import LoopbackOnly, loopback_only
from tests.bot.slack.fake_slack import TEAM, FakeSlack
from tests.conftest import _reset_postgres

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def sign(body: str, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """Slack's request signature: HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    ts = int(time.time()) if ts is None else ts
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def command_body(fake: FakeSlack, name: str, text: str = "", *, user: str = "U1",
                 channel: str = "C1", team: str = TEAM, trigger: str | None = None,
                 response_url: str | None = None) -> str:
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": team, "team_domain": "team", "channel_id": channel,
        "channel_name": "general", "user_id": user, "user_name": user.lower(),
        "command": f"/{name}", "text": text, "api_app_id": "A1",
        "response_url": response_url or fake.response_url(f"{user}-{name}"),
        "trigger_id": trigger or f"trig-{time.monotonic_ns()}"})


def action_body(fake: FakeSlack, button_id: str, *, user: str = "U1", channel: str = "C1",
                thread_ts: str | None = None) -> str:
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "team"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A1", "token": "legacy", "trigger_id": f"trig-{time.monotonic_ns()}",
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": channel,
                      "is_ephemeral": False, **({"thread_ts": thread_ts} if thread_ts else {})},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": "1.000001", "text": "a demo"},
        "response_url": fake.response_url(f"{user}-button"),
        "actions": [{"type": "button", "action_id": button_id, "block_id": "b1",
                     "value": button_id, "text": {"type": "plain_text", "text": "Again"},
                     "action_ts": str(time.time())}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], event_id: str = "Ev1") -> str:
    return json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A1",
                       "event": {"event_ts": "1.1", "ts": "1.1", **event},
                       "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()), "authorizations": []})


@dataclass
class Harness:
    fake: FakeSlack
    tutor: Tutor
    app: Any
    url: str
    http: aiohttp.ClientSession
    db_url: str

    async def post(self, body: str, *, json_body: bool = False,
                   headers: dict[str, str] | None = None) -> tuple[int, str, float]:
        """POST a request to /slack/events; returns status, body and seconds to the answer."""
        content_type = "application/json" if json_body else "application/x-www-form-urlencoded"
        all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
        start = time.monotonic()
        async with self.http.post(self.url, data=body.encode(), headers=all_headers) as resp:
            text = await resp.text()
        return resp.status, text, time.monotonic() - start

    async def command(self, name: str, text: str = "", **kw: Any) -> tuple[int, str, float]:
        return await self.post(command_body(self.fake, name, text, **kw))

    def runs(self, user: str = "U1"):
        from engine.domain.records import LearnerRef

        return self.tutor.store.learners.runs(LearnerRef("slack", TEAM, user))


def upgraded_sqlite(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'slack.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(autouse=True)
def loopback(monkeypatch) -> Iterator[LoopbackOnly]:
    """Nothing in these tests may look up or connect to a host off loopback."""
    with loopback_only(monkeypatch) as guard:
        yield guard


@pytest.fixture
def slack_db_url(request, tmp_path) -> str:
    """SQLite unless a test asks for ``postgres`` (indirect parametrisation)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return upgraded_sqlite(tmp_path)
    url = request.getfixturevalue("pg_server_url")
    _reset_postgres(url)
    migrate.upgrade(url)
    return url


@pytest.fixture
async def fake():
    server = await FakeSlack().start()
    yield server
    await server.stop()


def slack_settings(fake: FakeSlack, **extra: Any) -> SlackSettings:
    values = {"bot_token": "xoxb-test", "signing_secret": SECRET, "api_url": fake.api_url}
    return SlackSettings(**{**values, **extra})


class ManualClock:
    """The Tutor's clock (and the scheduler's): the wall clock until a test sets ``now``."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or datetime.now(UTC)

    def advance(self, **delta: float) -> datetime:
        self.now = self() + timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def tutor(slack_db_url, tmp_path, clock):
    settings = CoreSettings(database_url=slack_db_url, data_dir=tmp_path / "data")
    async with build_tutor(settings, workers=1, clock=clock) as ready:
        yield ready


@pytest.fixture
async def harness(fake, tutor, slack_db_url):
    engine = make_engine(slack_db_url)
    settings = slack_settings(fake)
    async with open_app(settings, tutor, claims=ClaimLog(engine)) as app:
        runner = await start_http(app, "127.0.0.1", 0,
                                  signing_secret=settings.signing_secret.get_secret_value())
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as http:
            yield Harness(fake, tutor, app, f"http://127.0.0.1:{port}/slack/events", http,
                          slack_db_url)
        await runner.cleanup()
    engine.dispose()
