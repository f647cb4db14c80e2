"""The /ask evaluation set: big enough, spread over every lesson, labels that exist; the
loader names the line and question of every problem."""

import collections
from pathlib import Path

import pytest

from engine.knowledge.eval_set import EvalSetError, load_eval_set, question_key
from tests.engine.knowledge.lesson_ids import EXISTING_LESSON_IDS, LESSON_IDS

EVAL_FILE = Path(__file__).parents[3] / "bench" / "data" / "ask_eval.yaml"
QUESTIONS = load_eval_set(EVAL_FILE, lesson_ids=LESSON_IDS)


def test_there_are_enough_questions_both_on_and_off_topic():
    on_topic = [q for q in QUESTIONS if not q.off_topic]
    off_topic = [q for q in QUESTIONS if q.off_topic]
    assert len(on_topic) >= 170
    assert len(off_topic) >= 35


def test_every_lesson_is_asked_about_at_least_five_times():
    counts = collections.Counter(lesson for q in QUESTIONS for lesson in q.lessons)
    thin = {lesson: counts[lesson] for lesson in LESSON_IDS if counts[lesson] < 5}
    assert not thin


def test_the_questions_that_existing_lessons_answer_are_most_of_the_set():
    """Before the new lessons land, most questions must still have an answer in the course."""
    answerable = [q for q in QUESTIONS if set(q.lessons) & EXISTING_LESSON_IDS]
    assert len(answerable) >= 150


def test_questions_are_distinct_and_look_typed_by_people():
    keys = [question_key(q.question) for q in QUESTIONS]
    assert len(keys) == len(set(keys))
    lower_case_start = sum(q.question[0].islower() for q in QUESTIONS)
    assert lower_case_start >= len(QUESTIONS) // 2  # chat phrasing, not textbook headings


def test_the_issue_examples_are_in_the_set():
    by_key = {question_key(q.question): q for q in QUESTIONS}
    assert "adapting-models" in by_key[question_key("fine-tune or RAG for our support bot?")].lessons
    assert by_key[question_key("whats an epoch")].lessons == ("batches-epochs",)
    assert by_key[question_key("what's the weather in Paris")].off_topic


# --- the loader's messages --------------------------------------------------------------------

def _problems(tmp_path, body: str, **kwargs) -> list[str]:
    path = tmp_path / "eval.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(EvalSetError) as caught:
        load_eval_set(path, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_a_good_file_loads(tmp_path):
    path = tmp_path / "eval.yaml"
    path.write_text('- {question: "whats  an epoch", lessons: [batches-epochs]}\n'
                    '- {question: "lunch?", lessons: []}\n', encoding="utf-8")
    first, second = load_eval_set(path, lesson_ids={"batches-epochs"})
    assert (first.question, first.lessons, first.off_topic) == (
        "whats an epoch", ("batches-epochs",), False)
    assert second.off_topic


def test_every_problem_names_its_line_and_question(tmp_path):
    body = ('- {question: "what is loss", lessons: [loss]}\n'
            '- {question: "What is LOSS?", lessons: [loss]}\n'
            '- {question: "what is rope", lessons: [Positional Encoding]}\n'
            '- {question: "what is rag", lessons: [rag], topic: x}\n'
            '- {question: "no labels"}\n'
            '- {question: "what is bpe", lessons: [tokens]}\n')
    problems = _problems(tmp_path, body, lesson_ids={"loss", "rag", "tokenization"})
    text = "\n".join(problems)
    assert "eval.yaml:2: question 'What is LOSS?': repeats the question on line 1" in text
    assert "eval.yaml:3: question 'what is rope': 'Positional Encoding' is not a lesson id" in text
    assert "eval.yaml:4: question 'what is rag': unknown field 'topic'" in text
    assert "eval.yaml:5: question 'no labels': `lessons` is required" in text
    assert "eval.yaml:6: question 'what is bpe': no lesson has the id 'tokens'" in text
    assert len(problems) == 5


@pytest.mark.parametrize(("body", "message"), [
    ("{}\n", "expected a non-empty list"),
    ("- [unclosed\n", "cannot read the file"),
    ("- just text\n", "each item must be a mapping"),
    ('- {question: "", lessons: []}\n', "`question` is required"),
    ('- {question: "x", lessons: [loss, loss]}\n', "names a lesson twice"),
])
def test_malformed_files_get_a_clear_message(tmp_path, body, message):
    assert any(message in problem for problem in _problems(tmp_path, body))
