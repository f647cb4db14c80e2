"""/ask through the real Tutor: SQLite and Postgres, the real retriever (BM25 here, MiniLM run
as the worker job after a pickle round trip), the real quiz flow behind the check question."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from engine.domain.errors import TutorError
from engine.domain.records import LearnerRef
from engine.knowledge.answer import CITATION
from engine.services.tutor import Tutor
from tests.engine.executors import ThreadExecutor

ANA = LearnerRef("slack", "T1", "U-ana", "Ana Secret-Name")
BEN = LearnerRef("slack", "T1", "U-ben", "Ben")
SOURCE = "[1] Batches and epochs — /learn batches-epochs"


@pytest.fixture
async def tutor(store, tmp_path, warm_ask_index):
    tutor = Tutor(store, ThreadExecutor(), ask_cache=tmp_path / "ask-index")
    yield tutor
    await tutor.retriever.settle()  # no embedding left running past the test


async def test_a_covered_question_gets_quotes_sources_a_demo_and_a_check_question(tutor):
    reply = await tutor.handle(ANA, "/ask what is an epoch?")
    text = reply.text
    assert reply.facts["answered"] and reply.facts["mode"] == "extractive"
    assert re.search(r"^> .*[Oo]ne full pass .*\[1\]$", text, re.M)
    assert SOURCE in text.splitlines()
    demo = re.search(r"^\*\*See it:\*\* `(/[^`]+)`$", text, re.M).group(1)
    assert demo == reply.facts["demo"] and "epochs" in demo
    assert tutor.commands.parse(demo).command == "train-demo"  # a command that runs
    assert "**Check yourself**" in text and reply.buttons
    assert all(b.id.startswith("quiz:") for b in reply.buttons)
    # every [n] in the answer has its source line
    numbers = {int(n) for n in CITATION.findall(text.split("**Sources**")[0])}
    assert numbers and all(f"[{n}] " in text for n in numbers)
    # answering the check question records an attempt, like any quiz
    answered = await tutor.press(ANA, reply.buttons[0].id)
    assert answered.facts["recorded"] is True
    record = tutor.store.learners.learner_record(ANA)
    assert [a.question_id for a in record.attempts] == [reply.facts["question_id"]]


async def test_the_extractive_answer_quotes_only_course_text(tutor):
    reply = await tutor.handle(ANA, "/ask fine-tune or RAG for our support bot?")
    assert reply.facts["answered"]
    cur = tutor.learning.base
    course = " ".join(" ".join(f"{le.body} {le.example} {le.product}".split())
                      for le in cur.lessons)
    course += " ".join(" ".join(q.explanation.split()) for q in cur.questions)
    quoted = [line[2:].rsplit(" [", 1)[0] for line in reply.text.splitlines()
              if line.startswith("> ")]
    assert quoted
    for sentence in quoted:
        assert sentence.rstrip(" …") in course or sentence in reply.text  # never invented
    assert {"adapting-models", "rag", "hallucination"} & set(reply.facts["lessons"])


async def test_off_topic_is_said_plainly_cites_nothing_and_is_recorded(tutor):
    reply = await tutor.handle(ANA, "/ask what's the best pizza in Naples?")
    assert reply.facts == {**reply.facts, "answered": False, "mode": "off-topic"}
    assert "isn't covered in the course" in reply.text
    assert not CITATION.search(reply.text) and "**Sources**" not in reply.text
    closest = [line for line in reply.text.splitlines() if line.startswith("Closest topics:")]
    assert len(closest) == 1 and "/learn " in closest[0]
    assert not reply.buttons
    now = datetime.now(UTC)
    stats = tutor.store.questions.question_stats("slack", "T1", datetime(2000, 1, 1, tzinfo=UTC), now)
    assert (stats.asked, stats.unanswered) == (1, 1)
    assert stats.unanswered_texts == ()  # Ana did not allow her text to be shown


@pytest.mark.parametrize("line, expected", [
    ("/ask", "`/ask` needs question"),
    ("/ask    ", "`/ask` needs question"),
    ("/ask " + "why?" * 1250, "is 5,000 characters long; `/ask` takes at most 500"),
    ("/ask 🙂🤖🎉", "only emoji or symbols"),
])
async def test_bad_questions_get_a_clear_answer_and_store_nothing(tutor, line, expected):
    with pytest.raises(TutorError) as caught:
        await tutor.handle(ANA, line)
    assert expected in caught.value.user_message
    stats = tutor.store.questions.question_stats("slack", "T1", datetime(2000, 1, 1, tzinfo=UTC),
                                       datetime.now(UTC))
    assert stats.asked == 0


async def test_the_index_is_built_once_per_content_not_per_question(tutor):
    await tutor.handle(ANA, "/ask what is an epoch?")
    await tutor.handle(BEN, "/ask what does temperature do?")
    assert tutor.retriever.builds == 1
    first = (await tutor.retriever.knowledge()).hash
    from engine.domain.records import ContentRecord

    lesson = {"id": "guardrails", "concept": "guardrails", "title": "Guardrails for LLM apps",
              "body": "A guardrail checks a model's output against rules before a user sees "
                      "it, such as blocking personal data or off-brand answers.",
              "example": "A support bot's guardrail refuses to quote account numbers.",
              "product": "Budget latency for guardrails: each check adds a model call.",
              "demo": "/next-token The guardrail", "aliases": ["guardrail"]}
    tutor.store.library.save_content([ContentRecord("lesson", "guardrails", lesson, "team.yaml")])
    tutor.learning._checked = float("-inf")  # the next read looks at the database again
    reply = await tutor.handle(ANA, "/ask what is a guardrail?")
    assert tutor.retriever.builds == 2 and (await tutor.retriever.knowledge()).hash != first
    assert "Guardrails for LLM apps — /learn guardrails" in reply.text


async def test_forget_me_deletes_the_learners_questions(tutor):
    await tutor.handle(ANA, "/ask what is an epoch?")
    await tutor.handle(BEN, "/ask what is an epoch?")
    forget = await tutor.handle(ANA, "/forget-me")
    done = await tutor.press(ANA, forget.buttons[0].id)
    assert done.facts["deleted"]["questions"] == 1
    assert "1 questions asked" in done.text
    stats = tutor.store.questions.question_stats("slack", "T1", datetime(2000, 1, 1, tzinfo=UTC),
                                       datetime.now(UTC))
    assert stats.asked == 1 and stats.askers == 1


async def test_cohort_shows_topics_and_unanswered_text_only_from_learners_who_share(tutor):
    await tutor.handle(ANA, "/ask how do I reset my VPN password?")
    await tutor.handle(BEN, "/ask who won the world cup in 2018?")
    await tutor.handle(BEN, "/ask what is an epoch?")
    shared = await tutor.handle(BEN, "/settings share_questions=on")
    assert shared.facts["share_questions"] is True and "Settings saved." in shared.text
    report = await tutor.handle(ANA, "/cohort", admin=True, channel="C1")
    assert "3** asked by 2 learners, 2 not covered" in report.text
    assert "Most asked topics: Batches & epochs 1" in report.text
    assert "“who won the world cup in 2018?”" in report.text
    assert "VPN" not in report.text
    assert "1 more from learners who keep their questions private" in report.text


async def test_facilitators_set_the_budgets_from_cohort(tutor):
    reply = await tutor.handle(ANA, "/cohort ask_answers=5 ask_tokens=1000", admin=True,
                               channel="C1")
    assert "5 AI answers per learner a day, 1,000 tokens" in reply.text
    limits = tutor.store.questions.ask_limits("slack", "T1")
    assert (limits.questions_per_learner, limits.tokens_per_workspace) == (5, 1000)


async def test_the_weekly_digest_counts_questions_and_shows_only_shared_text(store):
    from datetime import timedelta

    from engine.domain.records import WorkspaceSettings
    from tests.engine.daily_helpers import Board, Clock, make_scheduler, utc
    from tests.engine.test_scheduler import tick_until

    asked = utc(2025, 1, 8, 10, 0)  # the week before Monday 13 January
    ana = store.learners.upsert_learner(ANA)
    ben = store.learners.upsert_learner(BEN)
    store.questions.set_shares_questions(ben, True)
    for learner, text, answered, concept in (
            (ana, "how do I expense a taxi?", False, None),
            (ben, "can you order lunch?", False, None),
            (ben, "what is an epoch?", True, "batches-epochs")):
        store.questions.record_question(learner, text=text, answered=answered,
                                        lesson_id=concept, concept=concept, score=0.5,
                                        mode="extractive", tokens=0, at=asked)
    store.workspaces.save_workspace_settings(
        WorkspaceSettings("slack", "T1", "Europe/Warsaw", "CLEADS"))
    board = Board(Clock(utc(2025, 1, 13, 7, 0)))
    scheduler = make_scheduler(store, board, executor=ThreadExecutor())
    await tick_until(scheduler, board.clock, utc(2025, 1, 13, 12), timedelta(minutes=30))
    (digest,) = board.posts
    text = digest.reply.text
    assert "**3** asked by 2 learners, 2 not covered" in text
    assert "Most asked topics: Batches & epochs 1" in text
    assert "“can you order lunch?”" in text and "taxi" not in text


def test_the_chat_process_never_imports_torch_or_transformers(tmp_path):
    """Answering /ask in the chat process (BM25, the service, the adapters, the LLM client)
    loads neither torch nor transformers: MiniLM runs in the workers."""
    import subprocess
    import sys

    script = f"""
