"""`tutorbot simulate-day`: the real scheduler on a simulated clock prints a day of posts."""

import io
import random
from datetime import date, timedelta

from bot import migrate
from bot.console.simulate import SimClock, simulate_day
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from tests.engine.daily_helpers import utc
from tests.engine.executors import ThreadExecutor


async def test_a_simulated_monday_posts_quizzes_reveals_a_reminder_and_the_digest(tmp_path):
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    migrate.upgrade(url)
    store = SqlStore(make_engine(url))
    clock = SimClock(utc(2025, 1, 1))
    tutor = Tutor(store, ThreadExecutor(), rng=random.Random(1), clock=clock)
    out = io.StringIO()
    posts = await simulate_day(tutor, clock, out, tmp_path / "images", day=date(2025, 3, 31),
                               tz="Europe/Warsaw", speed=1e9, step=timedelta(minutes=30))
    store.engine.dispose()
    text = out.getvalue()
    assert posts == 8  # 3 quizzes, 3 reveals, 1 review reminder, 1 Monday digest
    assert text.count("☀️ Daily quiz") == 3 and text.count("Answers closed") == 3
    for stamp in ("08:00 · DM to you", "09:00 · #general", "09:30 · #general",
                  "09:00 · #facilitators", "12:30 · #ml-club", "17:00 · #product"):
        assert stamp in text
    assert len(list((tmp_path / "images").glob("*.png"))) == 4  # 3 charts + the digest
