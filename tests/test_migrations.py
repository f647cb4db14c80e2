"""Stairway: upgrade, downgrade and upgrade again at every revision, on SQLite and Postgres."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot import migrate
from engine.storage.db import make_engine
from engine.storage.models import Base


def revisions(url):
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return list(reversed(list(script.walk_revisions())))


def test_stairway_every_revision_up_down_up(empty_db_url):
    for revision in revisions(empty_db_url):
        migrate.upgrade(empty_db_url, revision.revision)
        migrate.downgrade(empty_db_url, revision.down_revision or "base")
        migrate.upgrade(empty_db_url, revision.revision)


def test_head_schema_matches_the_models(db_url):
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set(Base.metadata.tables)
    assert diff == [], f"models and migrations disagree: {diff}"
