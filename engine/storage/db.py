"""Engines and sessions for SQLite (the default) and Postgres."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from engine.domain.errors import StorageError

T = TypeVar("T")


def normalise_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An Engine for ``url``; SQLite files get their folder, foreign keys and WAL."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class Database:
    """One engine and its sessions, shared by the role repositories (``engine.storage``).

    ``write`` and ``read`` run a function in a session; any database failure becomes the one
    ``StorageError`` the services know (IntegrityError passes through on writes: callers use
    it to detect duplicates).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` in a transaction."""
        try:
            with self.sessions.begin() as session:
                return fn(session)
        except IntegrityError:
            raise
        except SQLAlchemyError as err:
            raise StorageError() from err

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` outside a transaction of ours (reads)."""
        try:
            with self.sessions() as session:
                return fn(session)
        except SQLAlchemyError as err:
            raise StorageError() from err

    def insert_if_absent(self, table: Any, values: dict[str, Any], key: list[str],
                         returning: Any = None) -> Any:
        """``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING ...``: the one way a claim is
        taken, on SQLite and Postgres alike. Returns ``returning`` of the new row (the first
        key column by default), or None when a row with that key already existed; no
        transaction is aborted by the duplicate."""
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        column = returning if returning is not None else table.c[key[0]]
        statement = (dialect.insert(table).values(**values)
                     .on_conflict_do_nothing(index_elements=key).returning(column))
        return self.write(lambda s: s.execute(statement).scalar())


def aware(at: datetime) -> datetime:
    """Timestamps come back naive from SQLite (stored as UTC); make them UTC-aware."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
