"""Delivery claims: Slack Events API retries are answered once, across restarts.

Revision ID: 0003_slack
Revises: 0002_curriculum
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_slack"
down_revision = "0002_curriculum"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_claims",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_delivery_claims")),
    )
    op.create_index(op.f("ix_delivery_claims_claimed_at"), "delivery_claims", ["claimed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_claims_claimed_at"), table_name="delivery_claims")
    op.drop_table("delivery_claims")
