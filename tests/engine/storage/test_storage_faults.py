"""Database faults (issue 15): a finished demo is delivered when recording it fails; text
Postgres refuses is cleaned by one rule for both databases; reads and writes fail with the one
StorageError, whose cause is logged; SQLite waits at most 5 s for a lock; the scheduler logs
one line per outage and backs off. Real SQLite files and a real Postgres throughout."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import pytest
from sqlalchemy import event, select

from bot import errors as bot_errors
from bot import migrate
from engine.domain.errors import StorageError
from engine.domain.records import LearnerRef
from engine.services import scheduler as scheduler_module
from engine.services.scheduler import QuizScheduler, SchedulerConfig
from engine.services.tutor import NOT_SAVED, Tutor
from engine.storage.db import BUSY_TIMEOUT, make_engine
from engine.storage.models import ButtonAction, DemoRunRow, Learner
from engine.storage.repository import SqlStore
from tests.engine.executors import ThreadExecutor

LEARNER = LearnerRef("console", "local", "ada", "Ada")
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/tutorbot"


def read_only_store(tmp_path) -> SqlStore:
    """A real SQLite file at the newest schema, opened read-only (as a file we may not
    write): every write fails, reads work."""
    path = tmp_path / "ro.db"
    migrate.upgrade(f"sqlite:///{path}")
    return SqlStore(make_engine(f"sqlite:///file:{path}?mode=ro&uri=true"))


@pytest.mark.parametrize("broken", ["read-only sqlite", "postgres unreachable"])
async def test_a_finished_demo_is_delivered_when_recording_it_fails(tmp_path, broken, caplog):
    store = read_only_store(tmp_path) if broken == "read-only sqlite" else SqlStore(
        make_engine(UNREACHABLE))
    tutor = Tutor(store, ThreadExecutor())
    with caplog.at_level(logging.WARNING):
        reply = await tutor.handle(LEARNER, "/tokenize hello world")
    assert "tokens" in reply.text and reply.images  # the whole answer...
    assert reply.text.endswith(NOT_SAVED) and reply.facts["saved"] is False  # ...and one line
    [line] = [r for r in caplog.records if "was not recorded" in r.getMessage()]
    assert "OperationalError" in line.getMessage() and line.exc_info is None
    store.engine.dispose()


async def test_a_long_button_is_left_out_rather_than_losing_the_answer(tmp_path):
    store = read_only_store(tmp_path)
    tutor = Tutor(store, ThreadExecutor())
    reply = await tutor.handle(LEARNER, "/next-token " + "the words I typed " * 8)
    assert "Progress not saved" in reply.text
    assert all(len(b.id) <= 100 for b in reply.buttons)
    store.engine.dispose()


@pytest.mark.parametrize("line", ["/tokenize hello\x00world", "/position hi\x00 there",
                                  "/tokenize caf\udce9 \x00\x00"])
async def test_nul_and_lone_surrogates_are_cleaned_before_storage(store, line):
    tutor = Tutor(store, ThreadExecutor())
    reply = await tutor.handle(LEARNER, line)
    assert "Progress not saved" not in reply.text  # recorded, on SQLite and Postgres alike
    [run] = store.learners.runs(LEARNER)
    assert "\x00" not in run.canonical and "\udce9" not in run.canonical
    assert run.canonical.replace("\ufffd", "") in line.replace("\x00", "").replace("\udce9", "")


def test_every_text_column_takes_the_same_rule(store):
    learner = LearnerRef("slack", "T\x001", "U\x001", "Na\x00me")
    learner_id = store.learners.upsert_learner(learner)
    assert store.learners.upsert_learner(learner) == learner_id  # looked up the same way
    key = store.actions.save_action("run:/tokenize a\x00b", learner)
    assert store.actions.load_action(key) == "run:/tokenize ab"
    store.learners.record_run(learner, command="tokenize", options={"te\x00xt": ["a\x00"]},
                              seed=None, canonical="/tokenize a\x00b")
    with store.sessions() as session:
        row = session.scalar(select(DemoRunRow))
        assert row.options == {"text": ["a"]} and row.canonical == "/tokenize ab"
        assert session.scalar(select(Learner.display_name)) == "Name"


@pytest.mark.parametrize("read", ["learner_record", "load_action",
                                  "get_prompt", "runs"])
def test_reads_fail_with_the_one_storage_error(read):
    store = SqlStore(make_engine(UNREACHABLE))
    calls = {"learner_record": lambda: store.learners.learner_record(LEARNER),
             "load_action": lambda: store.actions.load_action("k" * 24),
             "get_prompt": lambda: store.quizzes.get_prompt(1),
             "runs": lambda: store.learners.runs(LEARNER)}
    with pytest.raises(StorageError) as failed:
        calls[read]()
    assert "OperationalError" in type(failed.value.__cause__).__name__
    store.engine.dispose()


async def test_a_button_on_a_dead_database_says_database_and_logs_the_cause(caplog):
    store = SqlStore(make_engine(UNREACHABLE))
    tutor = Tutor(store, ThreadExecutor())
    log = logging.getLogger("tests.storage_faults")
    with pytest.raises(StorageError) as failed:
        await tutor.press(LEARNER, "b:" + "a" * 24)
    with caplog.at_level(logging.DEBUG, logger="tests.storage_faults"):
        told = bot_errors.user_message(failed.value, "a button from ada", log)
    assert "couldn't reach my database" in told and "error id `" in told
    ref = told.split("error id `")[1][:8]
    [line] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert ref in line.getMessage() and "OperationalError" in line.getMessage()
    assert "connection" in line.getMessage().lower()
    assert line.exc_info is None  # the traceback only at DEBUG:
    assert [r for r in caplog.records if r.levelno == logging.DEBUG and r.exc_info]
    store.engine.dispose()


async def test_an_outside_lock_is_waited_for_at_most_5_seconds(tmp_path):
    path = tmp_path / "locked.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    store = SqlStore(make_engine(url))
    tutor = Tutor(store, ThreadExecutor())
    outsider = sqlite3.connect(path, isolation_level=None)
    outsider.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        started = time.monotonic()
        with pytest.raises(StorageError) as failed:
            await tutor.handle(LEARNER, "/learn")
        waited = time.monotonic() - started
    finally:
        outsider.execute("ROLLBACK")
        outsider.close()
    assert BUSY_TIMEOUT <= 5
    assert waited < BUSY_TIMEOUT * 3  # bounded (it was 32 s)
    assert "busy" in failed.value.user_message and "5 seconds" in failed.value.user_message
    reply = await tutor.handle(LEARNER, "/learn")  # the lock gone, it answers
    assert reply.text
    store.engine.dispose()


async def test_the_scheduler_logs_one_line_per_outage_and_backs_off(monkeypatch, caplog):
    monkeypatch.setattr(scheduler_module, "OUTAGE_BACKOFF_MAX", 0.2)
    engine = make_engine(UNREACHABLE)
    store = SqlStore(engine)
    attempts = []
    event.listen(engine, "handle_error", lambda ctx: attempts.append(1) and None)
    tutor = Tutor(store, ThreadExecutor())
    scheduler = QuizScheduler(store, tutor.learning.curriculum, {}, tutor.executor,
                              config=SchedulerConfig(tick_seconds=0.01))
    stop = asyncio.Event()
    with caplog.at_level(logging.DEBUG, logger="engine.services.scheduler"):
        task = asyncio.create_task(scheduler.run(stop))
        await asyncio.sleep(1.5)
        stop.set()
        await asyncio.wait_for(task, 10)
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert "cannot reach the database" in lines[0].getMessage()
    assert "OperationalError" in lines[0].getMessage() and lines[0].exc_info is None
    # without back-off a 10 ms tick would try ~150 times; doubling up to 0.2 s: about a dozen
    assert 1 <= len(attempts) <= 40, len(attempts)
    engine.dispose()


def test_forgotten_learners_take_their_stored_buttons_with_them(store):
    key = store.actions.save_action("run:/next-token my secret words", LEARNER)
    other = store.actions.save_action("run:/next-token my secret words",
                                      LearnerRef("console", "local", "bob"))
    channel = store.actions.save_action("quiz:1:2")
    store.learners.forget_learner(LEARNER)
    assert store.actions.load_action(key) is None
    assert store.actions.load_action(other) == "run:/next-token my secret words"
    assert store.actions.load_action(channel) == "quiz:1:2"
    with store.sessions() as session:
        owners = session.scalars(select(ButtonAction.learner_id)).all()
    assert None in owners and len(owners) == 2
