"""Daily storage on real SQLite and Postgres: claims under concurrency, take-overs, cards,
schedules and workspace isolation."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta

from engine.domain.records import ChannelRef, LearnerRef
from engine.learning.review import new_card, review
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from tests.engine.daily_helpers import add_schedule, utc

AT = utc(2025, 1, 15, 8)
DAY = date(2025, 1, 15)


def other_store(store) -> SqlStore:
    """A second store on the same database (another instance of the bot)."""
    return SqlStore(make_engine(store.engine.url.render_as_string(hide_password=False)))


def test_a_claim_is_won_once_per_key(store):
    first = store.schedules.claim("quiz", "schedule:1", DAY, now=AT, instance="a")
    assert first is not None and first.attempts == 1
    assert store.schedules.claim("quiz", "schedule:1", DAY, now=AT, instance="b") is None
    assert store.schedules.claim("reveal", "schedule:1", DAY, now=AT, instance="b") is not None
    assert store.schedules.claim("quiz", "schedule:1", DAY + timedelta(days=1), now=AT, instance="b")


def test_twenty_instances_racing_for_one_claim_yield_one_winner(store):
    stores = [other_store(store) for _ in range(4)]

    def race(i):
        return stores[i % 4].schedules.claim("quiz", "schedule:7", DAY, now=AT, instance=f"i{i}")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(race, range(20)))
    for s in stores:
        s.engine.dispose()
    assert sum(r is not None for r in results) == 1


def test_stale_claims_are_taken_over_by_exactly_one_sweeper(store):
    stuck = store.schedules.claim("quiz", "schedule:1", DAY, now=AT, instance="dead")
    done = store.schedules.claim("quiz", "schedule:2", DAY, now=AT, instance="ok")
    store.schedules.finish_claim(done.id, now=AT, message_ref="m1")
    later = AT + timedelta(minutes=10)
    stores = [other_store(store) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        won = list(pool.map(lambda s: s.schedules.recover_claims(
            now=later, stale_before=later - timedelta(minutes=5), instance="sweeper",
            max_attempts=3), stores))
    for s in stores:
        s.engine.dispose()
    taken = [c for claims in won for c in claims]
    assert [(c.id, c.attempts) for c in taken] == [(stuck.id, 2)]
    assert store.schedules.recover_claims(now=later, stale_before=later - timedelta(minutes=5),
                                instance="x", max_attempts=3) == []  # fresh again


def test_a_claim_out_of_attempts_is_given_up(store):
    claim = store.schedules.claim("quiz", "schedule:1", DAY, now=AT, instance="a")
    store.schedules.fail_claim(claim.id, error="ConnectionError('down')")
    late = AT + timedelta(hours=1)
    assert store.schedules.recover_claims(now=late, stale_before=late, instance="b", max_attempts=1) == []
    assert store.schedules.recover_claims(now=late, stale_before=late, instance="b", max_attempts=5) == []


def test_reveals_are_due_for_posted_quizzes_whose_answers_closed(store):
    schedule = add_schedule(store)
    quiz = store.schedules.claim("quiz", f"schedule:{schedule.id}", DAY, now=AT, instance="a",
                       schedule_id=schedule.id)
    assert store.schedules.reveals_due(AT + timedelta(hours=2)) == []  # not posted yet
    prompt = store.quizzes.create_channel_prompt(schedule.channel, "ai-01", at=AT,
                                         closes_at=AT + timedelta(hours=1))
    store.schedules.finish_claim(quiz.id, now=AT, message_ref="m", prompt_id=prompt,
                       closes_at=AT + timedelta(hours=1))
    assert store.schedules.reveals_due(AT + timedelta(minutes=59)) == []
    (due,) = store.schedules.reveals_due(AT + timedelta(hours=1))
    assert (due.prompt_id, due.schedule_id) == (prompt, schedule.id)
    store.schedules.claim("reveal", due.subject, due.local_date, now=AT, instance="a")
    assert store.schedules.reveals_due(AT + timedelta(hours=1)) == []


def test_concurrent_answers_never_lose_a_card_update(store):
    learner_id = store.learners.upsert_learner(LearnerRef("slack", "T1", "U1"))
    stores = [other_store(store) for _ in range(4)]

    def answer(i):
        at = AT + timedelta(seconds=i)
        return stores[i % 4].reviews.update_card(learner_id, "ai-01", lambda card: review(
            card or new_card("ai-01", at), True, at))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(answer, range(16)))
    for s in stores:
        s.engine.dispose()
    (card,) = store.reviews.due_cards(learner_id, AT + timedelta(days=3650))
    assert card.reps == 16


def test_one_schedule_per_channel_and_changes_keep_its_id(store):
    first = add_schedule(store, channel="C1")
    again = store.schedules.save_schedule(replace(first, window_minutes=90), now=AT)
    assert again.id == first.id and again.window_minutes == 90 and again.active_since == AT
    assert store.schedules.schedule_by_id(first.id) == again
    assert store.schedules.remove_schedule(first.channel) and not store.schedules.remove_schedule(first.channel)
    assert store.schedules.schedule_by_id(first.id) is None


def test_workspace_views_never_mix_workspaces(store):
    for workspace in ("T1", "T2"):
        learner = LearnerRef("slack", workspace, "U1", f"user-{workspace}")
        channel = ChannelRef("slack", workspace, "C1")
        prompt = store.quizzes.create_channel_prompt(channel, "ai-01", at=AT, closes_at=AT)
        store.quizzes.record_attempt(learner, prompt, question_id="ai-01", concept="what-is-ai",
                             choice=1, correct=False, at=AT)
        learner_id = store.learners.upsert_learner(learner)
        store.reviews.update_card(learner_id, "ai-01", lambda _: replace(
            review(new_card("ai-01", AT), False, AT), lapses=3))
    end = AT + timedelta(days=1)
    people = store.workspaces.workspace_learners("slack", "T1")
    assert [p.name for p in people.values()] == ["user-T1"]
    attempts = store.workspaces.workspace_attempts("slack", "T1", AT, end)
    assert [a.learner_id for a in attempts] == list(people)
    assert store.workspaces.workspace_lapses("slack", "T1") == {"ai-01": 3}
    (prompt,) = store.workspaces.channel_prompts("slack", "T1", AT, end)
    assert prompt.answers == 1
    assert store.workspaces.workspace_attempts("slack", "T3", AT, end) == []


def test_old_claims_are_pruned_and_recent_reminders_filter_targets(store):
    from engine.domain.records import LearnerSettings

    learner_id = store.learners.upsert_learner(LearnerRef("slack", "T1", "U1"))
    store.learners.save_learner_settings(learner_id, LearnerSettings(reminders=True))
    store.schedules.claim("quiz", "schedule:1", DAY, now=AT - timedelta(days=90), instance="a")
    store.schedules.claim("reminder", f"learner:{learner_id}", DAY, now=AT, instance="a",
                learner_id=learner_id)
    assert store.learners.reminder_targets(["slack"], unclaimed_since=AT - timedelta(hours=12)) == []
    assert len(store.learners.reminder_targets(["slack"], unclaimed_since=AT)) == 1
    assert store.schedules.prune_claims(AT - timedelta(days=60)) == 1
    assert store.schedules.claim("quiz", "schedule:1", DAY + timedelta(days=1), now=AT, instance="a")
