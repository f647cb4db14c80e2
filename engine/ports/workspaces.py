"""A workspace's settings and the workspace-wide views (leaderboard, cohort, digest)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Protocol

from engine.domain.records import ChannelPrompt, LearnerInfo, WorkspaceSettings
from engine.learning.leaderboard import AttemptRecord


class WorkspaceStore(Protocol):
    """A workspace's settings and the workspace-wide views (leaderboard, cohort, digest)."""

    def workspace_settings(self, platform: str, workspace: str) -> WorkspaceSettings:
        """The workspace's settings (defaults when never set)."""
        ...

    def save_workspace_settings(self, settings: WorkspaceSettings) -> None:
        """Store a workspace's settings."""
        ...

    def digest_workspaces(self, platforms: Collection[str]) -> list[WorkspaceSettings]:
        """Workspaces on these platforms with a weekly digest channel."""
        ...

    def workspace_learners(self, platform: str, workspace: str) -> Mapping[int, LearnerInfo]:
        """Every learner of the workspace, by id."""
        ...

    def workspace_attempts(self, platform: str, workspace: str, start: datetime,
                           end: datetime) -> list[AttemptRecord]:
        """Answers given in ``[start, end)`` by the workspace's learners, oldest first."""
        ...

    def workspace_lapses(self, platform: str, workspace: str) -> Mapping[str, int]:
        """FSRS lapses per question, summed over the workspace's learners."""
        ...

    def channel_prompts(self, platform: str, workspace: str, start: datetime,
                        end: datetime) -> list[ChannelPrompt]:
        """Channel quiz prompts posted in ``[start, end)`` with their answer counts."""
        ...
