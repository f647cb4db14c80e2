"""A Tutor on a real database whose jobs run in a thread instead of worker processes."""

import random

import pytest

from engine.services.tutor import Tutor
from tests.engine.executors import ThreadExecutor


@pytest.fixture
def tutor(store):
    return Tutor(store, ThreadExecutor(), rng=random.Random(1))
