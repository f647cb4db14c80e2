"""FSRS cards, settings, channel prompts and the workspace-wide views (leaderboard, cohort).

Mixed into ``SqlStore``; every method is part of the ``engine.daily_store.DailyStore`` port.
Concurrent answers never lose a card update: on Postgres the card row is read FOR UPDATE; on
SQLite (one writer at a time) the row is rewritten only if its ``reps`` is still the one read,
otherwise the change is applied again to the fresh row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.daily_store import (
    ChannelPrompt,
    LearnerInfo,
    LearnerSettings,
    ReminderTarget,
    WorkspaceSettings,
)
from engine.learning.leaderboard import AttemptRecord
from engine.learning.review import MemoryCard
from engine.learning.schedule import ChannelRef
from engine.storage.curriculum import aware
from engine.storage.models import (
    Learner,
    LearnerSettingsRow,
    PostClaim,
    QuizAttemptRow,
    QuizPromptRow,
    ReviewCard,
    WorkspaceSettingsRow,
)

CARD_RETRIES = 20


def _card(row: ReviewCard) -> MemoryCard:
    return MemoryCard(row.question_id, aware(row.due), row.state, row.step, row.stability,
                      row.difficulty, aware(row.last_review) if row.last_review else None,
                      row.reps, row.lapses)


def _card_values(card: MemoryCard) -> dict[str, Any]:
    return dict(due=card.due, state=card.state, step=card.step, stability=card.stability,
                difficulty=card.difficulty, last_review=card.last_review, reps=card.reps,
                lapses=card.lapses)


def _in_workspace(platform: str, workspace: str):
    return (Learner.platform == platform) & (Learner.workspace == workspace)


class HabitsRepository:
    """Cards, settings, prompts and views; expects ``sessions``, ``engine`` and ``_write``."""

    sessions: Any
    engine: Any
    _write: Any

    # --- FSRS cards ------------------------------------------------------------------------

    def update_card(self, learner_id: int, question_id: str,
                    change: Callable[[MemoryCard | None], MemoryCard]) -> MemoryCard:
        update_once = (self._update_locked if self.engine.dialect.name == "postgresql"
                       else self._update_optimistic)
        for _ in range(CARD_RETRIES):
            try:
                after = update_once(learner_id, question_id, change)
            except IntegrityError:
                continue  # the first card was created concurrently: apply the change to it
            if after is not None:
                return after
        raise RuntimeError(f"card {learner_id}/{question_id} kept changing under us")

    def _card_query(self, learner_id: int, question_id: str):
        return select(ReviewCard).where(ReviewCard.learner_id == learner_id,
                                        ReviewCard.question_id == question_id)

    def _update_locked(self, learner_id: int, question_id: str, change) -> MemoryCard:
        """Postgres: read the row FOR UPDATE, so concurrent answers queue up on it."""
        def apply(session: Session) -> MemoryCard:
            row = session.scalar(self._card_query(learner_id, question_id).with_for_update())
            after = change(_card(row) if row else None)
            if row is None:
                session.add(ReviewCard(learner_id=learner_id, question_id=question_id,
                                       **_card_values(after)))
                session.flush()
            else:
                for key, value in _card_values(after).items():
                    setattr(row, key, value)
            return after

        return self._write(apply)

    def _update_optimistic(self, learner_id: int, question_id: str,
                           change) -> MemoryCard | None:
        """SQLite (one writer at a time): write only if ``reps`` is still the one read."""
        with self.sessions() as session:
            row = session.scalar(self._card_query(learner_id, question_id))
            before = _card(row) if row else None
        after = change(before)
        if before is None:
            self._write(lambda s: s.add(ReviewCard(learner_id=learner_id,
                                                   question_id=question_id,
                                                   **_card_values(after))))
            return after
        statement = update(ReviewCard).where(
            ReviewCard.learner_id == learner_id, ReviewCard.question_id == question_id,
            ReviewCard.reps == before.reps).values(**_card_values(after))
        return after if self._write(lambda s: s.execute(statement).rowcount) == 1 else None

    def due_cards(self, learner_id: int, now: datetime, limit: int = 10) -> list[MemoryCard]:
        with self.sessions() as session:
            rows = session.scalars(select(ReviewCard).where(
                ReviewCard.learner_id == learner_id, ReviewCard.due <= now).order_by(
                ReviewCard.due, ReviewCard.id).limit(limit))
            return [_card(r) for r in rows]

    def count_due_cards(self, learner_id: int, now: datetime) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(ReviewCard).where(
                ReviewCard.learner_id == learner_id, ReviewCard.due <= now)) or 0

    def next_due(self, learner_id: int) -> datetime | None:
        with self.sessions() as session:
            due = session.scalar(select(func.min(ReviewCard.due)).where(
                ReviewCard.learner_id == learner_id))
            return aware(due) if due else None

    # --- settings --------------------------------------------------------------------------

    def learner_settings(self, learner_id: int) -> LearnerSettings:
        with self.sessions() as session:
            learner = session.get(Learner, learner_id)
            row = session.get(LearnerSettingsRow, learner_id)
            timezone = learner.timezone if learner else "UTC"
            if row is None:
                return LearnerSettings(timezone=timezone)
            return LearnerSettings(timezone, row.reminders, row.reminder_time, row.leaderboard)

    def save_learner_settings(self, learner_id: int, settings: LearnerSettings) -> None:
        def save(session: Session) -> None:
            session.get(Learner, learner_id).timezone = settings.timezone
            row = session.get(LearnerSettingsRow, learner_id)
            if row is None:
                row = LearnerSettingsRow(learner_id=learner_id)
                session.add(row)
            row.reminders, row.reminder_time = settings.reminders, settings.reminder_time
            row.leaderboard = settings.leaderboard

        self._write(save)

    def reminder_targets(self, platforms: Collection[str], *,
                         unclaimed_since: datetime | None = None) -> list[ReminderTarget]:
        query = select(Learner, LearnerSettingsRow).join(
            LearnerSettingsRow, LearnerSettingsRow.learner_id == Learner.id).where(
            LearnerSettingsRow.reminders.is_(True), Learner.platform.in_(list(platforms)))
        if unclaimed_since is not None:
            query = query.where(~exists().where(
                PostClaim.kind == "reminder", PostClaim.learner_id == Learner.id,
                PostClaim.claimed_at > unclaimed_since))
        with self.sessions() as session:
            rows = session.execute(query)
            return [ReminderTarget(learner.id, learner.platform, learner.workspace,
                                   learner.user_id,
                                   LearnerSettings(learner.timezone, True, row.reminder_time,
                                                   row.leaderboard))
                    for learner, row in rows]

    def workspace_settings(self, platform: str, workspace: str) -> WorkspaceSettings:
        with self.sessions() as session:
            row = session.get(WorkspaceSettingsRow, (platform, workspace))
            if row is None:
                return WorkspaceSettings(platform, workspace)
            return WorkspaceSettings(platform, workspace, row.timezone, row.digest_channel)

    def save_workspace_settings(self, settings: WorkspaceSettings) -> None:
        def save(session: Session) -> None:
            key = (settings.platform, settings.workspace)
            row = session.get(WorkspaceSettingsRow, key)
            if row is None:
                row = WorkspaceSettingsRow(platform=key[0], workspace=key[1])
                session.add(row)
            row.timezone, row.digest_channel = settings.timezone, settings.digest_channel

        self._write(save)

    def digest_workspaces(self, platforms: Collection[str]) -> list[WorkspaceSettings]:
        with self.sessions() as session:
            rows = session.scalars(select(WorkspaceSettingsRow).where(
                WorkspaceSettingsRow.digest_channel.is_not(None),
                WorkspaceSettingsRow.platform.in_(list(platforms))))
            return [WorkspaceSettings(r.platform, r.workspace, r.timezone, r.digest_channel)
                    for r in rows]

    # --- channel prompts -------------------------------------------------------------------

    def create_channel_prompt(self, channel: ChannelRef, question_id: str, *, at: datetime,
                              closes_at: datetime) -> int:
        row = QuizPromptRow(question_id=question_id, learner_id=None, platform=channel.platform,
                            workspace=channel.workspace, channel=channel.channel,
                            created_at=at, closes_at=closes_at)

        def add(session: Session) -> int:
            session.add(row)
            session.flush()
            return row.id

        return self._write(add)

    def channel_question_ids(self, channel: ChannelRef, *, since: datetime) -> list[str]:
        with self.sessions() as session:
            return list(session.scalars(select(QuizPromptRow.question_id).where(
                QuizPromptRow.platform == channel.platform,
                QuizPromptRow.workspace == channel.workspace,
                QuizPromptRow.channel == channel.channel, QuizPromptRow.learner_id.is_(None),
                QuizPromptRow.created_at >= since).order_by(QuizPromptRow.created_at.desc())))

    def prompt_choices(self, prompt_id: int) -> list[int]:
        with self.sessions() as session:
            return list(session.scalars(select(QuizAttemptRow.choice).where(
                QuizAttemptRow.prompt_id == prompt_id).order_by(QuizAttemptRow.id)))

    # --- workspace-wide views --------------------------------------------------------------

    def workspace_learners(self, platform: str, workspace: str) -> Mapping[int, LearnerInfo]:
        with self.sessions() as session:
            rows = session.execute(select(Learner, LearnerSettingsRow.leaderboard).outerjoin(
                LearnerSettingsRow, LearnerSettingsRow.learner_id == Learner.id).where(
                _in_workspace(platform, workspace)))
            return {learner.id: LearnerInfo(learner.id,
                                            learner.display_name or learner.user_id,
                                            shown is not False)
                    for learner, shown in rows}

    def workspace_attempts(self, platform: str, workspace: str, start: datetime,
                           end: datetime) -> list[AttemptRecord]:
        with self.sessions() as session:
            rows = session.scalars(select(QuizAttemptRow).join(
                Learner, Learner.id == QuizAttemptRow.learner_id).where(
                _in_workspace(platform, workspace), QuizAttemptRow.answered_at >= start,
                QuizAttemptRow.answered_at < end).order_by(QuizAttemptRow.answered_at,
                                                             QuizAttemptRow.id))
            return [AttemptRecord(r.learner_id, r.question_id, r.correct, aware(r.answered_at),
                                  r.concept, r.choice) for r in rows]

    def workspace_lapses(self, platform: str, workspace: str) -> Mapping[str, int]:
        with self.sessions() as session:
            rows = session.execute(select(ReviewCard.question_id, func.sum(ReviewCard.lapses))
                                   .join(Learner, Learner.id == ReviewCard.learner_id)
                                   .where(_in_workspace(platform, workspace))
                                   .group_by(ReviewCard.question_id))
            return {question: int(total) for question, total in rows if total}

    def channel_prompts(self, platform: str, workspace: str, start: datetime,
                        end: datetime) -> list[ChannelPrompt]:
        answers = func.count(QuizAttemptRow.id)
        with self.sessions() as session:
            rows = session.execute(
                select(QuizPromptRow, answers).outerjoin(
                    QuizAttemptRow, QuizAttemptRow.prompt_id == QuizPromptRow.id).where(
                    QuizPromptRow.learner_id.is_(None), QuizPromptRow.platform == platform,
                    QuizPromptRow.workspace == workspace, QuizPromptRow.created_at >= start,
                    QuizPromptRow.created_at < end)
                .group_by(QuizPromptRow.id).order_by(QuizPromptRow.created_at))
            return [ChannelPrompt(p.id, p.question_id, p.channel or "", aware(p.created_at),
                                  count) for p, count in rows]
