"""Stored button actions are linked to the learner whose words they may hold, so
``/forget-me`` deletes them (and a deleted learner's rows go with the learner).

Rows stored before this revision cannot be attributed. Those that repeat a typed command
(``run:/…``: a learner's own words) are deleted -- they are only shortcuts for buttons, and
a pressed button whose action is gone says so and asks the learner to type the command
again; the others (quiz answers and such) hold no learner's words and are kept.

Revision ID: 0007_forget_links
Revises: 0006_slack_oauth
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_forget_links"
down_revision = "0006_slack_oauth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM button_actions WHERE action LIKE '%run:%'")  # unattributable
    with op.batch_alter_table("button_actions") as batch:
        batch.add_column(sa.Column("learner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_button_actions_learner_id_learners"), "learners",
                                 ["learner_id"], ["id"], ondelete="CASCADE")
        batch.create_index(op.f("ix_button_actions_learner_id"), ["learner_id"])


def downgrade() -> None:
    with op.batch_alter_table("button_actions") as batch:
        batch.drop_index(op.f("ix_button_actions_learner_id"))
        batch.drop_constraint(op.f("fk_button_actions_learner_id_learners"),
                              type_="foreignkey")
        batch.drop_column("learner_id")
