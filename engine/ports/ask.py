"""What /ask needs from the outside: a retriever (the knowledge base searched), an optional
answerer (an LLM) and storage for questions, preferences and budgets.

``engine.services.ask`` uses them; the composition root (``bot.app``) plugs in the worker-pool
retriever, the OpenAI-compatible answerer (``engine.llm``) and the SQL store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from engine.knowledge.retrieval import Ranking

TextCallback = Callable[[str], Awaitable[None]]


class Retriever(Protocol):
    """Ranks the knowledge base's passages for a question."""

    async def prepare(self) -> None:
        """Build what the first question needs (off the event loop) before serving."""
        ...

    async def retrieve(self, question: str, *, key: str) -> Ranking:
        """The fused ranking; ``key`` identifies the asker for per-learner limits."""
        ...


class AnswerFailed(Exception):
    """The model could not answer (time-out, refusal, 4xx/5xx after retries); the message
    is safe to log and says what went wrong, without secrets."""


@dataclass(frozen=True)
class ModelAnswer:
    """A model's whole answer and the tokens it used (counted, not trusted from the API)."""

    text: str
    prompt_tokens: int
    completion_tokens: int

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Answerer(Protocol):
    """Writes an answer from grounded chat messages; streams the text so far to
    ``on_text`` (throttling is the adapter's)."""

    model: str

    def count_tokens(self, messages: Sequence[Mapping[str, str]]) -> int:
        """Tokens the messages will cost (prompt side)."""
        ...

    async def answer(self, messages: Sequence[Mapping[str, str]], *,
                     on_text: TextCallback | None = None) -> ModelAnswer:
        """The answer, or ``AnswerFailed``."""
        ...


@dataclass(frozen=True)
class AskLimits:
    """A workspace's daily budgets for LLM-written answers (facilitators set them)."""

    questions_per_learner: int = 30  # LLM answers per learner per day
    tokens_per_workspace: int = 200_000  # tokens (prompt + answer) per workspace per day


@dataclass(frozen=True)
class QuestionRecord:
    """One question asked, as stored."""

    learner_id: int
    asked_at: datetime
    text: str
    answered: bool
    lesson_id: str | None
    concept: str | None
    score: float | None
    mode: str  # "extractive" | "llm" | "fallback" | "off-topic"
    tokens: int = 0


@dataclass(frozen=True)
class QuestionStats:
    """What a workspace asked in a period, for /cohort and the digest."""

    asked: int = 0
    unanswered: int = 0
    topics: tuple[tuple[str, int], ...] = ()  # (concept, questions) most asked first
    unanswered_texts: tuple[str, ...] = ()  # only from learners who share their questions
    askers: int = 0


class QuestionStore(Protocol):
    """Storage for /ask (implemented by ``engine.storage``; called from a thread)."""

    def record_question(self, learner_id: int, *, text: str, answered: bool,
                        lesson_id: str | None, concept: str | None, score: float | None,
                        mode: str, tokens: int, at: datetime) -> int:
        """Store one question; returns its id."""
        ...

    def llm_answers_since(self, learner_id: int, since: datetime) -> int:
        """LLM-written answers the learner got since ``since``."""
        ...

    def workspace_tokens_since(self, platform: str, workspace: str, since: datetime) -> int:
        """LLM tokens the workspace used since ``since``."""
        ...

    def ask_limits(self, platform: str, workspace: str) -> AskLimits:
        """The workspace's budgets (defaults when never set)."""
        ...

    def save_ask_limits(self, platform: str, workspace: str, limits: AskLimits) -> None:
        ...

    def shares_questions(self, learner_id: int) -> bool:
        """Whether facilitators may read the learner's question text (default False)."""
        ...

    def set_shares_questions(self, learner_id: int, share: bool) -> None:
        ...

    def question_stats(self, platform: str, workspace: str, start: datetime,
                       end: datetime, *, texts: int = 5) -> QuestionStats:
        """Questions asked in ``[start, end)``: counts, top topics and up to ``texts``
        unanswered questions' text from learners who share it."""
        ...
