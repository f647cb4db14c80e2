"""A workspace's settings and the workspace-wide views (leaderboard, cohort, digest)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.records import (
    ChannelPrompt,
    LearnerInfo,
    WorkspaceSettings,
)
from engine.learning.leaderboard import AttemptRecord
from engine.storage.db import Database, aware
from engine.storage.models import (
    Learner,
    LearnerSettingsRow,
    QuizAttemptRow,
    QuizPromptRow,
    ReviewCard,
    WorkspaceSettingsRow,
)


def _in_workspace(platform: str, workspace: str):
    return (Learner.platform == platform) & (Learner.workspace == workspace)



class WorkspaceRepository:
    """A workspace's settings and the workspace-wide views (leaderboard, cohort, digest)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def workspace_settings(self, platform: str, workspace: str) -> WorkspaceSettings:
        with self.db.sessions() as session:
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

        self.db.write(save)

    def digest_workspaces(self, platforms: Collection[str]) -> list[WorkspaceSettings]:
        with self.db.sessions() as session:
            rows = session.scalars(select(WorkspaceSettingsRow).where(
                WorkspaceSettingsRow.digest_channel.is_not(None),
                WorkspaceSettingsRow.platform.in_(list(platforms))))
            return [WorkspaceSettings(r.platform, r.workspace, r.timezone, r.digest_channel)
                    for r in rows]

    def workspace_learners(self, platform: str, workspace: str) -> Mapping[int, LearnerInfo]:
        with self.db.sessions() as session:
            rows = session.execute(select(Learner, LearnerSettingsRow.leaderboard).outerjoin(
                LearnerSettingsRow, LearnerSettingsRow.learner_id == Learner.id).where(
                _in_workspace(platform, workspace)))
            return {learner.id: LearnerInfo(learner.id,
                                            learner.display_name or learner.user_id,
                                            shown is not False)
                    for learner, shown in rows}

    def workspace_attempts(self, platform: str, workspace: str, start: datetime,
                           end: datetime) -> list[AttemptRecord]:
        with self.db.sessions() as session:
            rows = session.scalars(select(QuizAttemptRow).join(
                Learner, Learner.id == QuizAttemptRow.learner_id).where(
                _in_workspace(platform, workspace), QuizAttemptRow.answered_at >= start,
                QuizAttemptRow.answered_at < end).order_by(QuizAttemptRow.answered_at,
                                                             QuizAttemptRow.id))
            return [AttemptRecord(r.learner_id, r.question_id, r.correct, aware(r.answered_at),
                                  r.concept, r.choice) for r in rows]

    def workspace_lapses(self, platform: str, workspace: str) -> Mapping[str, int]:
        with self.db.sessions() as session:
            rows = session.execute(select(ReviewCard.question_id, func.sum(ReviewCard.lapses))
                                   .join(Learner, Learner.id == ReviewCard.learner_id)
                                   .where(_in_workspace(platform, workspace))
                                   .group_by(ReviewCard.question_id))
            return {question: int(total) for question, total in rows if total}

    def channel_prompts(self, platform: str, workspace: str, start: datetime,
                        end: datetime) -> list[ChannelPrompt]:
        answers = func.count(QuizAttemptRow.id)
        with self.db.sessions() as session:
            rows = session.execute(
                select(QuizPromptRow, answers).outerjoin(
                    QuizAttemptRow, QuizAttemptRow.prompt_id == QuizPromptRow.id).where(
                    QuizPromptRow.learner_id.is_(None), QuizPromptRow.platform == platform,
                    QuizPromptRow.workspace == workspace, QuizPromptRow.created_at >= start,
                    QuizPromptRow.created_at < end)
                .group_by(QuizPromptRow.id).order_by(QuizPromptRow.created_at))
            return [ChannelPrompt(p.id, p.question_id, p.channel or "", aware(p.created_at),
                                  count) for p, count in rows]

