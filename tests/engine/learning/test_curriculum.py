"""Curriculum lookups: path order, concepts, and free-text topics as learners type them."""

import pytest

from engine.learning.curriculum import default_curriculum

CURRICULUM = default_curriculum()


def test_concepts_follow_lesson_order():
    assert CURRICULUM.concepts[0] == CURRICULUM.lessons[0].concept
    assert len(CURRICULUM.concepts) == len(set(CURRICULUM.concepts))
    assert CURRICULUM.position(CURRICULUM.lessons[-1].id) == len(CURRICULUM.lessons)


@pytest.mark.parametrize(("topic", "concept"), [
    ("attention", "attention"),
    ("Self-Attention", "attention"),
    ("heads", "attention"),
    ("RAG", "rag"),
    ("hallucinations", "hallucination"),
    ("LoRA", "adapting-models"),
    ("prompt injection", "safety"),
    ("few-shot", "prompting"),
    ("function calling", "agents"),
    ("fairness", "bias"),
    ("inference", "training-vs-inference"),
    ("open weights", "choosing-a-model"),
    ("feature engineering", "input-features"),
    ("temperature", "next-token"),
    ("tokens", "tokenization"),
    ("tokenisation", "tokenization"),
    ("overfit", "overfitting"),
    ("backprop", "backprop"),
    ("learning rate", "backprop"),
    ("RLHF", "training-stages"),
    ("cost", "product-cost"),
    ("evals", "product-evaluation"),
    ("embeddings", "embeddings"),
    ("positional encoding", "positional-encoding"),
    ("epochs", "batches-epochs"),
])
def test_find_concept(topic, concept):
    assert CURRICULUM.find_concept(topic) == concept


@pytest.mark.parametrize("topic", ["", "   ", "quantum gravity", "zzzz"])
def test_unknown_topics_find_nothing(topic):
    assert CURRICULUM.find_concept(topic) is None


def test_lookups():
    lesson = CURRICULUM.lessons_for("tokenization")[0]
    assert CURRICULUM.lesson(lesson.id) is lesson
    assert all(q.concept == "tokenization" for q in CURRICULUM.questions_for("tokenization"))
    assert CURRICULUM.question("no-such-id") is None and CURRICULUM.lesson("nope") is None
