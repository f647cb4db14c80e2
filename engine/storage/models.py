"""SQLAlchemy tables. Constraint names follow a convention so migrations stay portable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Learner(Base):
    __tablename__ = "learners"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DemoRunRow(Base):
    __tablename__ = "demo_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    command: Mapped[str] = mapped_column(String(32))
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    canonical: Mapped[str] = mapped_column(Text)
    request_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ButtonAction(Base):
    __tablename__ = "button_actions"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    action: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- curriculum: lessons read, quiz prompts and answers, facilitator content ---------------


class LessonDone(Base):
    """A lesson a learner has read (shown by /learn); one row per learner and lesson."""

    __tablename__ = "lessons_done"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(48))
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuizPromptRow(Base):
    """A question as shown, so an answer button can refer to it by a short id.

    Personal prompts (/quiz) belong to one learner. A channel-wide prompt (a daily channel
    quiz) has no learner, names its channel, and may close at ``closes_at``.
    """

    __tablename__ = "quiz_prompts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(48))
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(64))
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
    question_id: Mapped[str] = mapped_column(String(48), index=True)
    concept: Mapped[str] = mapped_column(String(48))
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContentItem(Base):
    """A lesson or question a facilitator loaded (`tutorbot content load`), validated JSON."""

    __tablename__ = "content_items"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # "lesson" | "question"
    item_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(255))
    seq: Mapped[int] = mapped_column(Integer)  # position within its load, keeps file order
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
