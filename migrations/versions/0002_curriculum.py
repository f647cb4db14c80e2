"""Curriculum: lessons read, quiz prompts, quiz attempts (one per prompt and learner) and
facilitator-loaded content.

Revision ID: 0002_curriculum
Revises: 0001_initial
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_curriculum"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lessons_done",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.String(48), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_lessons_done_learner_id_learners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons_done")),
        sa.UniqueConstraint("learner_id", "lesson_id",
                            name=op.f("uq_lessons_done_learner_id_lesson_id")),
    )
    op.create_table(
        "quiz_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(48), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_quiz_prompts_learner_id_learners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_prompts")),
    )
    op.create_index(op.f("ix_quiz_prompts_learner_id"), "quiz_prompts", ["learner_id"])
    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(48), nullable=False),
        sa.Column("concept", sa.String(48), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_quiz_attempts_learner_id_learners")),
        sa.ForeignKeyConstraint(["prompt_id"], ["quiz_prompts.id"], ondelete="CASCADE",
                                name=op.f("fk_quiz_attempts_prompt_id_quiz_prompts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
        sa.UniqueConstraint("prompt_id", "learner_id",
                            name=op.f("uq_quiz_attempts_prompt_id_learner_id")),
    )
    op.create_index(op.f("ix_quiz_attempts_learner_id"), "quiz_attempts", ["learner_id"])
    op.create_index(op.f("ix_quiz_attempts_question_id"), "quiz_attempts", ["question_id"])
    op.create_table(
        "content_items",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_id", sa.String(48), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id", name=op.f("pk_content_items")),
    )


def downgrade() -> None:
    op.drop_table("content_items")
    op.drop_index(op.f("ix_quiz_attempts_question_id"), table_name="quiz_attempts")
    op.drop_index(op.f("ix_quiz_attempts_learner_id"), table_name="quiz_attempts")
    op.drop_table("quiz_attempts")
    op.drop_index(op.f("ix_quiz_prompts_learner_id"), table_name="quiz_prompts")
    op.drop_table("quiz_prompts")
    op.drop_table("lessons_done")
