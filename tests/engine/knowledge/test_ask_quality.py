"""Retrieval quality floors on the evaluation set (bench/data/ask_eval.yaml), measured the way
bench/bench_ask.py measures them: the real knowledge base (lessons, explanations, glossary),
BM25 + MiniLM fused, the shipped threshold. Floors sit a little below what the bench reports
(31 lessons, 269 questions scored: recall@1 0.853, recall@3 0.969, MRR 0.910, off-topic
rejection 0.933, on-topic refused 0.027; BM25 alone recall@3 0.938, rejection 0.800), so a
change that makes retrieval worse fails here."""

from __future__ import annotations

import pytest

from engine.jobs import ask as ask_job
from engine.knowledge.dense import DenseQuery
from engine.knowledge.evaluation import load_eval, score
from engine.knowledge.retrieval import Threshold
from engine.learning.curriculum import default_curriculum
from engine.services.ask import KnowledgeBase

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def measured():
    cur = default_curriculum()
    questions, skipped = load_eval({le.id for le in cur.lessons})
    base = KnowledgeBase.built_in()
    rankings = []
    for q in questions:
        cosines = ask_job.run(DenseQuery(base.hash, base.dense_texts, q.question, None),
                              lambda _: None)
        rankings.append(base.rank(q.question, cosines))
    lexical = [base.rank(q.question, None) for q in questions]
    return questions, skipped, rankings, lexical, base


def test_the_evaluation_set_is_big_enough_to_mean_something(measured):
    questions, skipped, _, _, base = measured
    assert sum(not q.off_topic for q in questions) >= 150
    assert sum(q.off_topic for q in questions) >= 30
    assert sum(c.kind == "glossary" for c in base.chunks) >= 150


def test_hybrid_retrieval_holds_its_floors(measured):
    questions, _, rankings, _, _ = measured
    s = score(questions, rankings, Threshold())
    assert s.recall_3 >= 0.93
    assert s.recall_1 >= 0.78
    assert s.mrr >= 0.86
    assert s.rejection >= 0.90
    assert s.false_rejection <= 0.06


def test_bm25_alone_still_answers_when_the_workers_cannot(measured):
    questions, _, _, lexical, _ = measured
    s = score(questions, lexical, Threshold())
    assert s.recall_3 >= 0.90 and s.rejection >= 0.75
