"""Questions in the console: a line that does not start with `/` is a question for /ask."""

import io

import pytest

from bot.app import build_tutor
from bot.console.adapter import ConsoleAdapter
from bot.settings import CoreSettings
from engine.learning.curriculum import default_curriculum
from engine.services.ask import PoolRetriever
from engine.services.tutor import Tutor


@pytest.fixture
async def console(db_url, tmp_path):
    """The real Tutor and database; retrieval BM25 alone (MiniLM: tests/engine, the bench)."""
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    cur = default_curriculum()

    async def course():
        return cur

    async with build_tutor(settings, workers=1, warmups=(), prepare=False) as base:
        tutor = Tutor(base.store, base.executor, retriever=PoolRetriever(None, course))
        out = io.StringIO()
        yield ConsoleAdapter(tutor, tmp_path / "images", out=out), out


async def test_a_plain_line_is_a_question_and_its_check_question_is_answerable(console):
    adapter, out = console
    assert await adapter.answer("what is an epoch?")
    text = out.getvalue()
    assert "[1] Batches and epochs — /learn batches-epochs" in text
    assert "See it:" in text and "Check yourself" in text
    assert await adapter.answer("1")  # the first answer of the check question
    record = adapter.tutor.store.learners.learner_record(adapter.learner)
    assert len(record.attempts) == 1


async def test_bad_questions_get_clear_answers_in_the_console(console):
    adapter, out = console
    assert not await adapter.answer("🙂🙂🙂")
    assert not await adapter.answer("w" * 5000)
    text = out.getvalue()
    assert "only emoji or symbols" in text
    assert "is 5,000 characters long; `/ask` takes at most 500" in text
    assert "Traceback" not in text


async def test_the_knowledge_base_is_built_before_serving_not_on_the_first_question(
        db_url, tmp_path):
    """A server builds /ask's index at start (CPU work that would delay the event loop if a
    learner's question triggered it); a one-off command (`tutorbot run`) skips it."""
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    async with build_tutor(settings, workers=1, warmups=()) as tutor:
        assert tutor.retriever.builds == 1
        out = io.StringIO()
        adapter = ConsoleAdapter(tutor, tmp_path / "images", out=out)
        assert await adapter.answer("what is an epoch?")
        assert "/learn batches-epochs" in out.getvalue()
        assert tutor.retriever.builds == 1  # the question used the prepared index
    async with build_tutor(settings, workers=1, warmups=(), prepare=False) as tutor:
        assert tutor.retriever.builds == 0
