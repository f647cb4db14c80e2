"""/train-demo end to end through the console adapter: real worker pool, database, files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot.app import build_tutor
from bot.console.adapter import ConsoleAdapter
from bot.settings import CoreSettings

PNG = b"\x89PNG\r\n\x1a\n"


async def _console(db_url: str, tmp_path: Path):
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    return build_tutor(settings, workers=1, warmups=("train_demo",))


def _images(text: str) -> list[Path]:
    return [Path(line[8:]) for line in text.splitlines() if line.startswith("[image]")]


async def test_train_demo_answers_records_reproduces_and_its_buttons_run(db_url, tmp_path):
    async with await _console(db_url, tmp_path) as tutor:
        out = io.StringIO()
        adapter = ConsoleAdapter(tutor, tmp_path / "images", out=out)
        assert await adapter.answer("/train-demo dataset=xor layers=0 seed=2")
        first = out.getvalue()
        assert "xor · no hidden layer" in first and "only draw one straight line" in first
        assert "(reproduce: /train-demo dataset=xor layers=0 seed=2)" in first
        assert "[1] Add a hidden layer of 4" in first
        (picture,) = _images(first)
        assert picture.read_bytes().startswith(PNG)

        out.truncate(0), out.seek(0)
        assert await adapter.answer("/train-demo dataset=xor layers=0 seed=2")
        (again,) = _images(out.getvalue())
        assert again.read_bytes() == picture.read_bytes()  # same command and seed, same bytes

        out.truncate(0), out.seek(0)
        assert await adapter.answer("1")  # press "Add a hidden layer of 4"
        pressed = out.getvalue()
        assert "xor · 4 tanh" in pressed and "test accuracy" in pressed

        runs = [r.canonical for r in tutor.store.learners.runs(adapter.learner)]
        assert runs == ["/train-demo dataset=xor layers=0 seed=2"] * 2 + [
            "/train-demo dataset=xor layers=4 epochs=200 seed=2"]


BAD = {
    "/train-demo layers=4,,2": "(an empty item between commas)",
    "/train-demo layers=9": "(9 is out of range)",
    "/train-demo activation=tahn": "(did you mean tanh?)",
    "/train-demo noise=-5": "`noise` must be a whole number from 0 to 50; got '-5'",
    "/train-demo layers=1,1,1,1,1,1,1": "0 to 6 comma-separated whole numbers",
    "/train-demo epochs=10000": "from 1 to 1000; got '10000'",
    "/train-demo epochs=1000 batch=1 layers=8,8,8,8,8,8": "the limit is 500,000",
    "/train-demo model=transformer dataset=xor": "`dataset` only applies to model=mlp",
    "/train-demo seconds=10": "`seconds` only applies to model=transformer",
}


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'tutorbot.db'}"


async def test_bad_input_divergence_and_progress(sqlite_url, tmp_path):
    async with await _console(sqlite_url, tmp_path) as tutor:
        out = io.StringIO()
        adapter = ConsoleAdapter(tutor, tmp_path / "images", out=out)
        for line, expected in BAD.items():
            out.truncate(0), out.seek(0)
            assert not await adapter.answer(line), line
            assert expected in out.getvalue(), (line, out.getvalue())
            assert "Traceback" not in out.getvalue() and "[image]" not in out.getvalue()
        assert tutor.store.learners.runs(adapter.learner) == []

        out.truncate(0), out.seek(0)
        assert await adapter.answer("/train-demo lr=10 batch=1 seed=2")  # on every kernel
        text = out.getvalue()
        assert "The learning rate 10 is too high" in text and "lr=1" in text
        (picture,) = _images(text)
        Image.open(picture).load()  # a whole picture, never a broken one

        long = "/train-demo dataset=xor noise=50 train_share=10 layers=8,8,8 epochs=300 seed=1"
        assert await adapter.answer(long)  # overfits; its "add L2" command is 110 chars long
        assert all(len(b) <= 100 for b in adapter.last_buttons)
        assert any(b.startswith("b:") for b in adapter.last_buttons)  # stored, sent as a key
        out.truncate(0), out.seek(0)
        assert await adapter.answer("2")  # "Add L2 0.01"
        assert "(reproduce: /train-demo dataset=xor noise=50 train_share=10 layers=8,8,8 " \
               "regularization=l2 reg_rate=0.01 epochs=300 seed=1)" in out.getvalue()

        out.truncate(0), out.seek(0)
        assert await adapter.answer("/train-demo epochs=1000 batch=5 seed=5")  # 1-3 s of work
        text = out.getvalue()
        assert "… Training circle · 4,2 tanh: epoch" in text  # progress while it ran
        assert "after 1000 epochs" in text


async def test_model_transformer_trains_a_tiny_gpt_live_with_progress(sqlite_url, tmp_path):
    async with await _console(sqlite_url, tmp_path) as tutor:
        out = io.StringIO()
        adapter = ConsoleAdapter(tutor, tmp_path / "images", out=out)
        assert await adapter.answer("/train-demo model=transformer seconds=5 seed=3")
        text = out.getvalue()
        assert "… Training a tiny GPT: step" in text  # progress while it trained
        assert "(reproduce: /train-demo seed=3 model=transformer seconds=5)" in text
        (picture,) = _images(text)
        Image.open(picture).load()
        (run,) = tutor.store.learners.runs(adapter.learner)
        assert run.options["model"] == "transformer" and run.seed == 3