import asyncio, sys
import bot.app, bot.slack.app, bot.discord.client, bot.console.adapter
from bot import migrate
from engine.domain.records import LearnerRef
from engine.learning.curriculum import default_curriculum
from engine.services.ask import PoolRetriever
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
url = "sqlite:///{tmp_path / 'chat.db'}"
migrate.upgrade(url)
cur = default_curriculum()
async def course():
    return cur
async def main():
    tutor = Tutor(SqlStore(make_engine(url)), None, retriever=PoolRetriever(None, course))
    reply = await tutor.handle(LearnerRef("console", "local", "me"), "/ask what is an epoch?")
    assert reply.facts["answered"], reply.text
asyncio.run(main())
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers"))
print("LOADED", bad)
sys.exit(1 if bad else 0)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_passage_embeddings_persist_per_content_hash(tmp_path):
    """The worker's index survives a restart: saved under the data dir per content hash,
    read back instead of embedding the passages again."""
    from engine.jobs import ask as ask_job
    from engine.knowledge.dense import DenseQuery

    texts = ("An epoch is one full pass over the training data.",
             "Attention lets each token look at the others.")
    query = DenseQuery("hash-a", texts, "what is an epoch?", str(tmp_path))
    first = ask_job.run(query, lambda _: None)
    (saved,) = tmp_path.glob("*.npy")
    assert "hash-a" in saved.name and first[0] > first[1]
    stamp = saved.stat().st_mtime_ns
    ask_job._INDEXES.clear()  # a fresh worker process
    again = ask_job.run(query, lambda _: None)
    assert saved.stat().st_mtime_ns == stamp and list(tmp_path.glob("*.npy")) == [saved]
    assert abs(again - first).max() < 1e-6
    changed = DenseQuery("hash-b", texts[::-1], "what is an epoch?", str(tmp_path))
    assert ask_job.run(changed, lambda _: None)[1] > ask_job.run(changed, lambda _: None)[0]
    assert len(list(tmp_path.glob("*.npy"))) == 2  # new content, new index


