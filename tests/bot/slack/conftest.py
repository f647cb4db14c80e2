"""The real Bolt app served over HTTP on loopback, a fake Slack, a real worker pool and a
real database; requests are signed exactly as Slack signs them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot import migrate
from bot.app import build_tutor
from bot.settings import CoreSettings
from bot.slack.app import open_app
from bot.slack.server import start_http
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.deliveries import ClaimLog
from testkit.fake_slack import TEAM, FakeSlack
from testkit.loopback import LoopbackOnly, loopback_only
from testkit.slack_requests import command_body, sign, slack_settings
from tests.conftest import _reset_postgres


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
