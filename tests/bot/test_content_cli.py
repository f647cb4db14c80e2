"""`tutorbot content validate|load`: facilitators' YAML files, errors naming file, id, field."""

import asyncio
import random
import textwrap

from bot import cli
from bot.content import content_command
from bot.settings import CoreSettings
from engine.domain.records import LearnerRef
from engine.learning.curriculum import default_curriculum
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from tests.engine.executors import ThreadExecutor

QUESTIONS = """
questions:
  - id: team-q1
    concept: tokenization
    kind: choice
    difficulty: 2
    prompt: Our support bot bills per token. Which message costs most to send?
    options: ["A 20-word English reply", "The same reply in Polish", "An empty reply"]
    answer: 1
    explanation: The tokenizer learned mostly from English, so Polish needs more tokens.
  - id: team-q2
    concept: tokenization
    kind: true_false
    difficulty: 1
    prompt: Emoji can take more than one token each.
    answer: 0
    explanation: Many emoji are several UTF-8 bytes and split into several tokens.
"""


def write(tmp_path, text, name="team.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_validate_reports_ok_for_a_good_file(tmp_path, capsys):
    assert cli.main(["content", "validate", write(tmp_path, QUESTIONS)]) == 0
    assert "OK: 0 lessons and 2 questions are valid." in capsys.readouterr().out


def test_validate_names_the_file_the_question_and_the_field(tmp_path, capsys):
    bad = QUESTIONS.replace("answer: 1", "answer: 3").replace("difficulty: 1", "difficulty: 4")
    path = write(tmp_path, bad)
    assert cli.main(["content", "validate", path]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: question 'team-q1', field 'answer': index 3 is out of range" in err
    assert f"{path}:11: question 'team-q2', field 'difficulty'" in err
    assert "2 problem(s); nothing was changed." in err


def test_load_stores_questions_that_quizzes_then_use(db_url, tmp_path, capsys):
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    path = write(tmp_path, QUESTIONS)
    assert content_command(settings, "load", [path]) == 0
    assert "Loaded 0 lessons and 2 questions (0 replaced" in capsys.readouterr().out
    assert content_command(settings, "load", [path]) == 0  # loading again replaces by id
    assert "(2 replaced" in capsys.readouterr().out
    store = SqlStore(make_engine(db_url))
    try:
        assert [r.item_id for r in store.library.content()] == ["team-q1", "team-q2"]
        tutor = Tutor(store, ThreadExecutor(), rng=random.Random(0))
        cur = asyncio.run(tutor.learning.curriculum())
        assert cur.question("team-q1").answer_text == "The same reply in Polish"
        assert {q.id for q in cur.questions_for("tokenization")} >= {"team-q1", "team-q2"}
    finally:
        store.engine.dispose()


def test_load_refuses_invalid_files_and_stores_nothing(db_url, tmp_path, capsys):
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    clash = QUESTIONS.replace("team-q1", "tk-01")  # an id of the built-in content
    assert content_command(settings, "load", [write(tmp_path, clash)]) == 1
    assert "question 'tk-01', field 'id': duplicate id" in capsys.readouterr().err
    store = SqlStore(make_engine(db_url))
    try:
        assert store.library.content() == []
    finally:
        store.engine.dispose()


async def test_quiz_asks_a_loaded_question(db_url, tmp_path):
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    only = QUESTIONS.replace("concept: tokenization", "concept: team-topic")
    lesson = """
    lessons:
      - id: team-lesson
        concept: team-topic
        title: How our team uses tokens
        body: We pay per token.
        example: A reply of 300 tokens.
        product: Keep replies short.
        demo: /tokenize Thank you very much
    """
    files = [write(tmp_path, lesson, "lesson.yaml"), write(tmp_path, only)]
    assert content_command(settings, "load", files) == 0
    store = SqlStore(make_engine(db_url))
    try:
        tutor = Tutor(store, ThreadExecutor(), rng=random.Random(0))
        quiz = await tutor.handle(LearnerRef("console", "local", "fac"), "/quiz team-topic")
        assert quiz.facts["question_id"] in {"team-q1", "team-q2"}
        after_built_in = len(default_curriculum().lessons) + 1  # loaded lessons follow the path
        lesson_reply = await tutor.handle(LearnerRef("console", "local", "fac"),
                                          f"/learn {after_built_in}")
        assert lesson_reply.facts["lesson_id"] == "team-lesson"
    finally:
        store.engine.dispose()
