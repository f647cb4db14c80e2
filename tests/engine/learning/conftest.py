"""A Tutor on a real database whose jobs run in a thread instead of worker processes."""

import asyncio
import random

import pytest

from engine.replies import no_progress
from engine.tutor import Tutor


class ThreadExecutor:
    """Runs each job in a thread: the same job functions, without spawning processes."""

    def __init__(self) -> None:
        self.jobs: list[str] = []

    async def submit(self, fn, *args, key, timeout, on_progress=None):
        self.jobs.append(f"{fn.__module__}.{fn.__name__}")
        return await asyncio.to_thread(fn, *args, no_progress)

    async def close(self) -> None:
        pass


@pytest.fixture
def tutor(store):
    return Tutor(store, ThreadExecutor(), rng=random.Random(1))
