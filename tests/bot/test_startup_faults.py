"""Start-up faults end in one clear line naming the setting and the fix, exit 2, and a
traceback only at DEBUG; twenty `tutorbot run` on a new SQLite file all succeed (issue 15).

Every case is a real `python -m bot` subprocess against a real file or a real Postgres."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot import migrate
from tests.conftest import _reset_postgres

ROOT = Path(__file__).resolve().parents[2]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("SLACK_", "TUTORBOT_", "DISCORD_")) and k != "DATABASE_URL"}
    clean.update({"TUTORBOT_DATA_DIR": str(tmp_path / "data"), "TUTORBOT_LOG_LEVEL": "INFO",
                  "TUTORBOT_WORKERS": "1", **extra})
    return clean


def tutorbot(args: list[str], env: dict[str, str], *, user: int | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot", *args]
    if user is not None:  # run as another (unprivileged) user: file permissions then bite
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def assert_one_clear_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_nothing_listening_at_the_postgres_url(tmp_path):
    env = env_for(tmp_path, DATABASE_URL="postgresql://postgres@127.0.0.1:1/tutorbot")
    line = assert_one_clear_line(tutorbot(["run", "/help"], env), "DATABASE_URL",
                                 "127.0.0.1:1/tutorbot", "Start the database")
    assert "password" not in line.lower() or "credentials" in line


def test_the_password_in_the_url_is_never_shown(tmp_path):
    env = env_for(tmp_path, DATABASE_URL="postgresql://u:s3cret-pw@127.0.0.1:1/tutorbot")
    done = tutorbot(["run", "/help"], env)
    assert_one_clear_line(done, "DATABASE_URL")
    assert "s3cret-pw" not in done.stderr + done.stdout


@pytest.mark.parametrize("where", ["url", "data_dir"])
def test_a_file_that_is_not_a_database(tmp_path, where):
    if where == "url":
        bad = tmp_path / "notes.db"
        env = env_for(tmp_path, DATABASE_URL=f"sqlite:///{bad}")
        setting = "DATABASE_URL"
    else:
        bad = tmp_path / "data" / "tutorbot.db"
        env = env_for(tmp_path)
        setting = "TUTORBOT_DATA_DIR"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"these are my meeting notes, not a database\n" * 200)
    line = assert_one_clear_line(tutorbot(["run", "/help"], env), setting, str(bad),
                                 "not a SQLite database")
    assert "Move it aside" in line
    assert bad.read_bytes().startswith(b"these are my meeting notes")  # nothing lost


def test_a_damaged_database(tmp_path):
    path = tmp_path / "damaged.db"
    migrate.upgrade(f"sqlite:///{path}")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the header's tail and the first page's b-tree
    path.write_bytes(bytes(data))
    env = env_for(tmp_path, DATABASE_URL=f"sqlite:///{path}")
    assert_one_clear_line(tutorbot(["run", "/help"], env), "DATABASE_URL", str(path))


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="tutorbot-perm-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to run tutorbot as another user")
def test_a_file_this_user_may_not_read(shared_dir):
    path = shared_dir / "tutorbot.db"
    migrate.upgrade(f"sqlite:///{path}")
    path.chmod(0o600)  # root's; the bot runs as nobody
    env = env_for(shared_dir, DATABASE_URL=f"sqlite:///{path}", HOME=str(shared_dir))
    env["TUTORBOT_DATA_DIR"] = str(shared_dir / "nobody-data")
    (shared_dir / "nobody-data").mkdir()
    os.chown(shared_dir / "nobody-data", 65534, 65534)
    line = assert_one_clear_line(tutorbot(["run", "/help"], env, user=65534), "DATABASE_URL",
                                 str(path), "readable")
    assert "cannot open" in line


def future_database(url: str) -> None:
    migrate.upgrade(url)
    engine = create_engine(migrate.alembic_config(url).attributes["url"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
@pytest.mark.parametrize("args", [["run", "/help"], ["db", "upgrade"]])
def test_a_database_newer_than_the_code(tmp_path, request, kind, args):
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'newer.db'}"
    else:
        url = request.getfixturevalue("pg_server_url")
        _reset_postgres(url)
    future_database(url)
    done = tutorbot(args, env_for(tmp_path, DATABASE_URL=url))
    line = assert_one_clear_line(done, "DATABASE_URL", "0099_from_the_future", "newer")
    assert migrate.head_revision(url) in line
    engine = create_engine(migrate.alembic_config(url).attributes["url"])
    with engine.connect() as conn:  # left as it was
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == \
            "0099_from_the_future"
    engine.dispose()


def test_postgres_not_upgraded_says_run_db_upgrade(tmp_path, pg_server_url):
    _reset_postgres(pg_server_url)
    assert_one_clear_line(tutorbot(["run", "/help"], env_for(tmp_path, DATABASE_URL=pg_server_url)),
                          "DATABASE_URL", "tutorbot db upgrade")


@pytest.mark.parametrize("url", ["postgres://user@db.example:port/tutorbot", "not a url at all",
                                 "mysql+nosuchdriver://u@h/db"])
@pytest.mark.parametrize("args", [["run", "/help"], ["db", "current"]])
def test_a_malformed_url(tmp_path, url, args):
    assert_one_clear_line(tutorbot(args, env_for(tmp_path, DATABASE_URL=url)),
                          "DATABASE_URL", "postgresql://")


def test_at_debug_the_traceback_is_logged(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"not a database" * 100)
    done = tutorbot(["run", "/help"], env_for(tmp_path, DATABASE_URL=f"sqlite:///{bad}",
                                              TUTORBOT_LOG_LEVEL="DEBUG"))
    assert done.returncode == 2
    assert "Traceback" in done.stderr and "not a SQLite database" in done.stderr


def test_twenty_runs_at_once_on_a_new_sqlite_file_all_succeed(tmp_path):
    env = env_for(tmp_path)
    runs = [subprocess.Popen([sys.executable, "-m", "bot", "run", "/help"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(20)]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    failed = [err[-800:] for code, _, err in results if code != 0]
    assert not failed, failed[0]
    assert all("/tokenize" in out for _, out, _ in results)
    with sqlite3.connect(tmp_path / "data" / "tutorbot.db") as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert version == [(migrate.head_revision(f"sqlite:///{tmp_path}/x.db"),)]
