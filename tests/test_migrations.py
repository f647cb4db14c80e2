"""Stairway: upgrade, downgrade and upgrade again at every revision, on SQLite and Postgres."""

from datetime import UTC, date, datetime, time

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import delete, insert, inspect, select

from bot import migrate
from engine.storage.db import make_engine
from engine.storage.models import Base, PostClaim, QuizScheduleRow


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


def test_keeping_claims_keeps_their_schedule_and_outlives_its_removal(empty_db_url):
    migrate.upgrade(empty_db_url, "0004_daily")
    engine = make_engine(empty_db_url)
    now = datetime(2025, 1, 15, tzinfo=UTC)
    with engine.begin() as conn:
        schedule_id = conn.execute(insert(QuizScheduleRow).values(
            platform="slack", workspace="T1", channel="C1", at_time=time(9), timezone="UTC",
            days="everyday", window_minutes=60, paused=False, active_since=now,
            created_at=now, updated_at=now).returning(QuizScheduleRow.id)).scalar()
        conn.execute(insert(PostClaim).values(
            kind="quiz", subject=f"schedule:{schedule_id}", local_date=date(2025, 1, 15),
            schedule_id=schedule_id, claimed_by="a", claimed_at=now, attempts=1))
    engine.dispose()
    migrate.upgrade(empty_db_url, "0005_keep_claims")
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        assert conn.scalars(select(PostClaim.schedule_id)).all() == [schedule_id]
        conn.execute(delete(QuizScheduleRow))
        assert conn.scalars(select(PostClaim.schedule_id)).all() == [None]
    engine.dispose()
