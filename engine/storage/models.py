"""SQLAlchemy tables. Constraint names follow a convention so migrations stay portable."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.domain.clock import utcnow
from engine.storage.types import CleanJSON, CleanString, CleanText

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Learner(Base):
    __tablename__ = "learners"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace: Mapped[str] = mapped_column(CleanString(64))
    user_id: Mapped[str] = mapped_column(CleanString(64))
    display_name: Mapped[str | None] = mapped_column(CleanString(128))
    timezone: Mapped[str] = mapped_column(CleanString(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DemoRunRow(Base):
    __tablename__ = "demo_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    command: Mapped[str] = mapped_column(CleanString(32))
    options: Mapped[dict[str, Any]] = mapped_column(CleanJSON)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    canonical: Mapped[str] = mapped_column(CleanText)
    request_key: Mapped[str | None] = mapped_column(CleanString(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ButtonAction(Base):
    __tablename__ = "button_actions"

    key: Mapped[str] = mapped_column(CleanString(32), primary_key=True)
    action: Mapped[str] = mapped_column(CleanText)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # whose words the action may hold (``/forget-me`` deletes it); None: a channel's post
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True)


# --- curriculum: lessons read, quiz prompts and answers, facilitator content ---------------


class LessonDone(Base):
    """A lesson a learner has read (shown by /learn); one row per learner and lesson."""

    __tablename__ = "lessons_done"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(CleanString(48))
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuizPromptRow(Base):
    """A question as shown, so an answer button can refer to it by a short id.

    Personal prompts (/quiz) belong to one learner. A channel-wide prompt (a daily channel
    quiz) has no learner, names its channel, and may close at ``closes_at``.
    """

    __tablename__ = "quiz_prompts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str] = mapped_column(CleanString(48))
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace: Mapped[str] = mapped_column(CleanString(64))
    channel: Mapped[str | None] = mapped_column(CleanString(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QuizAttemptRow(Base):
    """One learner's answer to one prompt. UNIQUE(prompt, learner): a double click is one row."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("prompt_id", "learner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("quiz_prompts.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(CleanString(48), index=True)
    concept: Mapped[str] = mapped_column(CleanString(48))
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContentItem(Base):
    """A lesson or question a facilitator loaded (`tutorbot content load`), validated JSON."""

    __tablename__ = "content_items"

    kind: Mapped[str] = mapped_column(CleanString(16), primary_key=True)  # "lesson" | "question"
    item_id: Mapped[str] = mapped_column(CleanString(48), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(CleanJSON)
    source: Mapped[str] = mapped_column(CleanString(255))
    seq: Mapped[int] = mapped_column(Integer)  # position within its load, keeps file order
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
class DeliveryClaim(Base):
    """An inbound delivery (a Slack event id, ...) claimed for processing, so that a platform's
    retries of the same delivery are answered once, across restarts and processes."""

    __tablename__ = "delivery_claims"

    key: Mapped[str] = mapped_column(CleanString(160), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- daily quizzes, spaced repetition, settings --------------------------------------------


class QuizScheduleRow(Base):
    """A channel's daily quiz (``/quiz-schedule``): one per platform, workspace and channel."""

    __tablename__ = "quiz_schedules"
    # ids are never reused (claims name "schedule:<id>" and outlive a removed schedule)
    __table_args__ = (UniqueConstraint("platform", "workspace", "channel"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    workspace: Mapped[str] = mapped_column(CleanString(64))
    channel: Mapped[str] = mapped_column(CleanString(64))
    at_time: Mapped[time] = mapped_column(Time)  # local wall-clock time
    timezone: Mapped[str] = mapped_column(CleanString(64))
    days: Mapped[str] = mapped_column(CleanString(16))  # "weekdays" | "everyday"
    topic: Mapped[str | None] = mapped_column(CleanString(48))
    window_minutes: Mapped[int] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    active_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PostClaim(Base):
    """Who posts a scheduled thing, once: UNIQUE (kind, subject, local date).

    ``quiz``/``reveal`` of ``schedule:<id>``, ``reminder`` of ``learner:<id>``, ``digest`` of
    ``<platform>:<workspace>``. Inserted if absent; the inserter posts, then sets ``posted_at``.
    Removing a schedule keeps its claims (``schedule_id`` becomes NULL): a quiz whose answers
    are open still gets its reveal, and the day's claim keys stay taken.
    """

    __tablename__ = "post_claims"
    __table_args__ = (UniqueConstraint("kind", "subject", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(CleanString(16))
    subject: Mapped[str] = mapped_column(CleanString(96))
    local_date: Mapped[date] = mapped_column(Date)
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_schedules.id", ondelete="SET NULL"), index=True)
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    prompt_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_prompts.id", ondelete="SET NULL"))
    claimed_by: Mapped[str] = mapped_column(CleanString(96))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_ref: Mapped[str | None] = mapped_column(CleanString(128))
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    gave_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(CleanText)


class ReviewCard(Base):
    """A learner's FSRS memory card for one question (``engine.learning.review``)."""

    __tablename__ = "review_cards"
    __table_args__ = (UniqueConstraint("learner_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(CleanString(48))
    due: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    last_review: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)


class LearnerSettingsRow(Base):
    """A learner's reminder and leaderboard choices (their time zone lives on ``learners``)."""

    __tablename__ = "learner_settings"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    reminders: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_time: Mapped[time] = mapped_column(Time, default=time(9, 0))
    leaderboard: Mapped[bool] = mapped_column(Boolean, default=True)


class WorkspaceSettingsRow(Base):
    """A workspace's (guild's) time zone for weeks and its weekly digest channel."""

    __tablename__ = "workspace_settings"

    platform: Mapped[str] = mapped_column(CleanString(16), primary_key=True)
    workspace: Mapped[str] = mapped_column(CleanString(64), primary_key=True)
    timezone: Mapped[str] = mapped_column(CleanString(64), default="UTC")
    digest_channel: Mapped[str | None] = mapped_column(CleanString(64))


class QuestionRow(Base):
    """A question a learner asked with /ask (or by mentioning the bot): what the course
    answered, for facilitators' counts. Deleted with the learner (/forget-me)."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    text: Mapped[str] = mapped_column(CleanText)
    answered: Mapped[bool] = mapped_column(Boolean)
    lesson_id: Mapped[str | None] = mapped_column(CleanString(48))
    concept: Mapped[str | None] = mapped_column(CleanString(48))
    score: Mapped[float | None] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(CleanString(16))  # extractive | llm | fallback | off-topic
    tokens: Mapped[int] = mapped_column(Integer, default=0)


class AskPreferenceRow(Base):
    """A learner's /ask privacy choice: may facilitators read their questions' text."""

    __tablename__ = "ask_preferences"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    share_questions: Mapped[bool] = mapped_column(Boolean, default=False)


class AskLimitsRow(Base):
    """A workspace's daily /ask budgets for LLM-written answers (set by facilitators)."""

    __tablename__ = "ask_limits"

    platform: Mapped[str] = mapped_column(CleanString(16), primary_key=True)
    workspace: Mapped[str] = mapped_column(CleanString(64), primary_key=True)
    answers_per_learner: Mapped[int] = mapped_column(Integer)
    tokens_per_workspace: Mapped[int] = mapped_column(BigInteger)


# --- Slack OAuth installations ---------------------------------------------------------------
# The two tables slack_sdk's ``SQLAlchemyInstallationStore`` reads and writes, declared here
# (same names, columns and types as its ``build_*_table``) so that Alembic creates them
# (revision 0006) like every other table, not the store's own ``create_tables()``.
# tests/engine/storage/test_slack_oauth_tables.py pins the two schemas together.

INSTALLATIONS = "slack_installations"
BOTS = "slack_bots"


def _common() -> list[Column]:
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
    ]


def _team_and_bot() -> list[Column]:
    return [
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", String(200)),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", String(200)),
        Column("bot_token_expires_at", DateTime),
    ]


slack_installations = Table(
    INSTALLATIONS, Base.metadata,
    *_common(),
    Column("enterprise_url", String(200)),
    *_team_and_bot(),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(f"{INSTALLATIONS}_idx", "client_id", "enterprise_id", "team_id", "user_id",
          "installed_at"),
)

slack_bots = Table(
    BOTS, Base.metadata,
    *_common(),
    *_team_and_bot(),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(f"{BOTS}_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)
