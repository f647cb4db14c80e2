"""Daily quizzes: channel schedules, post claims (post once), FSRS review cards, learner and
workspace settings.

Revision ID: 0004_daily
Revises: 0003_slack
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_daily"
down_revision = "0003_slack"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quiz_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("at_time", sa.Time(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("days", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(48), nullable=True),
        sa.Column("window_minutes", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("active_since", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_schedules")),
        sa.UniqueConstraint("platform", "workspace", "channel",
                            name=op.f("uq_quiz_schedules_platform_workspace_channel")),
    )
    op.create_table(
        "post_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(96), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("prompt_id", sa.Integer(), nullable=True),
        sa.Column("claimed_by", sa.String(96), nullable=False),
        sa.Column("claimed_at", TZ, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("posted_at", TZ, nullable=True),
        sa.Column("message_ref", sa.String(128), nullable=True),
        sa.Column("closes_at", TZ, nullable=True),
        sa.Column("gave_up_at", TZ, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["schedule_id"], ["quiz_schedules.id"], ondelete="CASCADE",
                                name=op.f("fk_post_claims_schedule_id_quiz_schedules")),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_post_claims_learner_id_learners")),
        sa.ForeignKeyConstraint(["prompt_id"], ["quiz_prompts.id"], ondelete="SET NULL",
                                name=op.f("fk_post_claims_prompt_id_quiz_prompts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_claims")),
        sa.UniqueConstraint("kind", "subject", "local_date",
                            name=op.f("uq_post_claims_kind_subject_local_date")),
    )
    op.create_index(op.f("ix_post_claims_schedule_id"), "post_claims", ["schedule_id"])
    op.create_index(op.f("ix_post_claims_learner_id"), "post_claims", ["learner_id"])
    op.create_table(
        "review_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(48), nullable=False),
        sa.Column("due", TZ, nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("last_review", TZ, nullable=True),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_review_cards_learner_id_learners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_cards")),
        sa.UniqueConstraint("learner_id", "question_id",
                            name=op.f("uq_review_cards_learner_id_question_id")),
    )
    op.create_index(op.f("ix_review_cards_due"), "review_cards", ["due"])
    op.create_table(
        "learner_settings",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        sa.Column("reminder_time", sa.Time(), nullable=False),
        sa.Column("leaderboard", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE",
                                name=op.f("fk_learner_settings_learner_id_learners")),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_learner_settings")),
    )
    op.create_table(
        "workspace_settings",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("digest_channel", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("platform", "workspace", name=op.f("pk_workspace_settings")),
    )


def downgrade() -> None:
    op.drop_table("workspace_settings")
    op.drop_table("learner_settings")
    op.drop_index(op.f("ix_review_cards_due"), table_name="review_cards")
    op.drop_table("review_cards")
    op.drop_index(op.f("ix_post_claims_learner_id"), table_name="post_claims")
    op.drop_index(op.f("ix_post_claims_schedule_id"), table_name="post_claims")
    op.drop_table("post_claims")
    op.drop_table("quiz_schedules")
