"""/ask: the questions learners ask, their choice to share the text with facilitators, and
each workspace's daily budgets for LLM-written answers.

Revision ID: 0008_questions
Revises: 0007_forget_links
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_questions"
down_revision = "0007_forget_links"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", TZ, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("lesson_id", sa.String(48), nullable=True),
        sa.Column("concept", sa.String(48), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_questions_learner_id_learners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index(op.f("ix_questions_learner_id"), "questions", ["learner_id"])
    op.create_index(op.f("ix_questions_asked_at"), "questions", ["asked_at"])
    op.create_table(
        "ask_preferences",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("share_questions", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_ask_preferences_learner_id_learners")),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_ask_preferences")),
    )
    op.create_table(
        "ask_limits",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("answers_per_learner", sa.Integer(), nullable=False),
        sa.Column("tokens_per_workspace", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace", name=op.f("pk_ask_limits")),
    )


def downgrade() -> None:
    op.drop_table("ask_limits")
    op.drop_table("ask_preferences")
    op.drop_index(op.f("ix_questions_asked_at"), table_name="questions")
    op.drop_index(op.f("ix_questions_learner_id"), table_name="questions")
    op.drop_table("questions")
