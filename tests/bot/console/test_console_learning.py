"""The curriculum in the console, end to end: real worker pool, real database, real files."""

import io
from pathlib import Path

import pytest

from bot.app import build_tutor
from bot.console.adapter import ConsoleAdapter
from bot.settings import CoreSettings
from engine.learning.curriculum import default_curriculum

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def console(db_url, tmp_path):
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    async with build_tutor(settings, workers=1) as tutor:
        out = io.StringIO()
        yield ConsoleAdapter(tutor, tmp_path / "images", out=out), out


async def test_learn_quiz_answer_progress_and_forget_me(console):
    adapter, out = console
    assert await adapter.answer("/learn")
    assert f"Lesson 1/{len(default_curriculum().lessons)}" in out.getvalue() and "[1] Try it" in out.getvalue()
    assert await adapter.answer("2")  # "Quiz me"
    assert "Quiz · What AI is" in out.getvalue()
    assert await adapter.answer("1")  # the first answer button
    assert "Revisit lesson 1" in out.getvalue()
    assert await adapter.answer("/progress")
    image = Path(next(line for line in out.getvalue().splitlines()
                      if line.startswith("[image]"))[8:])
    assert image.name.endswith("progress.png") and image.read_bytes().startswith(PNG)
    assert await adapter.answer("/forget-me")
    assert await adapter.answer("1")  # "Yes, delete everything"
    assert "Done: I deleted everything" in out.getvalue()
    record = adapter.tutor.store.learners.learner_record(adapter.learner)
    assert (record.lessons_done, record.attempts) == ({}, ())
