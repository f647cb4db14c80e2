"""Storage for /ask: the questions asked, the learners' sharing choice and the workspaces'
daily budgets (``engine.ports.ask.QuestionStore``)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.ports.ask import AskLimits, QuestionStats
from engine.storage.db import Database
from engine.storage.models import AskLimitsRow, AskPreferenceRow, Learner, QuestionRow


def _in_workspace(platform: str, workspace: str):
    return (Learner.platform == platform) & (Learner.workspace == workspace)


class QuestionRepository:
    """``engine.ports.ask.QuestionStore`` on the shared ``Database``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record_question(self, learner_id: int, *, text: str, answered: bool,
                        lesson_id: str | None, concept: str | None, score: float | None,
                        mode: str, tokens: int, at: datetime) -> int:
        def add(session: Session) -> int:
            row = QuestionRow(learner_id=learner_id, asked_at=at, text=text, answered=answered,
                              lesson_id=lesson_id, concept=concept, score=score, mode=mode,
                              tokens=tokens)
            session.add(row)
            session.flush()
            return row.id

        return self.db.write(add)

    def llm_answers_since(self, learner_id: int, since: datetime) -> int:
        with self.db.sessions() as session:
            return session.scalar(select(func.count(QuestionRow.id)).where(
                QuestionRow.learner_id == learner_id, QuestionRow.mode == "llm",
                QuestionRow.asked_at >= since)) or 0

    def workspace_tokens_since(self, platform: str, workspace: str, since: datetime) -> int:
        with self.db.sessions() as session:
            return int(session.scalar(select(func.coalesce(func.sum(QuestionRow.tokens), 0))
                                      .join(Learner, Learner.id == QuestionRow.learner_id)
                                      .where(_in_workspace(platform, workspace),
                                             QuestionRow.asked_at >= since)) or 0)

    def ask_limits(self, platform: str, workspace: str) -> AskLimits:
        with self.db.sessions() as session:
            row = session.get(AskLimitsRow, (platform, workspace))
            if row is None:
                return AskLimits()
            return AskLimits(row.answers_per_learner, int(row.tokens_per_workspace))

    def save_ask_limits(self, platform: str, workspace: str, limits: AskLimits) -> None:
        def save(session: Session) -> None:
            row = session.get(AskLimitsRow, (platform, workspace))
            if row is None:
                row = AskLimitsRow(platform=platform, workspace=workspace)
                session.add(row)
            row.answers_per_learner = limits.questions_per_learner
            row.tokens_per_workspace = limits.tokens_per_workspace

        self.db.write(save)

    def shares_questions(self, learner_id: int) -> bool:
        with self.db.sessions() as session:
            row = session.get(AskPreferenceRow, learner_id)
            return bool(row and row.share_questions)

    def set_shares_questions(self, learner_id: int, share: bool) -> None:
        def save(session: Session) -> None:
            row = session.get(AskPreferenceRow, learner_id)
            if row is None:
                session.add(AskPreferenceRow(learner_id=learner_id, share_questions=share))
            else:
                row.share_questions = share

        self.db.write(save)

    def question_stats(self, platform: str, workspace: str, start: datetime, end: datetime,
                       *, texts: int = 5) -> QuestionStats:
        with self.db.sessions() as session:
            rows = session.execute(
                select(QuestionRow.learner_id, QuestionRow.answered, QuestionRow.concept,
                       QuestionRow.text, AskPreferenceRow.share_questions)
                .join(Learner, Learner.id == QuestionRow.learner_id)
                .outerjoin(AskPreferenceRow, AskPreferenceRow.learner_id == QuestionRow.learner_id)
                .where(_in_workspace(platform, workspace), QuestionRow.asked_at >= start,
                       QuestionRow.asked_at < end)
                .order_by(QuestionRow.asked_at.desc(), QuestionRow.id.desc())).all()
        topics = Counter(r.concept for r in rows if r.answered and r.concept)
        unanswered = [r for r in rows if not r.answered]
        shared = [r.text for r in unanswered if r.share_questions][:texts]
        return QuestionStats(asked=len(rows), unanswered=len(unanswered),
                             topics=tuple(topics.most_common(5)),
                             unanswered_texts=tuple(shared),
                             askers=len({r.learner_id for r in rows}))
