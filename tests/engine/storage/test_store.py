"""The SQL store on real SQLite and real Postgres."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from engine.domain.records import LearnerRef
from engine.storage.models import DemoRunRow, Learner

ANA = LearnerRef("slack", "T1", "U1", "Ana")


def count(store, model) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_learners_are_unique_per_platform_workspace_and_user(store):
    first = store.learners.upsert_learner(ANA)
    assert store.learners.upsert_learner(LearnerRef("slack", "T1", "U1", "Ana B")) == first
    assert store.learners.upsert_learner(LearnerRef("slack", "T2", "U1")) != first
    assert store.learners.upsert_learner(LearnerRef("discord", "T1", "U1")) != first
    assert count(store, Learner) == 3


def test_concurrent_first_requests_create_one_learner(store):
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: store.learners.upsert_learner(ANA), range(16)))
    assert len(ids) == 1 and count(store, Learner) == 1


def test_a_run_is_recorded_once_even_when_the_platform_retries(store):
    kwargs = dict(command="tokenize", options={"layers": (4, 2)}, seed=7,
                  canonical="/tokenize hi", request_key="evt-1")
    assert store.learners.record_run(ANA, **kwargs) is True
    assert store.learners.record_run(ANA, **kwargs) is False
    runs = store.learners.runs(ANA)
    assert [(r.command, r.options, r.seed) for r in runs] == [("tokenize", {"layers": [4, 2]}, 7)]
    assert count(store, DemoRunRow) == 1


def test_long_button_actions_are_stored_under_a_short_stable_key(store):
    action = "run:/tokenize " + "x" * 300
    key = store.actions.save_action(action)
    assert store.actions.save_action(action) == key and len(key) <= 32
    assert store.actions.load_action(key) == action
    assert store.actions.load_action("nope") is None
