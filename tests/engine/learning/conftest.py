"""A Tutor on a real database whose jobs run in a thread instead of worker processes."""

import asyncio
import functools
import random

import pytest

from bot import migrate
from engine.domain.records import LearnerRef
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from tests.engine.executors import ThreadExecutor

CHECKER = LearnerRef("console", "local", "content-check")


@pytest.fixture
def tutor(store):
    return Tutor(store, ThreadExecutor(), rng=random.Random(1))


@pytest.fixture(scope="session")
def run_demo(tmp_path_factory):
    """Run a demo command through a real Tutor (parse, seed handling, the command's use case
    and its real job function, in a thread instead of a worker) on a throw-away SQLite
    database. Each distinct command runs once per test session: lessons and predict questions
    that share a demo share its run."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demos') / 'tutorbot.db'}"
    migrate.upgrade(url)
    store = SqlStore(make_engine(url))
    tutor = Tutor(store, ThreadExecutor(), rng=random.Random(0))

    @functools.cache
    def run(demo: str):
        return asyncio.run(tutor.handle(CHECKER, demo))

    yield run
    store.engine.dispose()
