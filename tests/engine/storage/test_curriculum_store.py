"""Curriculum storage on real SQLite and real Postgres: idempotent answers under concurrency,
time zones, facilitator content and deleting every row about a learner."""

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from engine.domain.errors import StorageError
from engine.domain.records import ContentRecord, LearnerRef, LearnerSettings
from engine.learning.review import new_card, review
from engine.storage.models import Base, Learner, QuizAttemptRow

ANA = LearnerRef("slack", "T1", "U1", "Ana")
BEN = LearnerRef("slack", "T1", "U2", "Ben")
AT = datetime(2026, 1, 10, 4, 30, tzinfo=UTC)


def rows_about(store, learner_id: int) -> dict[str, int]:
    """Rows in every table that has a learner_id column, plus the learner row itself."""
    counts = {}
    with store.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if "learner_id" in table.c:
                counts[table.name] = session.scalar(select(func.count()).select_from(table).where(
                    table.c.learner_id == learner_id))
        counts["learners"] = session.scalar(select(func.count()).select_from(Learner).where(
            Learner.id == learner_id))
    return counts


def test_a_lesson_is_recorded_once(store):
    assert store.learners.mark_lesson_done(ANA, "tokenization", at=AT) is True
    assert store.learners.mark_lesson_done(ANA, "tokenization") is False
    assert store.learners.learner_record(ANA).lessons_done == {"tokenization": AT}


def test_a_double_click_records_one_attempt_and_returns_the_first(store):
    prompt = store.quizzes.create_prompt(ANA, "tk-02")
    assert store.quizzes.get_prompt(prompt.id).question_id == "tk-02"
    assert store.quizzes.get_prompt(prompt.id).learner_id == store.learners.upsert_learner(ANA)
    first, new = store.quizzes.record_attempt(ANA, prompt.id, question_id="tk-02",
                                      concept="tokenization", choice=1, correct=True, at=AT)
    again, repeat = store.quizzes.record_attempt(ANA, prompt.id, question_id="tk-02",
                                         concept="tokenization", choice=0, correct=False)
    assert (new, repeat) == (True, False)
    assert again == first and again.choice == 1 and again.answered_at == AT
    assert store.learners.learner_record(ANA).attempts == (first,)


def test_unknown_learner_has_an_empty_record_and_reading_creates_nothing(store):
    record = store.learners.learner_record(LearnerRef("slack", "T9", "nobody"))
    assert (record.timezone, record.lessons_done, record.attempts) == ("UTC", {}, ())
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == 0


def test_timezone_and_timestamps_round_trip_as_aware_utc(store):
    store.learners.set_timezone(ANA, "America/New_York")
    store.learners.mark_lesson_done(ANA, "loss", at=AT)
    store.learners.record_run(ANA, command="tokenize", options={}, seed=None, canonical="/tokenize x")
    record = store.learners.learner_record(ANA)
    assert record.timezone == "America/New_York"
    assert record.lessons_done["loss"] == AT and record.lessons_done["loss"].tzinfo is not None
    assert len(record.demo_runs) == 1 and record.demo_runs[0].tzinfo is not None


def test_500_concurrent_answers_from_50_learners_none_lost_none_duplicated(store):
    learners = [LearnerRef("discord", "G1", f"user{i}") for i in range(50)]
    prompts = {lr: [store.quizzes.create_prompt(lr, f"q-{k}").id for k in range(10)] for lr in learners}
    # every answer is sent twice (a double click), with different choices, in random order
    calls = [(lr, pid, k, click) for lr in learners for k, pid in enumerate(prompts[lr])
             for click in (0, 1)]
    random.Random(5).shuffle(calls)

    def answer(call):
        learner, prompt_id, k, click = call
        attempt, new = store.quizzes.record_attempt(learner, prompt_id, question_id=f"q-{k}",
                                            concept="loss", choice=click, correct=click == 0)
        return (learner, prompt_id), attempt.choice, new

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(answer, calls))
    with store.sessions() as session:
        stored = session.execute(select(QuizAttemptRow.learner_id, QuizAttemptRow.prompt_id,
                                        QuizAttemptRow.choice)).all()
    assert len(stored) == 500  # none duplicated ...
    assert len({(lid, pid) for lid, pid, _ in stored}) == 500  # ... and none lost
    assert sum(new for _, _, new in results) == 500
    first = {key: choice for key, choice, new in results if new}
    assert all(choice == first[key] for key, choice, _ in results)  # first answer counts


