"""The ports: what the services need from the outside world, by role, and nothing about how.

Storage is split by role (learners, quizzes, schedules and claims, reviews, workspaces,
facilitator content, button actions, inbound deliveries, /ask's questions); ``Store`` bundles one of each, which is what the
composition root builds (``engine.storage.SqlStore``). Services call the storage ports from
a thread (``asyncio.to_thread``) so database round trips never block the event loop.
``Executor`` is where CPU jobs run (``engine.workers``).
"""

from __future__ import annotations

from typing import Protocol

from engine.ports.actions import ActionStore
from engine.ports.ask import QuestionStore
from engine.ports.deliveries import DeliveryLog
from engine.ports.executor import Executor, JobFailed, ProgressCallback
from engine.ports.learners import LearnerStore
from engine.ports.library import ContentStore
from engine.ports.quizzes import QuizStore
from engine.ports.reviews import ReviewStore
from engine.ports.schedules import ScheduleStore
from engine.ports.workspaces import WorkspaceStore

__all__ = ["ActionStore", "ContentStore", "DeliveryLog", "Executor", "JobFailed", "LearnerStore",
           "ProgressCallback", "QuestionStore", "QuizStore", "ReviewStore", "ScheduleStore", "Store",
           "WorkspaceStore"]


class Store(Protocol):
    """Every storage port, one attribute per role."""

    learners: LearnerStore
    quizzes: QuizStore
    schedules: ScheduleStore
    reviews: ReviewStore
    workspaces: WorkspaceStore
    library: ContentStore
    actions: ActionStore
    deliveries: DeliveryLog
    questions: QuestionStore  # /ask: questions, sharing choices, budgets
