"""The SQLAlchemy storage adapter: one repository per port, composed (``engine.ports.Store``)."""

from __future__ import annotations

from sqlalchemy import Engine

from engine.storage.actions import ActionRepository
from engine.storage.db import Database
from engine.storage.deliveries import ClaimLog
from engine.storage.learners import LearnerRepository
from engine.storage.library import ContentRepository
from engine.storage.questions import QuestionRepository
from engine.storage.quizzes import QuizRepository
from engine.storage.reviews import ReviewRepository
from engine.storage.schedules import ScheduleRepository
from engine.storage.workspaces import WorkspaceRepository


class SqlStore:
    """Every storage port on SQLAlchemy 2.0 (SQLite or Postgres), sharing one engine."""

    def __init__(self, engine: Engine) -> None:
        self.db = Database(engine)
        self.engine = engine
        self.learners = LearnerRepository(self.db)
        self.quizzes = QuizRepository(self.db, self.learners)
        self.schedules = ScheduleRepository(self.db)
        self.reviews = ReviewRepository(self.db)
        self.workspaces = WorkspaceRepository(self.db)
        self.library = ContentRepository(self.db)
        self.actions = ActionRepository(self.db, self.learners)
        self.deliveries = ClaimLog(engine)
        self.questions = QuestionRepository(self.db)

    @property
    def sessions(self):
        """Sessions on the shared engine (for tests and maintenance scripts)."""
        return self.db.sessions
