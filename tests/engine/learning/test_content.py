"""The shipped curriculum: schema-valid, complete, and every lesson fits one chat message."""

from collections import Counter

import pytest

from engine.learning.curriculum import DEFAULT_FILES, load_curriculum
from engine.learning.lessons import lesson_message
from engine.learning.schema import MAX_LESSON_CHARS, TRUE_FALSE_OPTIONS

CURRICULUM = load_curriculum(DEFAULT_FILES)  # raises ContentError naming file/id/field if invalid

# The path the issue asks for, in order: each topic must be taught by a lesson at or after the
# previous topic's lesson.
PATH_TOPICS = [
    "generative ai", "supervised", "unsupervised", "reinforcement", "deep learning", "neuron",
    "weights", "bias", "activation", "layers", "loss", "backpropagation", "learning rate",
    "batch", "epoch", "overfitting", "test data", "sequences", "transformer", "token",
    "positional encoding", "embedding", "self-attention", "heads", "next-token", "temperature",
    "context window", "prompting", "pre-training", "fine-tuning", "rlhf", "lora",
    "hallucination", "retrieval-augmented generation", "agent", "human brain",
    "cost per token", "latency", "inference", "choosing a model", "evaluation",
    "prompt injection", "bias",
]
# Topics the course must teach somewhere (issue 16), in any order.
TOPICS = ["input features", "few-shot", "chunk", "lora", "tool use", "prompt injection",
          "privacy", "fairness", "inference", "open-weights", "latency"]


def test_sizes():
    assert len(CURRICULUM.lessons) >= 30
    assert len(CURRICULUM.questions) >= 260


def test_the_topics_teams_ask_about_are_taught():
    texts = " ".join(f"{lesson.title} {lesson.body}".casefold() for lesson in CURRICULUM.lessons)
    assert [topic for topic in TOPICS if topic not in texts] == []


def test_ids_are_unique():
    for items in (CURRICULUM.lessons, CURRICULUM.questions):
        counts = Counter(item.id for item in items)
        assert [i for i, n in counts.items() if n > 1] == []


def test_lessons_follow_the_path_in_order():
    texts = [f"{lesson.title} {lesson.body}".casefold() for lesson in CURRICULUM.lessons]
    last = 0
    for topic in PATH_TOPICS:
        hits = [i for i, text in enumerate(texts) if topic in text and i >= last]
        assert hits, f"no lesson at or after #{last + 1} teaches {topic!r}"
        last = hits[0]


@pytest.mark.parametrize("lesson", CURRICULUM.lessons, ids=lambda lesson: lesson.id)
def test_lesson_fits_one_message_and_ends_with_its_demo(lesson):
    text = lesson_message(lesson, CURRICULUM.position(lesson.id), len(CURRICULUM.lessons))
    assert len(text) <= MAX_LESSON_CHARS, f"{lesson.id}: {len(text)} characters"
    assert text.rstrip().endswith(f"`{lesson.demo}`")
    assert lesson.demo.startswith("/")


def test_every_concept_has_enough_questions_of_several_kinds():
    concepts = set(CURRICULUM.concepts)
    assert {q.concept for q in CURRICULUM.questions} <= concepts
    for concept in CURRICULUM.concepts:
        questions = CURRICULUM.questions_for(concept)
        assert len(questions) >= 8, f"{concept}: only {len(questions)} questions"
        assert len({q.difficulty for q in questions}) >= 2, f"{concept}: one difficulty only"


def test_answers_are_among_the_options():
    for q in CURRICULUM.questions:
        assert 2 <= len(q.options) <= 5, q.id
        assert 0 <= q.answer < len(q.options), q.id
        if q.kind == "true_false":
            assert q.options == TRUE_FALSE_OPTIONS, q.id


def test_all_kinds_present_and_predict_questions_carry_a_demo():
    kinds = Counter(q.kind for q in CURRICULUM.questions)
    assert set(kinds) == {"choice", "true_false", "predict"}
    assert kinds["predict"] >= 40
    for q in CURRICULUM.questions:
        assert (q.kind == "predict") == (q.demo is not None) == (q.verify is not None), q.id


def test_every_demo_command_settles_some_predict_question():
    demos = {q.demo.split()[0] for q in CURRICULUM.questions if q.kind == "predict"}
    assert demos >= {"/train-demo", "/tokenize", "/embed", "/attention", "/next-token",
                     "/position"}


def test_predict_options_do_not_give_the_reasoning_away():
    """'Below 80%', not 'Below 80%: it still draws a straight line'."""
    for q in CURRICULUM.questions:
        if q.kind == "predict":
            assert not [o for o in q.options if ":" in o], q.id


def test_right_answers_are_not_always_in_the_same_place():
    positions = Counter(q.answer for q in CURRICULUM.questions if q.kind == "choice")
    total = sum(positions.values())
    assert max(positions.values()) / total < 0.5, positions