def test_a_term_named_in_a_question_ranks_each_passage_once():
    """A passage filed under a term and an alias that read the same ("fine-tuning" and
    "fine tuning") is one entry of the exact-term ranking, not two (RRF would count it twice)."""
    from engine.knowledge.retrieval import TermIndex
    from engine.services.ask import KnowledgeBase

    base = KnowledgeBase.built_in()
    found, chunks = base.terms.find("what is an epoch and fine-tuning vs RAG?")
    assert {"epoch", "fine tuning", "rag"} <= set(found)
    assert chunks and len(chunks) == len(set(chunks))
    assert all(len(v) == len(set(v)) for v in TermIndex(base.chunks).names.values())


async def test_a_bug_in_the_dense_side_falls_back_to_bm25_not_an_error(store, caplog):
    """The worker pool reports a job's unexpected exception as JobFailed (with the worker's
    traceback); /ask logs it and answers from BM25 alone rather than failing the question."""
    from engine.ports.executor import JobFailed

    class DenseBroken(ThreadExecutor):
        async def submit(self, job, *args, key, timeout, on_progress=None):
            if job == "ask":
                raise JobFailed("Traceback (most recent call last):\n  ...\nBadZipFile")
            return await super().submit(job, *args, key=key, timeout=timeout,
                                        on_progress=on_progress)

    tutor = Tutor(store, DenseBroken())
    reply = await tutor.handle(ANA, "/ask what is an epoch?")
    assert reply.facts["answered"] and reply.facts["dense"] is False
    assert SOURCE in reply.text
    assert "the dense side failed" in caplog.text and "BadZipFile" in caplog.text
