"""`tutorbot slack` runs the daily-quiz scheduler beside the app, in Socket Mode and HTTP mode."""

import asyncio
import contextlib
import functools
import socket
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.app import build_tutor
from bot.settings import CoreSettings
from bot.slack import run
from engine.domain.records import ChannelRef
from engine.learning.schedule import QuizSchedule
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from testkit.fake_slack import TEAM
from testkit.slack_requests import slack_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quiz_due_now(db_url: str) -> None:
    """A daily quiz in C7 that fell due ten minutes ago (set an hour ago)."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=10)).time().replace(second=0, microsecond=0)
    store = SqlStore(make_engine(db_url))
    store.schedules.save_schedule(QuizSchedule(ChannelRef("slack", TEAM, "C7"), due, "UTC", "everyday",
                                     "attention", 30), now=now - timedelta(hours=1))
    store.engine.dispose()


@pytest.mark.parametrize("http", [False, True], ids=["socket-mode", "http"])
async def test_tutorbot_slack_posts_due_daily_quizzes(fake, slack_db_url, tmp_path,
                                                      monkeypatch, http):
    monkeypatch.setattr(run, "build_tutor", functools.partial(build_tutor, warmups=()))
    quiz_due_now(slack_db_url)
    core = CoreSettings(database_url=slack_db_url, data_dir=tmp_path / "data", workers=1)
    slack = slack_settings(fake, app_token="xapp-test", host="127.0.0.1")
    port = free_port()
    serving = asyncio.create_task(run.serve(core, slack, http=http, port=port))
    try:
        await fake.wait_for(lambda: fake.named("chat.postMessage"), timeout=60)
        if http:  # the app answers while the scheduler runs
            async with aiohttp.ClientSession() as client, client.get(
                    f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
        else:
            assert fake.named("apps.connections.open")
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
    (quiz,) = fake.named("chat.postMessage")
    assert quiz.params["channel"] == "C7" and "Daily quiz" in quiz.params["text"]
    assert quiz.headers["Authorization"] == "Bearer xoxb-test"
    assert all(e["action_id"].startswith("quiz:")
               for e in fake.blocks(quiz)[-1]["elements"])


async def test_the_demo_workers_are_warm_before_the_app_serves(tmp_path):
    from bot.app import build_tutor
    from bot.settings import CoreSettings
    from bot.slack.run import warm_up

    settings = CoreSettings(database_url=f"sqlite:///{tmp_path / 'w.db'}",
                            data_dir=tmp_path / "data")
    async with build_tutor(settings, workers=1) as tutor:
        pool = tutor.executor.backend
        assert not any(w.ready for w in pool._all)  # spawned, still loading their models
        await warm_up(tutor)
        assert pool._all and all(w.ready for w in pool._all)
