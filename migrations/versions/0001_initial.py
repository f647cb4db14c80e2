"""Learners, demo runs and stored button actions.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learners")),
        sa.UniqueConstraint("platform", "workspace", "user_id",
                            name=op.f("uq_learners_platform_workspace_user_id")),
    )
    op.create_table(
        "demo_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("request_key", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_demo_runs_learner_id_learners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_runs")),
        sa.UniqueConstraint("request_key", name=op.f("uq_demo_runs_request_key")),
    )
    op.create_index(op.f("ix_demo_runs_learner_id"), "demo_runs", ["learner_id"])
    op.create_table(
        "button_actions",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_button_actions")),
    )


def downgrade() -> None:
    op.drop_table("button_actions")
    op.drop_index(op.f("ix_demo_runs_learner_id"), table_name="demo_runs")
    op.drop_table("demo_runs")
    op.drop_table("learners")
