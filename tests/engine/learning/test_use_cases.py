"""/learn, /quiz (and answer buttons), /progress and /forget-me through the real Tutor and a
real database (SQLite and Postgres)."""

import asyncio
import random

import pytest

from engine.commands import LINE
from engine.domain.errors import Forbidden, NotFound
from engine.domain.records import LearnerRef
from engine.domain.replies import render_invocations
from engine.learning.curriculum import default_curriculum
from engine.learning.schema import MAX_LESSON_CHARS

CUR = default_curriculum()
ANA = LearnerRef("slack", "T1", "U1", "Ana")
BEN = LearnerRef("slack", "T1", "U2", "Ben")
PNG = b"\x89PNG\r\n\x1a\n"


def button(reply, label_start):
    return next(b for b in reply.buttons if b.label.startswith(label_start))


async def test_learn_walks_the_path_and_records_each_lesson_once(tutor):
    first = await tutor.handle(ANA, "/learn")
    assert first.facts["lesson_id"] == CUR.lessons[0].id
    assert len(first.text) <= MAX_LESSON_CHARS and first.text.endswith(f"`{CUR.lessons[0].demo}`")
    assert button(first, "Try it").id == f"run:{CUR.lessons[0].demo}"
    assert button(first, "Quiz me").id == f"run:/quiz {CUR.lessons[0].concept}"
    second = await tutor.press(ANA, button(first, "Next lesson").id)
    assert second.facts["lesson_id"] == CUR.lessons[1].id
    again = await tutor.handle(ANA, f"/learn {CUR.lessons[0].id}")  # re-reading is fine
    assert again.facts["lessons_done"] == 2
    assert set(tutor.store.learners.learner_record(ANA).lessons_done) == {le.id for le in CUR.lessons[:2]}


@pytest.mark.parametrize(("topic", "lesson_id"), [
    ("attention", "attention"), ("RAG", "rag"), ("hallucinations", "hallucination"), ("12", CUR.lessons[11].id),
    ("tokenization", "tokenization"),
])
async def test_learn_a_named_topic(tutor, topic, lesson_id):
    assert (await tutor.handle(ANA, f"/learn {topic}")).facts["lesson_id"] == lesson_id


@pytest.mark.parametrize(("line", "words"), [
    ("/learn quantum gravity", "no topic called “quantum gravity”"),
    ("/learn 99", f"lessons 1 to {len(CUR.lessons)}"),
    ("/quiz astrology", "Topics: `what-is-ai`"),
])
async def test_unknown_topics_are_explained(tutor, line, words):
    with pytest.raises(NotFound, match=words):
        await tutor.handle(ANA, line)


async def test_after_the_last_lesson_learn_says_so(tutor):
    for lesson in CUR.lessons:
        tutor.store.learners.mark_lesson_done(ANA, lesson.id)
    reply = await tutor.handle(ANA, "/learn")
    assert f"read all {len(CUR.lessons)} lessons" in reply.text and "lesson_id" not in reply.facts


async def test_quiz_answer_is_recorded_once_and_answered_privately(tutor):
    quiz = await tutor.handle(ANA, "/quiz loss")
    question = CUR.question(quiz.facts["question_id"])
    assert question.concept == "loss" and question.prompt in quiz.text
    ids = [b.id for b in quiz.buttons]
    assert ids == [f"quiz:{quiz.facts['prompt_id']}:{i}" for i in range(len(question.options))]
    wrong = (question.answer + 1) % len(question.options)
    verdict = await tutor.press(ANA, ids[wrong])
    assert verdict.ephemeral and verdict.facts == {**verdict.facts, "correct": False,
                                                   "recorded": True}
    assert "Not quite" in verdict.text and question.explanation in verdict.text
    assert f"`/learn {CUR.lessons_for('loss')[0].id}`" in render_invocations(verdict.text, LINE)
    double = await tutor.press(ANA, ids[question.answer])  # a second click, other choice
    assert double.facts["recorded"] is False and double.facts["correct"] is False
    assert "already answered" in double.text
    assert len(tutor.store.learners.learner_record(ANA).attempts) == 1


async def test_attempt_listeners_hear_each_new_answer_once(tutor):
    heard = []

    async def listener(learner, question, attempt):
        heard.append((learner.user_id, question.id, attempt.correct))

    tutor.learning.attempt_listeners.append(listener)
    quiz = await tutor.handle(ANA, "/quiz neurons")
    question = CUR.question(quiz.facts["question_id"])
    if question.kind == "predict":
        quiz = await tutor.handle(ANA, "/quiz neurons")  # the next one; no demo needed here
        question = CUR.question(quiz.facts["question_id"])
    for _ in range(2):
        await tutor.press(ANA, quiz.buttons[question.answer].id)
    assert heard == [("U1", question.id, True)]


async def test_someone_else_cannot_answer_your_question(tutor):
    quiz = await tutor.handle(ANA, "/quiz")
    with pytest.raises(Forbidden, match="someone else"):
        await tutor.press(BEN, quiz.buttons[0].id)
    assert tutor.store.learners.learner_record(BEN).attempts == ()


