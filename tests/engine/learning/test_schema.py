"""Content validation: every problem names the file, the lesson/question id and the field."""

import math
import textwrap

import numpy as np
import pytest

from engine.learning.curriculum import ContentError, default_curriculum, load_curriculum
from engine.learning.schema import Lesson, Question, Verify

GOOD_QUESTION = """
  - id: my-q1
    concept: tokenization
    kind: choice
    difficulty: 1
    prompt: What does an LLM actually read?
    options: [Tokens, Letters]
    answer: 0
    explanation: Models read tokens, not letters.
"""


def write(tmp_path, text, name="extra.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_for(tmp_path, text, name="extra.yaml"):
    path = write(tmp_path, text, name)
    with pytest.raises(ContentError) as info:
        load_curriculum([path], base=default_curriculum())
    return info.value.problems, str(info.value)


def test_a_valid_facilitator_file_extends_the_curriculum(tmp_path):
    path = write(tmp_path, "questions:" + GOOD_QUESTION)
    merged = load_curriculum([path], base=default_curriculum())
    assert merged.question("my-q1").answer_text == "Tokens"
    assert len(merged.questions) == len(default_curriculum().questions) + 1


def test_a_bare_list_is_read_as_questions(tmp_path):
    path = write(tmp_path, GOOD_QUESTION.replace("\n  ", "\n"))
    assert load_curriculum([path], base=default_curriculum()).question("my-q1") is not None


def test_answer_out_of_range_names_file_question_and_field(tmp_path):
    problems, message = problems_for(tmp_path, "questions:" + GOOD_QUESTION.replace(
        "answer: 0", "answer: 4"))
    (p,) = problems
    assert (p.kind, p.item_id, p.field, p.line) == ("question", "my-q1", "answer", 2)
    assert "extra.yaml:2: question 'my-q1', field 'answer': index 4 is out of range" in message


@pytest.mark.parametrize(("change", "field", "words"), [
    (("kind: choice", "kind: essay"), "kind", "'choice', 'true_false' or 'predict'"),
    (("difficulty: 1", "difficulty: 5"), "difficulty", "less than or equal to 3"),
    (("difficulty: 1", "difficulty: '1'"), "difficulty", "valid integer"),
    (("options: [Tokens, Letters]", "options: [Tokens]"), "options", "2 to 5"),
    (("options: [Tokens, Letters]", "options: [Tokens, tokens]"), "options", "must all differ"),
    (("answer: 0", "answer: 0\n    colour: red"), "colour", "Extra inputs"),
    (("id: my-q1", "id: My Q1"), "id", "pattern"),
    (("kind: choice", "kind: predict"), "demo/verify", "needs both a demo and a verify"),
])
def test_each_kind_of_mistake_is_reported_on_its_field(tmp_path, change, field, words):
    _, message = problems_for(tmp_path, "questions:" + GOOD_QUESTION.replace(*change))
    assert f"field '{field}'" in message and words in message


def test_missing_field_and_unknown_concept(tmp_path):
    text = "questions:" + GOOD_QUESTION.replace("    explanation: Models read tokens, not letters.\n",
                                                "").replace("tokenization", "tokenisation")
    problems, message = problems_for(tmp_path, text)
    assert [p.field for p in problems] == ["explanation"]  # unknown concept is checked once valid
    text = "questions:" + GOOD_QUESTION.replace("concept: tokenization", "concept: tokenisation")
    problems, message = problems_for(tmp_path, text)
    assert problems[0].field == "concept" and "did you mean 'tokenization'" in message


def test_duplicate_ids_within_a_file_and_against_the_built_in_content(tmp_path):
    problems, message = problems_for(tmp_path, "questions:" + GOOD_QUESTION + GOOD_QUESTION)
    assert [(p.item_id, p.field) for p in problems] == [("my-q1", "id")]
    problems, message = problems_for(tmp_path, "questions:" + GOOD_QUESTION.replace(
        "my-q1", "tk-01"))
    assert "duplicate id (already used in the built-in content)" in message


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    text = ("questions:" + GOOD_QUESTION.replace("answer: 0", "answer: 9")
            + GOOD_QUESTION.replace("my-q1", "my-q2").replace("difficulty: 1", "difficulty: 0"))
    problems, _ = problems_for(tmp_path, text)
    assert [(p.item_id, p.field) for p in problems] == [("my-q1", "answer"),
                                                        ("my-q2", "difficulty")]


@pytest.mark.parametrize(("text", "words"), [
    ("questions: [\n  - oops", "not valid YAML"),
    ("questions:\n  - id: a\n    id: b\n", "duplicate key 'id'"),
    ("lessons: []\nquizzes: []\n", "unknown top-level keys ['quizzes']"),
    ("just a string\n", "expected a list of questions"),
    ("questions:\n  - 42\n", "expected a mapping of fields"),
])
def test_file_level_mistakes(tmp_path, text, words):
    _, message = problems_for(tmp_path, text, name="bad.yaml")
    assert "bad.yaml" in message and words in message


def test_missing_file_is_a_content_error(tmp_path):
    with pytest.raises(ContentError, match="cannot read the file"):
        load_curriculum([tmp_path / "nope.yaml"])


def test_lesson_problems_name_the_lesson(tmp_path):
    lesson = """
    lessons:
      - id: my-lesson
        concept: my-concept
        title: A lesson
        body: Text.
        example: One example.
        product: Why it matters.
        demo: tokenize hello
    """
    problems, message = problems_for(tmp_path, lesson)
    assert "lesson 'my-lesson', field 'demo'" in message


def test_true_false_options_default_and_are_fixed():
    base = dict(id="t1", concept="c", kind="true_false", difficulty=1,
                prompt="The sky is green today.", answer=1, explanation="It is blue, mostly.")
    assert Question.model_validate(base).options == ["True", "False"]
    with pytest.raises(ValueError, match="true_false question has options"):
        Question.model_validate({**base, "options": ["Yes", "No"]})


def test_predict_needs_demo_and_verify_and_others_must_not_carry_them():
    base = dict(id="p1", concept="c", kind="choice", difficulty=1, prompt="Predict the result.",
                options=["a", "b"], answer=0, explanation="Because it is so.")
    with pytest.raises(ValueError, match="only predict questions"):
        Question.model_validate({**base, "demo": "/tokenize hi"})
    q = Question.model_validate({**base, "kind": "predict", "demo": "/tokenize hi",
                                 "verify": {"fact": "token_count", "equals": 1}})
    assert q.verify.check({"token_count": 1}) == (True, "token_count = 1, expected 1")


@pytest.mark.parametrize(("clause", "facts", "holds"), [
    ({"fact": "test_accuracy", "below": 0.8}, {"test_accuracy": 0.55}, True),
    ({"fact": "test_accuracy", "below": 0.8}, {"test_accuracy": 0.8}, False),
    ({"fact": "test_accuracy", "at_most": 0.8}, {"test_accuracy": 0.8}, True),
    ({"fact": "test_accuracy", "above": 0.9}, {"test_accuracy": np.float32(0.97)}, True),
    ({"fact": "test_accuracy", "above": 0.9, "below": 0.95}, {"test_accuracy": 0.97}, False),
    ({"fact": "test_accuracy", "at_least": 0.9}, {"test_accuracy": math.nan}, False),
    ({"fact": "test_accuracy", "above": 0.9}, {"test_accuracy": "0.95"}, False),
    ({"fact": "test_accuracy", "above": 0.9}, {}, False),
    ({"fact": "token_count", "equals": 5}, {"token_count": np.int64(5)}, True),
    ({"fact": "token_count", "equals": 5}, {"token_count": 6}, False),
    ({"fact": "diverged", "equals": True}, {"diverged": True}, True),
    ({"fact": "diverged", "equals": True}, {"diverged": 1}, False),
    ({"fact": "diverged", "equals": True}, {"diverged": np.bool_(True)}, True),
    ({"fact": "top_token", "equals": " Paris"}, {"top_token": " Paris"}, True),
    ({"fact": "ids", "equals": [1, 2]}, {"ids": (1, 2)}, True),
    ({"fact": "ids", "equals": [1, 2]}, {"ids": [1, 2, 3]}, False),
    ({"fact": "train_loss", "below_fact": "test_loss"}, {"train_loss": .2, "test_loss": .3}, True),
    ({"fact": "train_loss", "below_fact": "test_loss"}, {"train_loss": .3, "test_loss": .2}, False),
    ({"fact": "train_loss", "above_fact": "test_loss"}, {"train_loss": .3}, False),
])
def test_verify_clause(clause, facts, holds):
    ok, detail = Verify.model_validate(clause).check(facts)
    assert ok is holds
    assert clause["fact"] in detail


@pytest.mark.parametrize("clause", [
    {"fact": "x"},
    {"fact": "x", "equals": 1, "below": 2},
    {"fact": "x", "bellow": 2},
    {"fact": "Bad Name", "equals": 1},
])
def test_verify_clause_must_make_exactly_one_kind_of_claim(clause):
    with pytest.raises(ValueError):
        Verify.model_validate(clause)


FACTS = {"similarity": [[1.0, 0.8], [0.8, 1.0]], "by_temperature": {"0.2": {"top": [["a", 0.9]]}},
         "links": [["it", "animal", 0.64]], "tokens": ["The", "␣dog"], "text": "it was tired"}


@pytest.mark.parametrize(("clause", "holds"), [
    ({"fact": "similarity/0/1", "equals": 0.8}, True),
    ({"fact": "similarity/1/-1", "equals": 1.0}, True),
    ({"fact": "similarity/2/0", "equals": 0.8}, False),  # no row 2
    ({"fact": "by_temperature/0.2/top/0/0", "equals": "a"}, True),
    ({"fact": "by_temperature/0.2/top/0/1", "above_fact": "similarity/0/1"}, True),
    ({"fact": "links/0/1", "equals": "animal"}, True),
    ({"fact": "links/0/x", "equals": "animal"}, False),  # a list takes indexes only
    ({"fact": "tokens", "contains": "␣dog"}, True),
    ({"fact": "tokens", "contains": "dog"}, False),
    ({"fact": "text", "contains": "tired"}, True),
    ({"fact": "similarity/0/0", "contains": 1.0}, False),  # a number contains nothing
])
def test_verify_clauses_follow_fact_paths(clause, holds):
    ok, detail = Verify.model_validate(clause).check(FACTS)
    assert ok is holds, detail


def test_a_clause_makes_one_kind_of_claim_contains_included():
    with pytest.raises(ValueError, match="not several"):
        Verify.model_validate({"fact": "tokens", "contains": "a", "equals": ["a"]})


def test_lessons_may_carry_verify_clauses():
    lesson = Lesson.model_validate({
        "id": "x", "concept": "x", "title": "A lesson", "body": "Body.", "example": "Ex.",
        "product": "Prod.", "demo": "/tokenize hi",
        "verify": [{"fact": "token_count", "equals": 1}, {"fact": "ids/0", "above": 0}]})
    assert [c.check({"token_count": 1, "ids": [6151]})[0] for c in lesson.verify] == [True, True]
    with pytest.raises(ValueError):
        Lesson.model_validate({**lesson.model_dump(), "verify": [{"fact": "token_count"}]})
