"""The console adapter end to end: real worker pool, real database, real files."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import build_tutor
from bot.console.adapter import ConsoleAdapter, render_text
from bot.settings import CoreSettings
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore

ROOT = Path(__file__).resolve().parents[3]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def console(db_url, tmp_path):
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    async with build_tutor(settings, workers=1) as tutor:
        out = io.StringIO()
        yield ConsoleAdapter(tutor, tmp_path / "images", out=out), out, tutor


async def test_tokenize_answers_tokens_ids_and_a_picture_and_records_the_run_once(console):
    adapter, out, tutor = console
    assert await adapter.answer("/tokenize My name is Pawel")
    text = out.getvalue()
    assert "5 tokens" in text and "[5159, 836, 374, 61071, 301]" in text
    image = Path(next(line for line in text.splitlines() if line.startswith("[image]"))[8:])
    assert image.read_bytes().startswith(PNG)
    runs = tutor.store.learners.runs(adapter.learner)
    assert [(r.command, r.canonical) for r in runs] == [("tokenize", "/tokenize My name is Pawel")]


BAD_INPUT = {
    "/tokenize": "needs text",
    "/tokenize    ": "needs text",
    "/tokenize " + "x" * 100_000: "takes at most 4,000",
    "/frobnicate now": "There is no command `/frobnicate`",
    "/help tokenize extra=1": None,  # help takes free text: explained, not refused
    "/tokenize hi seeed=3": None,  # not close to an option of /tokenize: it is text
}


async def test_bad_input_gets_a_clear_message_and_stores_nothing(console):
    adapter, out, tutor = console
    for line, expected in BAD_INPUT.items():
        out.truncate(0)
        ok = await adapter.answer(line)
        if expected is not None:
            assert not ok and expected in out.getvalue(), (line[:40], out.getvalue()[:300])
        assert "Traceback" not in out.getvalue()
    assert [r.canonical for r in tutor.store.learners.runs(adapter.learner)] == ["/tokenize hi seeed=3"]


async def test_help_lists_every_command_from_the_table(console):
    adapter, out, _ = console
    assert await adapter.answer("/help")
    assert "/tokenize" in out.getvalue() and "/help" in out.getvalue()
    assert await adapter.answer("/help tokenize")
    assert "Usage: `/tokenize TEXT [tokenizers=cl100k_base,bert-wordpiece]`" in out.getvalue()


def run_cli(args, env):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def cli_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if k != "DATABASE_URL" and not k.startswith("TUTORBOT_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), TUTORBOT_LOG_LEVEL="WARNING", **extra)
    return env


def test_tutorbot_run_on_the_embedded_sqlite_default(tmp_path):
    env = cli_env(tmp_path)
    done = run_cli(["run", "/tokenize My name is Pawel"], env)
    assert done.returncode == 0, done.stderr
    assert "[5159, 836, 374, 61071, 301]" in done.stdout
    db = tmp_path / "xdg" / "tutorbot" / "tutorbot.db"
    store = SqlStore(make_engine(f"sqlite:///{db}"))
    assert len(store.learners.runs(_me())) == 1
    bad = run_cli(["run", "/tokenize"], env)
    assert bad.returncode == 1 and "needs text" in bad.stdout and "Traceback" not in bad.stderr


def _me():
    from bot.console.adapter import console_learner

    return console_learner()


def test_tutorbot_db_upgrade_then_run_on_postgres(tmp_path, pg_server_url):
    from tests.conftest import _reset_postgres

    _reset_postgres(pg_server_url)
    env = cli_env(tmp_path, DATABASE_URL=pg_server_url)
    refused = run_cli(["run", "/tokenize hi"], env)
    assert refused.returncode == 2 and "tutorbot db upgrade" in refused.stderr
    assert run_cli(["db", "upgrade"], env).returncode == 0
    done = run_cli(["run", "/tokenize My name is Pawel", "--as", "pg-user"], env)
    assert done.returncode == 0 and "5 tokens" in done.stdout, done.stderr
    from engine.domain.records import LearnerRef

    store = SqlStore(make_engine(pg_server_url))
    assert len(store.learners.runs(LearnerRef("console", "local", "pg-user"))) == 1
    store.engine.dispose()


def test_bad_settings_are_named(tmp_path):
    done = run_cli(["run", "/help"], cli_env(tmp_path, TUTORBOT_WORKERS="lots"))
    assert done.returncode == 2 and "TUTORBOT_WORKERS" in done.stderr


@pytest.mark.parametrize(("text", "shown"), [
    ("_What to notice:_ the loss fell", "What to notice: the loss fell"),
    ("**Right!** _Revisit lesson 3_, `/learn loss`", "Right! Revisit lesson 3, `/learn loss`"),
    ("set train_share and top_k=3", "set train_share and top_k=3"),  # underscores in words
    ("_try `top_k=3` or `train_share=80`_", "try `top_k=3` or `train_share=80`"),
    ("`_not italic_` stays", "`_not italic_` stays"),
    ("snake_case_name _and italic_", "snake_case_name and italic"),
])
def test_console_renders_bold_and_italic_without_their_markers(text, shown):
    assert render_text(text) == shown