@pytest.mark.parametrize("bad", ["quiz:abc", "quiz:1:9", "quiz:999999:0", "quiz:1"])
async def test_bad_or_stale_answer_buttons(tutor, bad):
    await tutor.handle(ANA, "/quiz loss")
    with pytest.raises(NotFound):
        await tutor.press(ANA, bad)


async def test_right_answers_earn_xp_and_the_quiz_moves_on(tutor):
    seen = set()
    for _ in range(3):
        quiz = await tutor.handle(ANA, "/quiz layers")
        question = CUR.question(quiz.facts["question_id"])
        assert question.id not in seen  # unanswered questions come first
        seen.add(question.id)
        if question.kind == "predict":
            continue  # predict answers run a demo; covered below
        verdict = await tutor.press(ANA, quiz.buttons[question.answer].id)
        assert verdict.facts["correct"] is True and verdict.facts["xp"] == 10 * question.difficulty


async def test_predict_the_demo_answer_shows_the_demo_that_settles_it(tutor):
    prompt = tutor.store.quizzes.create_prompt(ANA, "tk-04")  # "My name is Pawel": 5 tokens
    question = CUR.question("tk-04")
    verdict = await tutor.press(ANA, f"quiz:{prompt.id}:{question.answer}")
    assert verdict.facts["correct"] is True and verdict.facts["demo_confirms"] is True
    assert verdict.images and verdict.images[0].data.startswith(PNG)
    assert "5 tokens" in verdict.text and "`/tokenize My name is Pawel`" in verdict.text
    assert [r.canonical for r in tutor.store.learners.runs(ANA)] == ["/tokenize My name is Pawel"]
    repeat = await tutor.press(ANA, f"quiz:{prompt.id}:{question.answer}")
    assert not repeat.images and button(repeat, "Run the demo").id == f"run:{question.demo}"
    assert len(tutor.store.learners.runs(ANA)) == 1  # a double click does not run the demo again


async def test_progress_renders_a_picture_of_the_record(tutor):
    await tutor.handle(ANA, "/learn")
    quiz = await tutor.handle(ANA, f"/quiz {CUR.lessons[0].concept}")
    question = CUR.question(quiz.facts["question_id"])
    await tutor.press(ANA, quiz.buttons[question.answer].id)
    reply = await tutor.handle(ANA, "/progress")
    assert reply.images[0].data.startswith(PNG) and reply.ephemeral
    assert reply.facts["lessons_done"] == 1 and reply.facts["current_streak"] == 1
    assert reply.facts["xp"] == 10 + 10 * question.difficulty
    assert reply.facts["mastery"][question.concept] == pytest.approx(1 / 5)
    assert f"1/{len(CUR.lessons)} lessons" in reply.text
    assert "`/quiz " in render_invocations(reply.text, LINE)
    assert tutor.executor.jobs == ["progress"]


async def test_progress_picture_is_deterministic(tutor):
    await tutor.handle(ANA, "/learn")
    first, second = await tutor.handle(ANA, "/progress"), await tutor.handle(ANA, "/progress")
    assert first.images[0].data == second.images[0].data


async def test_forget_me_asks_first_then_deletes_everything(tutor):
    await tutor.handle(ANA, "/learn")
    quiz = await tutor.handle(ANA, "/quiz")
    await tutor.press(ANA, quiz.buttons[0].id)
    await tutor.handle(BEN, "/learn")
    ask = await tutor.handle(ANA, "/forget-me")
    assert ask.ephemeral and tutor.store.learners.learner_record(ANA).lessons_done  # nothing deleted yet
    (confirm,) = ask.buttons
    with pytest.raises(Forbidden, match="someone else"):
        await tutor.press(BEN, confirm.id)
    assert tutor.store.learners.learner_record(BEN).lessons_done  # Ben's press deleted nothing
    done = await tutor.press(ANA, confirm.id)
    assert done.facts["deleted"]["lessons_done"] == 1 and done.facts["deleted"]["learners"] == 1
    record = tutor.store.learners.learner_record(ANA)
    assert (record.lessons_done, record.attempts, record.demo_runs) == ({}, (), ())
    assert len(tutor.store.learners.learner_record(BEN).lessons_done) == 1


async def test_500_concurrent_answers_through_the_tutor_none_lost_none_duplicated(tutor):
    learners = [LearnerRef("discord", "G1", f"user{i}") for i in range(50)]
    presses = []
    for learner in learners:
        for _ in range(10):
            prompt = tutor.store.quizzes.create_prompt(learner, "lo-01")
            presses += [(learner, f"quiz:{prompt.id}:{c}") for c in (0, 1)]  # double clicks
    random.Random(2).shuffle(presses)
    replies = await asyncio.gather(*(tutor.press(lr, bid) for lr, bid in presses))
    assert sum(r.facts["recorded"] for r in replies) == 500
    for learner in learners:
        assert len(tutor.store.learners.learner_record(learner).attempts) == 10
