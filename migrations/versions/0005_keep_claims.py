"""Removing a schedule keeps its post claims (so a quiz still gets its reveal), and schedule
ids are never reused on SQLite (claims name ``schedule:<id>`` and outlive the schedule).

Revision ID: 0005_keep_claims
Revises: 0004_daily
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_keep_claims"
down_revision = "0004_daily"
branch_labels = None
depends_on = None

FK = "fk_post_claims_schedule_id_quiz_schedules"


def _schedule_fk(ondelete: str) -> None:
    with op.batch_alter_table("post_claims") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.create_foreign_key(FK, "quiz_schedules", ["schedule_id"], ["id"],
                                 ondelete=ondelete)


def _sqlite_autoincrement(on: bool) -> None:
    """Rebuild ``quiz_schedules`` with or without AUTOINCREMENT (SQLite only: Postgres
    sequences never reuse ids). The rebuild drops the old table, which with foreign keys on
    fires ON DELETE SET NULL on the claims, so their schedule ids are put back after it."""
    if op.get_bind().dialect.name != "sqlite":
        return
    claims = sa.table("post_claims", sa.column("id", sa.Integer),
                      sa.column("schedule_id", sa.Integer))
    links = [dict(claim=c, schedule=s) for c, s in op.get_bind().execute(
        sa.select(claims.c.id, claims.c.schedule_id).where(claims.c.schedule_id.is_not(None)))]
    with op.batch_alter_table("quiz_schedules", recreate="always",
                              table_kwargs={"sqlite_autoincrement": on}):
        pass
    if links:
        op.get_bind().execute(
            claims.update().where(claims.c.id == sa.bindparam("claim"))
            .values(schedule_id=sa.bindparam("schedule")), links)


def upgrade() -> None:
    _schedule_fk("SET NULL")
    _sqlite_autoincrement(True)


def downgrade() -> None:
    _sqlite_autoincrement(False)
    _schedule_fk("CASCADE")
