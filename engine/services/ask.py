"""/ask: a learner's question answered from the course, with its sources, a demo to see it and
a question to check it — or, when the course does not cover it, said plainly.

``PoolRetriever`` searches the knowledge base: BM25 here (cheap), the MiniLM side in a worker
(``engine.jobs.ask``), fused. The knowledge base is rebuilt when the content changes (its
hash), never per question. An ``Answerer`` (an LLM, optional) may write the answer from the
retrieved passages; any failure falls back to the extractive answer with a one-line note.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np

from engine.domain.errors import BadInput, Busy, TimedOut, TutorError, WorkerCrashed
from engine.domain.records import LearnerRef
from engine.domain.replies import Progress, Reply
from engine.knowledge.answer import (
    NOT_COVERED,
    Passage,
    check_citations,
    closest_topics,
    demo_of,
    extractive_answer,
    grounded_messages,
    leaks_prompt,
    passages,
)
from engine.knowledge.chunks import Chunk, build_chunks, content_hash
from engine.knowledge.dense import DenseQuery
from engine.knowledge.lexical import LexicalIndex, tokens
from engine.knowledge.retrieval import Ranking, TermIndex, Threshold, rank
from engine.learning.curriculum import Curriculum, default_curriculum
from engine.ports.ask import Answerer, AnswerFailed, AskLimits, Retriever
from engine.ports.executor import Executor, JobFailed

log = logging.getLogger(__name__)

DENSE_TIMEOUT = 60.0  # new content embeds its passages first (~20 ms each); a question ~20 ms
DENSE_WAIT = 8.0  # how long a question waits for the worker side before answering from BM25
STREAM_INTERVAL = 1.0  # seconds between updates of a streaming answer (platform edit limits)
LOW_SHARE = 0.2  # budgets are shown once less than this share is left
EXAMPLE = "`/ask what is an epoch?`"


def load_default_glossary(cur: Curriculum) -> tuple[Any, ...]:
    """The project's glossary (``engine.knowledge.glossary``), its lessons checked against the
    curriculum; empty when it is not installed or does not validate (logged)."""
    try:
        from engine.knowledge.glossary import load_glossary
    except ImportError:
        return ()
    try:  # entries citing a lesson this curriculum lacks are left out
        return tuple(load_glossary().for_lessons({le.id for le in cur.lessons}))
    except Exception as err:  # a broken glossary must not take /ask down
        log.error("the glossary does not load, answering without it: %s", err)
        return ()


@dataclass(frozen=True)
class KnowledgeBase:
    """One content version: its chunks, hash and indexes."""

    chunks: tuple[Chunk, ...]
    hash: str
    lexical: LexicalIndex
    terms: TermIndex

    @classmethod
    def build(cls, cur: Curriculum, glossary: Sequence[Any] = ()) -> KnowledgeBase:
        chunks = build_chunks(cur, glossary)
        return cls(chunks, content_hash(chunks), LexicalIndex(chunks), TermIndex(chunks))

    @classmethod
    def built_in(cls) -> KnowledgeBase:
        """The built-in course's: its lessons, questions and the project's glossary."""
        cur = default_curriculum()
        return cls.build(cur, load_default_glossary(cur))

    @property
    def dense_texts(self) -> tuple[str, ...]:
        """What MiniLM embeds per chunk: the lesson title, then the passage."""
        return tuple(c.text if c.kind == "glossary" else f"{c.title}: {c.text}"
                     for c in self.chunks)

    def rank(self, question: str, dense: np.ndarray | None) -> Ranking:
        return rank(self.chunks, self.lexical, self.terms, question, dense)


class PoolRetriever:
    """The hybrid retriever: BM25 in this process, MiniLM in the worker pool, fused.

    If the workers cannot answer in time (busy with demos, restarting), the question is
    answered from BM25 alone rather than kept waiting. Without an executor (a deployment
    without workers; the adapters' tests) it is BM25 alone."""

    def __init__(self, executor: Executor | None,
                 curriculum: Callable[[], Awaitable[Curriculum]], *,
                 glossary: Callable[[Curriculum], Sequence[Any]] = load_default_glossary,
                 cache_dir: Path | None = None, dense_wait: float = DENSE_WAIT) -> None:
        self.executor = executor
        self.curriculum = curriculum
        self.glossary = glossary
        self.cache_dir = str(cache_dir) if cache_dir else None
        self.dense_wait = dense_wait
        self._base: tuple[Curriculum | None, KnowledgeBase | None] = (None, None)
        self._lock = asyncio.Lock()
        self.builds = 0  # knowledge bases built (the index is per content, not per question)
        self._background: set[asyncio.Future[Any]] = set()

    async def knowledge(self) -> KnowledgeBase:
        """The knowledge base of the current content (rebuilt only when it changed)."""
        cur = await self.curriculum()
        if self._base[0] is cur and self._base[1] is not None:
            return self._base[1]
        async with self._lock:
            if self._base[0] is not cur or self._base[1] is None:
                base = await asyncio.to_thread(
                    lambda: KnowledgeBase.build(cur, self.glossary(cur)))  # YAML: off the loop
                if self._base[1] is None or self._base[1].hash != base.hash:
                    self.builds += 1
                    self._base = (cur, base)
                else:
                    self._base = (cur, self._base[1])
        assert self._base[1] is not None
        return self._base[1]

    async def prepare(self) -> None:
        """Build the knowledge base now (a server calls it before serving: parsing the
        glossary and indexing ~640 passages is CPU work that, even in a thread, holds the
        interpreter long enough to delay the event loop)."""
        await self.knowledge()

    async def dense(self, base: KnowledgeBase, question: str, key: str) -> np.ndarray | None:
        """Cosines from the worker pool, or None when it cannot answer in time."""
        if self.executor is None:
            return None
        query = DenseQuery(base.hash, base.dense_texts, question, self.cache_dir)
        job = asyncio.ensure_future(self.executor.submit("ask", query, key=f"ask:{key}",
                                                         timeout=DENSE_TIMEOUT))
        done, _ = await asyncio.wait({job}, timeout=self.dense_wait)
        if not done:  # let it finish in its worker (it builds the index for the next ones)
            self._background.add(job)
            job.add_done_callback(self._finished)
            log.warning("/ask answers from BM25 alone: the workers did not embed the question "
                        "within %g s (embedding new content, or busy)", self.dense_wait)
            return None
        try:
            scores = job.result()
        except (Busy, TimedOut, WorkerCrashed) as err:
            log.warning("/ask answers from BM25 alone: the workers could not embed the "
                        "question (%s)", type(err).__name__)
            return None
        except JobFailed as err:  # a bug in the dense side must not take /ask down
            log.error("/ask answers from BM25 alone: the dense side failed:\n%s", err)
            return None
        return np.asarray(scores, dtype=np.float64)

    async def settle(self) -> None:
        """Wait for embeddings still finishing in the background (shutdown, tests)."""
        while self._background:
            await asyncio.wait(set(self._background))

    def _finished(self, job: asyncio.Future[Any]) -> None:
        self._background.discard(job)
        if not job.cancelled() and job.exception() is not None:
            log.warning("a late /ask embedding failed: %s", type(job.exception()).__name__)

    async def retrieve(self, question: str, *, key: str) -> Ranking:
        base = await self.knowledge()
        return base.rank(question, await self.dense(base, question, key))


# --- the use case -------------------------------------------------------------------------


def utcnow() -> datetime:
    return datetime.now(UTC)


def day_start(now: datetime) -> datetime:
    """Budgets are per UTC day."""
    return datetime.combine(now.astimezone(UTC).date(), dtime(0, 0), tzinfo=UTC)


def check_question(text: str) -> str:
    """The question, or a clear refusal of one with nothing to search."""
    question = " ".join((text or "").split())
    if not question:
        raise BadInput(f"Ask me something about the course, e.g. {EXAMPLE} or "
                       "`/ask fine-tune or RAG for our support bot?`")
    if not re.search(r"[^\W_]", question):
        raise BadInput("I can only search the course for words, and your question has none "
                       f"(only emoji or symbols). Try it in words, e.g. {EXAMPLE}")
    return question


@dataclass(frozen=True)
class Budget:
    """What the learner and the workspace have left of today's LLM budgets."""

    questions_left: int
    tokens_left: int
    limits: AskLimits

    def note(self) -> str | None:
        """A line shown when a budget runs low (or out)."""
        parts = []
        if self.questions_left <= max(1, int(self.limits.questions_per_learner * LOW_SHARE)):
            parts.append(f"{max(self.questions_left, 0)} AI-written answers left for you today")
        if self.tokens_left <= self.limits.tokens_per_workspace * LOW_SHARE:
            parts.append(f"{max(self.tokens_left, 0):,} tokens left in the workspace's "
                         "daily AI budget")
        return f"_Budget: {'; '.join(parts)}._" if parts else None


class Ask:
    """The /ask use case (the Tutor owns one)."""

    def __init__(self, store: Any, retriever: Retriever, quiz: Callable[..., Awaitable[Reply]],
                 curriculum: Callable[[], Awaitable[Curriculum]], *,
                 answerer: Answerer | None = None, threshold: Threshold | None = None,
                 clock: Callable[[], datetime] = utcnow, max_tokens: int = 400) -> None:
        self.store = store  # engine.ports.Store: learners and questions
        self.retriever = retriever
        self.quiz = quiz  # Learning.quiz: the check question is recorded like any quiz
        self.curriculum = curriculum
        self.answerer = answerer
        self.threshold = threshold or Threshold()
        self.clock = clock
        self.max_tokens = max_tokens

    async def ask(self, learner: LearnerRef, text: str,
                  on_progress: Callable[[Progress], Awaitable[None]] | None = None) -> Reply:
        question = check_question(text)
        started = time.perf_counter()
        ranking = await self.retriever.retrieve(question, key=learner.key)
        learner_id = await asyncio.to_thread(self.store.learners.upsert_learner, learner)
        top = ranking.hits[0] if ranking.hits else None
        if not tokens(question) or not self.threshold.accepts(ranking):
            await self._record(learner_id, question, ranking, answered=False, mode="off-topic")
            return self._off_topic(ranking)
        found = passages(ranking)
        body, mode, used, note = await self._answer(learner, learner_id, question, found,
                                                    on_progress)
        cited = _cited(body, len(found))
        shown = [p for p in found if p.number in cited] or list(found)
        lines = [body, "", "**Sources**", *(p.source_line for p in shown)]
        demo = demo_of(shown)
        if demo:
            lines += ["", f"**See it:** `{demo}`"]
        check = await self._check_question(learner, shown[0].chunks[0].concept)
        if check is not None:
            lines += ["", "**Check yourself** — " + _strip_quiz_heading(check.text)]
        if note:
            lines += ["", note]
        await self._record(learner_id, question, ranking, answered=True, mode=mode, tokens=used)
        facts = {"answered": True, "mode": mode, "lessons": [p.lesson_id for p in shown],
                 "sources": [p.source_line for p in shown], "demo": demo,
                 "score": top.dense if top else None, "tokens": used,
                 "dense": ranking.dense_top is not None,
                 "seconds": round(time.perf_counter() - started, 3)}
        if check is not None:
            facts |= {"prompt_id": check.facts.get("prompt_id"),
                      "question_id": check.facts.get("question_id")}
        return Reply("\n".join(lines), buttons=check.buttons if check else (), facts=facts)

    # --- pieces -----------------------------------------------------------------------------

    def _off_topic(self, ranking: Ranking) -> Reply:
        closest = closest_topics(ranking)
        text = ("That isn't covered in the course, so I won't guess. I answer questions about "
                "how neural networks, transformers and LLMs work, from the lessons.")
        if closest:
            text += f"\nClosest topics: {closest}"
        text += "\n_I've noted the question for the facilitators._"
        return Reply(text, facts={"answered": False, "mode": "off-topic",
                                  "lessons": list(ranking.lessons[:3]),
                                  "dense": ranking.dense_top is not None})

    async def _check_question(self, learner: LearnerRef, concept: str) -> Reply | None:
        if not (await self.curriculum()).questions_for(concept):
            return None  # facilitator content may teach a concept the bank has no question on
        try:
            return await self.quiz(learner, concept)
        except TutorError:  # a concept without questions (facilitator content): no check
            return None

    async def _answer(self, learner: LearnerRef, learner_id: int, question: str,
                      found: Sequence[Passage], on_progress: Any,
                      ) -> tuple[str, str, int, str | None]:
        """(answer text, mode, tokens used, note): the LLM's when configured and within
        budget, else the course's own sentences."""
        extractive = extractive_answer(question, found)
        if self.answerer is None:
            return extractive, "extractive", 0, None
        budget = await self._budget(learner, learner_id)
        messages = grounded_messages(question, found)
        need = self.answerer.count_tokens(messages) + self.max_tokens
        if budget.questions_left <= 0:
            return extractive, "extractive", 0, (
                f"_You've had today's {budget.limits.questions_per_learner} AI-written "
                "answers, so this one quotes the course directly. More tomorrow._")
        if budget.tokens_left < need:
            return extractive, "extractive", 0, (
                "_The workspace's daily AI budget is used up, so this answer quotes the "
                "course directly._")

        last = [float("-inf")]

        async def stream(text: str) -> None:
            """The first words at once, then at most one update a second."""
            now = time.monotonic()
            if on_progress is not None and text.strip() and now - last[0] >= STREAM_INTERVAL:
                last[0] = now
                shown, _ = check_citations(text, len(found))
                await on_progress(Progress(shown))

        try:
            result = await self.answerer.answer(messages, on_text=stream)
        except AnswerFailed as err:
            log.warning("the LLM failed (%s); answering from the course's sentences", err)
            return extractive, "fallback", 0, (
                "_The AI model couldn't answer just now, so here are the course's own words._")
        text, cited = check_citations(result.text, len(found))
        if leaks_prompt(text) or not text:
            log.warning("an LLM answer repeated its instructions or was empty; discarded")
            return extractive, "fallback", result.tokens, (
                "_I couldn't use the AI answer, so here are the course's own words._")
        if text.strip().rstrip(".").lower() == NOT_COVERED.rstrip(".").lower() or not cited:
            return extractive, "fallback", result.tokens, (
                "_The AI model found no cited answer, so here are the course's own words._")
        note = replace(budget, questions_left=budget.questions_left - 1,
                       tokens_left=budget.tokens_left - result.tokens).note()
        return text, "llm", result.tokens, note

    async def _budget(self, learner: LearnerRef, learner_id: int) -> Budget:
        since = day_start(self.clock())

        def read() -> Budget:
            limits = self.store.questions.ask_limits(learner.platform, learner.workspace)
            used = self.store.questions.llm_answers_since(learner_id, since)
            tokens_used = self.store.questions.workspace_tokens_since(learner.platform,
                                                            learner.workspace, since)
            return Budget(limits.questions_per_learner - used,
                          limits.tokens_per_workspace - tokens_used, limits)

        return await asyncio.to_thread(read)

    async def _record(self, learner_id: int, question: str, ranking: Ranking, *,
                      answered: bool, mode: str, tokens: int = 0) -> None:
        top = ranking.hits[0].chunk if ranking.hits and answered else None
        score = ranking.dense_top if ranking.dense_top is not None else ranking.lexical_top
        await asyncio.to_thread(
            self.store.questions.record_question, learner_id, text=question, answered=answered,
            lesson_id=top.lesson_id if top else None,
            concept=top.concept if top else None, score=score, mode=mode, tokens=tokens,
            at=self.clock())


def _cited(text: str, count: int) -> tuple[int, ...]:
    return check_citations(text, count)[1]


def _strip_quiz_heading(text: str) -> str:
    """The quiz message without its bold heading line (the answer has its own)."""
    lines = text.split("\n")
    if lines and lines[0].startswith("**Quiz"):
        lines = lines[1:]
    return "\n".join(lines).strip()


def questions_text(stats: Any, cur: Curriculum) -> str:
    """/cohort's and the digest's lines about /ask: counts, most asked topics, unanswered
    questions (their text only from learners who chose to share it)."""
    if not stats.asked:
        return "- Questions (`/ask`): none asked in this period."
    lines = [f"- Questions (`/ask`): **{stats.asked}** asked by {stats.askers} "
             f"learner{'s' if stats.askers != 1 else ''}, {stats.unanswered} not covered "
             "by the course"]
    if stats.topics:
        lines.append("- Most asked topics: " + ", ".join(
            f"{_topic_label(cur, concept)} {count}" for concept, count in stats.topics))
    if stats.unanswered:
        shown = [f"“{_short(t)}”" for t in stats.unanswered_texts]
        private = stats.unanswered - len(shown)
        tail = (f"{'; ' if shown else ''}{private} more from learners who keep their questions "
                "private" if private > 0 else "")
        lines.append(f"- Unanswered questions ({stats.unanswered}): " + "; ".join(shown) + tail)
    return "\n".join(lines)


def _topic_label(cur: Curriculum, concept: str) -> str:
    lessons = cur.lessons_for(concept)
    return (lessons[0].label or lessons[0].title) if lessons else concept


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
