"""The transformer demos end to end through the console: real pool worker, real SQLite."""

import io

import pytest

from bot.app import build_tutor
from bot.console.adapter import ConsoleAdapter
from bot.settings import CoreSettings

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def console(tmp_path):
    settings = CoreSettings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", data_dir=tmp_path / "data"
    )
    async with build_tutor(settings, workers=1) as tutor:
        out = io.StringIO()
        yield ConsoleAdapter(tutor, tmp_path / "images", out=out), out, tutor


async def test_attention_embed_and_position_answer_and_are_recorded(console):
    adapter, out, tutor = console
    assert await adapter.answer("/attention The cat sat on the mat view=grid")
    assert "found in the weights" in out.getvalue()
    assert await adapter.answer("1")  # the first button: one head, as the reply offered
    assert "Showing layer" in out.getvalue()
    assert await adapter.answer("/embed A cat sleeps | A kitten naps | Stocks fell")
    assert "Closest: S1 and S2" in out.getvalue()
    assert await adapter.answer("/position My name is Pawel")
    assert "RoPE" in out.getvalue()
    runs = [r.command for r in tutor.store.learners.runs(adapter.learner)]
    assert runs == ["attention", "attention", "embed", "position"]


async def test_bad_input_to_the_demos_is_explained(console):
    adapter, out, _ = console
    for line, expected in {
        "/embed only one": "I found 1",
        "/attention hi layer=9": "`layer` must be",
        "/attention hi view=mosaic": "one of head, grid, lines",
        "/position hi dims=63": "even",
        "/tokenize hi tokenizers=gpt5": "items must be from",
        "/attention    ": "needs text",
    }.items():
        out.truncate(0)
        out.seek(0)
        assert not await adapter.answer(line)
        assert expected in out.getvalue(), (line, out.getvalue())
        assert "Traceback" not in out.getvalue()