def add_daily_rows(store, learner_id: int) -> None:
    """The daily-habit rows about a learner: settings, an FSRS card, a reminder claim."""
    store.learners.save_learner_settings(learner_id, LearnerSettings("Europe/Warsaw", reminders=True))
    store.reviews.update_card(learner_id, "lo-01", lambda _: review(new_card("lo-01", AT), True, AT))
    store.schedules.claim("reminder", f"learner:{learner_id}", AT.date(), now=AT, instance="test",
                learner_id=learner_id)
    store.questions.set_shares_questions(learner_id, True)  # /ask
    store.questions.record_question(learner_id, text="what is a loss?", answered=True,
                                    lesson_id="loss", concept="loss", score=0.6,
                                    mode="extractive", tokens=0, at=AT)


def test_forget_me_removes_every_row_about_the_learner_and_nothing_else(store):
    for learner in (ANA, BEN):
        store.learners.set_timezone(learner, "Europe/Warsaw")
        store.learners.mark_lesson_done(learner, "loss")
        prompt = store.quizzes.create_prompt(learner, "lo-01")
        store.quizzes.record_attempt(learner, prompt.id, question_id="lo-01", concept="loss", choice=0,
                             correct=True)
        store.learners.record_run(learner, command="tokenize", options={}, seed=None, canonical="/t x")
        store.actions.save_action(f"run:/next-token words of {learner.user_id}", learner)
        add_daily_rows(store, store.learners.upsert_learner(learner))
    ana_id, ben_id = store.learners.upsert_learner(ANA), store.learners.upsert_learner(BEN)
    before = rows_about(store, ana_id)
    assert all(before.values()), before
    deleted = store.learners.forget_learner(ANA)
    assert deleted == before
    assert set(rows_about(store, ana_id).values()) == {0}
    assert all(rows_about(store, ben_id).values())  # Ben keeps everything
    assert store.learners.forget_learner(ANA) == {}


def test_deleting_a_learner_row_cascades_in_the_database(store):
    store.learners.mark_lesson_done(ANA, "loss")
    prompt = store.quizzes.create_prompt(ANA, "lo-01")
    store.quizzes.record_attempt(ANA, prompt.id, question_id="lo-01", concept="loss", choice=0,
                         correct=True)
    learner_id = store.learners.upsert_learner(ANA)
    with store.sessions.begin() as session:
        session.execute(Learner.__table__.delete().where(Learner.id == learner_id))
    assert set(rows_about(store, learner_id).values()) == {0}


def test_content_is_stored_in_order_and_replaced_by_id(store):
    first = [ContentRecord("question", f"my-q{i}", {"id": f"my-q{i}", "n": i}, "a.yaml")
             for i in (3, 1, 2)]
    assert store.library.save_content(first) == 0
    assert [r.item_id for r in store.library.content()] == ["my-q3", "my-q1", "my-q2"]
    assert store.library.save_content([ContentRecord("question", "my-q1", {"n": 9}, "b.yaml")]) == 1
    stored = {r.item_id: r for r in store.library.content()}
    assert len(stored) == 3 and stored["my-q1"].data == {"n": 9}
    assert stored["my-q1"].source == "b.yaml"


def test_an_answer_to_a_missing_prompt_is_a_storage_error(store):
    with pytest.raises(StorageError):
        store.quizzes.record_attempt(ANA, 10**9, question_id="x", concept="loss", choice=0,
                             correct=False)
