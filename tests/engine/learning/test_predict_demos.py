"""Predict-the-demo questions: run each question's demo for real and check its answer key.

The `verify` clause of a predict question states what the demo's Reply.facts must show for the
keyed answer to be right. This test runs the demo through the Tutor (parse, seed handling, the
command's use case and its real job function, run in a thread instead of a worker process) and
checks the clause against the facts, so an author cannot key an answer the demo contradicts,
and a demo change that flips an answer is caught.
"""

import asyncio
import functools
import random

import pytest

from bot import migrate
from engine.domain.records import LearnerRef
from engine.learning.curriculum import default_curriculum
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from tests.engine.executors import ThreadExecutor

PREDICT = [q for q in default_curriculum().questions if q.kind == "predict"]
CHECKER = LearnerRef("console", "local", "content-check")


@pytest.fixture(scope="module")
def run_demo(tmp_path_factory):
    """Run a demo command through a real Tutor on a throw-away SQLite database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('predict') / 'tutorbot.db'}"
    migrate.upgrade(url)
    store = SqlStore(make_engine(url))
    tutor = Tutor(store, ThreadExecutor(), rng=random.Random(0))

    @functools.cache
    def run(demo: str):
        return asyncio.run(tutor.handle(CHECKER, demo))

    yield run
    store.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("question", PREDICT, ids=lambda q: q.id)
def test_demo_confirms_the_answer_key(question, run_demo):
    reply = run_demo(question.demo)
    holds, detail = question.verify.check(reply.facts)
    assert holds, (f"{question.id}: {question.demo!r} contradicts the keyed answer "
                   f"{question.answer_text!r}: {detail}")
