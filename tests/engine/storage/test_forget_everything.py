"""/forget-me forgets everything (issue 15). The tables that hold a learner's data are
derived from the model metadata, so a table added later is either linked to the learner (and
deleted with them) or declared free of learner data here -- it cannot be forgotten."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select

from engine.domain.records import LearnerRef
from engine.services.learning import forget_token
from engine.services.tutor import Tutor
from engine.storage.models import AskPreferenceRow, Base, Learner, PostClaim, QuestionRow
from tests.engine.executors import ThreadExecutor

LEARNER = LearnerRef("slack", "T1", "UADA", "Ada")
SECRET = "my secret project codename Bluebird"

# Tables with no link to a learner, and why they hold no learner's data.
HOLDS_NO_LEARNER_DATA = {
    "learners": "the learner row itself: deleted last, by forget_learner",
    "content_items": "facilitators' own lessons and questions (`tutorbot content load`)",
    "delivery_claims": "platform event ids (dedupe of retries); no text, no user",
    "quiz_schedules": "a channel's daily-quiz settings, set by a facilitator",
    "workspace_settings": "a workspace's time zone and digest channel",
    "slack_installations": "the workspace's install (bot token); removed by uninstalling",
    "slack_bots": "the workspace's bot token; removed by uninstalling",
    "ask_limits": "a workspace's daily /ask budgets, set by facilitators",
}


def learner_tables() -> list[str]:
    """Every table that links rows to a learner (a foreign key to learners.id)."""
    return [t.name for t in Base.metadata.sorted_tables
            if any(fk.column.table.name == "learners" for fk in t.foreign_keys)]


def test_every_table_links_to_the_learner_or_says_why_it_holds_no_learner_data():
    for table in Base.metadata.sorted_tables:
        linked = table.name in learner_tables()
        assert linked != (table.name in HOLDS_NO_LEARNER_DATA), (
            f"table {table.name!r}: link its rows to learners.id (ON DELETE CASCADE) or add it "
            "to HOLDS_NO_LEARNER_DATA with the reason it holds none")
        if linked:
            [fk] = [fk for fk in table.foreign_keys if fk.column.table.name == "learners"]
            assert fk.ondelete == "CASCADE", table.name


def counts(store, learner_id: int) -> dict[str, int]:
    with store.sessions() as session:
        return {name: session.scalar(
            select(func.count()).select_from(Base.metadata.tables[name])
            .where(Base.metadata.tables[name].c.learner_id == learner_id))
            for name in learner_tables()}


async def test_forget_me_leaves_no_row_in_any_learner_table(store):
    tutor = Tutor(store, ThreadExecutor())
    # a learner's whole life: demos (one with a long button holding their words), a lesson,
    # a quiz answered (prompt, attempt, review card), settings, a reminder claimed for them
    await tutor.handle(LEARNER, f"/tokenize {SECRET}")
    long = await tutor.handle(LEARNER, f"/next-token {SECRET} " + "and more words " * 6)
    assert any(b.id.startswith("b:") for b in long.buttons)  # stored, linked to Ada
    await tutor.handle(LEARNER, "/learn")
    quiz = await tutor.handle(LEARNER, "/quiz")
    await tutor.press(LEARNER, quiz.buttons[0].id)
    await tutor.handle(LEARNER, "/settings timezone=Europe/Warsaw")
    with store.sessions.begin() as session:
        learner_id = session.scalar(select(Learner.id).where(Learner.user_id == "UADA"))
        session.execute(insert(PostClaim).values(
            kind="reminder", subject="slack:T1:UADA", local_date=date(2026, 12, 1),
            learner_id=learner_id, claimed_by="test", claimed_at=datetime.now(UTC)))
        # what /ask keeps (written here directly: the answering needs the embedding model)
        session.execute(insert(QuestionRow).values(
            learner_id=learner_id, asked_at=datetime.now(UTC), text=f"what is {SECRET}?",
            answered=False, mode="off-topic", tokens=0))
        session.execute(insert(AskPreferenceRow).values(learner_id=learner_id,
                                                        share_questions=True))
    before = counts(store, learner_id)
    assert all(before.values()), f"exercise every learner table in this test: {before}"

    done = await tutor.press(LEARNER, f"forget:{forget_token(LEARNER)}")
    assert "deleted everything" in done.text
    assert all(n == 0 for n in counts(store, learner_id).values())
    with store.sessions() as session:
        assert session.get(Learner, learner_id) is None
        for table in Base.metadata.sorted_tables:  # their words are nowhere
            for row in session.execute(select(table)).all():
                assert "Bluebird" not in repr(row), table.name
