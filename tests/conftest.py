"""Shared fixtures: real SQLite files and a real Postgres database (never skipped)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot import migrate
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore

PG_ADMIN_URL = os.environ.get(
    "TUTORBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A throw-away Postgres database for this test session. Unreachable Postgres FAILS."""
    name = f"tutorbot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:  # fail loudly: Postgres tests must never be skipped silently
        pytest.fail(f"Postgres is unreachable at {PG_ADMIN_URL} ({err}); "
                    "start it or set TUTORBOT_TEST_POSTGRES_URL", pytrace=False)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db_url(request, tmp_path) -> str:
    """An empty database of each kind, with no schema yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tutorbot.db'}"
    url = request.getfixturevalue("pg_server_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A database of each kind, upgraded to the newest schema."""
    migrate.upgrade(empty_db_url)
    return empty_db_url


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    sql_store = SqlStore(make_engine(db_url))
    yield sql_store
    sql_store.engine.dispose()
