"""Alembic environment: the URL comes from tutorbot's settings, never a second source."""

from __future__ import annotations

from alembic import context

from bot.settings import CoreSettings
from engine.storage.db import make_engine, normalise_url
from engine.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    # `tutorbot db upgrade` passes the URL it resolved from the same settings object
    return normalise_url(config.attributes.get("url") or CoreSettings().db_url)


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=_url().startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
