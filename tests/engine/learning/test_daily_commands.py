"""/quiz-schedule, /review, /settings, /leaderboard and /cohort through the real Tutor, on a
real database (SQLite and Postgres) and an injected clock."""

import random
from datetime import time, timedelta

import pytest

from engine.domain.errors import BadOption, Busy, Forbidden, NotFound, Refused
from engine.domain.records import ChannelRef, LearnerRef
from engine.learning.curriculum import default_curriculum
from engine.services.tutor import Tutor
from tests.engine.daily_helpers import Clock, utc
from tests.engine.executors import ThreadExecutor

CUR = default_curriculum()
ANA = LearnerRef("slack", "T1", "U1", "Ana")
BEN = LearnerRef("slack", "T1", "U2", "Ben")
EVE = LearnerRef("slack", "T2", "U9", "Eve")  # another workspace
NOW = utc(2025, 3, 26, 10)  # a Wednesday


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def tutor(store, clock):
    return Tutor(store, ThreadExecutor(), rng=random.Random(3), clock=clock)


async def answer(tutor, learner, right=True, topic="tokenization"):
    """Ask a /quiz question and answer it; returns the verdict reply."""
    quiz = await tutor.handle(learner, f"/quiz {topic}")
    question = CUR.question(quiz.facts["question_id"])
    choice = question.answer if right else (question.answer + 1) % len(question.options)
    return await tutor.press(learner, f"quiz:{quiz.facts['prompt_id']}:{choice}")


@pytest.mark.parametrize("line", ["/quiz-schedule set time=09:00", "/quiz-schedule",
                                  "/cohort", "/cohort digest=here"])
async def test_facilitator_commands_refuse_non_admins(tutor, line):
    with pytest.raises(Forbidden, match="facilitators"):
        await tutor.handle(ANA, line, channel="C1")
    assert await tutor.handle(ANA, line, channel="C1", admin=True)


async def test_quiz_schedule_set_show_pause_resume_remove(tutor, store):
    run = lambda line: tutor.handle(ANA, line, admin=True, channel="C1")  # noqa: E731
    assert (await run("/quiz-schedule")).facts["schedule"] is None
    with pytest.raises(BadOption, match=r"needs a `time` \(24-hour HH:MM\)"):
        await run("/quiz-schedule set tz=Europe/Warsaw")
    made = await run("/quiz-schedule set time=09:00 tz=Europe/Warsaw days=weekdays topic=RAG")
    assert made.facts["next"] == "2025-03-27T08:00:00+00:00"  # Thursday 09:00 CET
    stored = store.schedules.get_schedule(ChannelRef("slack", "T1", "C1"))
    assert (stored.at, stored.topic, stored.days) == (time(9), "rag", "weekdays")
    assert store.workspaces.workspace_settings("slack", "T1").timezone == "Europe/Warsaw"
    changed = await run("/quiz-schedule set window=120")  # other fields stay
    assert "answers open 120 min" in changed.text and "09:00 Europe/Warsaw" in changed.text
    assert (await run("/quiz-schedule pause")).facts["paused"] is True
    assert store.schedules.active_schedules(["slack"]) == []
    assert (await run("/quiz-schedule resume")).facts["paused"] is False
    assert (await run("/quiz-schedule remove")).facts["schedule"] is None
    assert store.schedules.get_schedule(ChannelRef("slack", "T1", "C1")) is None


@pytest.mark.parametrize(("line", "error", "words"), [
    ("/quiz-schedule sett", BadOption, "did you mean set"),
    ("/quiz-schedule set time=9am", BadOption, "`time` must be a 24-hour time"),
    ("/quiz-schedule set time=09:00 tz=Europe/Warsw", BadOption, "did you mean Europe/Warsaw"),
    ("/quiz-schedule set time=09:00 days=weekends", BadOption, "weekdays, everyday"),
    ("/quiz-schedule set time=09:00 window=2", BadOption, "from 5 to 1440"),
    ("/quiz-schedule set time=09:00 topic=astrology", NotFound, "no topic called"),
])
async def test_quiz_schedule_bad_input_says_what_is_allowed(tutor, line, error, words):
    with pytest.raises(error, match=words):
        await tutor.handle(ANA, line, admin=True, channel="C1")


async def test_quiz_schedule_needs_a_channel(tutor):
    with pytest.raises(Exception, match="in the channel"):
        await tutor.handle(ANA, "/quiz-schedule set time=09:00", admin=True)


async def test_settings_show_and_change(tutor):
    shown = await tutor.handle(ANA, "/settings")
    assert shown.facts["reminders"] is False and shown.facts["leaderboard"] is True
    saved = await tutor.handle(ANA, "/settings timezone=europe/warsaw reminders=on "
                                    "reminder_time=8:30 leaderboard=off")
    assert saved.facts["changed"] == ["leaderboard", "reminder_time", "reminders", "timezone"]
    again = await tutor.handle(ANA, "/settings")
    assert (again.facts["timezone"], again.facts["reminder_time"]) == ("Europe/Warsaw", "08:30")
    assert tutor.store.learners.learner_record(ANA).timezone == "Europe/Warsaw"  # streaks use it too
    with pytest.raises(BadOption, match="`timezone`"):
        await tutor.handle(ANA, "/settings timezone=Mars/Base")


async def test_every_answer_updates_the_fsrs_card_and_review_serves_it_when_due(tutor, clock):
    verdict = await answer(tutor, ANA, right=True)
    learner_id = tutor.store.learners.upsert_learner(ANA)
    (card,) = tutor.store.reviews.due_cards(learner_id, NOW + timedelta(days=365))
    assert card.reps == 1 and card.due > NOW
    assert (await tutor.handle(ANA, "/review")).facts["due"] == 0  # nothing due yet
    clock.now = card.due + timedelta(minutes=1)
    review = await tutor.handle(ANA, "/review")
    assert review.facts["question_id"] == verdict.facts["question_id"] and review.ephemeral
    question = CUR.question(review.facts["question_id"])
    await tutor.press(ANA, f"quiz:{review.facts['prompt_id']}:{question.answer}")
    (pushed,) = tutor.store.reviews.due_cards(learner_id, clock.now + timedelta(days=365))
    assert pushed.reps == 2 and pushed.due - clock.now > card.due - NOW  # Good pushes out


async def test_a_wrong_answer_brings_the_question_back_sooner(tutor, clock):
    await answer(tutor, ANA, right=True)
    await answer(tutor, BEN, right=False)
    far = NOW + timedelta(days=365)
    (right,) = tutor.store.reviews.due_cards(tutor.store.learners.upsert_learner(ANA), far)
    (wrong,) = tutor.store.reviews.due_cards(tutor.store.learners.upsert_learner(BEN), far)
    assert wrong.due < right.due


async def test_a_double_click_reviews_the_card_once(tutor):
    quiz = await tutor.handle(ANA, "/quiz tokenization")
    question = CUR.question(quiz.facts["question_id"])
    button = f"quiz:{quiz.facts['prompt_id']}:{question.answer}"
    await tutor.press(ANA, button)
    await tutor.press(ANA, button)
    (card,) = tutor.store.reviews.due_cards(tutor.store.learners.upsert_learner(ANA), NOW + timedelta(days=99))
    assert card.reps == 1


async def test_leaderboard_shows_only_this_workspace_and_hides_opted_out(tutor):
    for learner in (ANA, BEN, EVE):
        await answer(tutor, learner, right=True)
    board = await tutor.handle(ANA, "/leaderboard")
    names = [name for _, name, _ in board.facts["board"]]
    assert sorted(names) == ["Ana", "Ben"] and "Eve" not in board.text
    await tutor.handle(BEN, "/settings leaderboard=off")
    board = await tutor.handle(ANA, "/leaderboard")
    assert [name for _, name, _ in board.facts["board"]] == ["Ana"] and "Ben" not in board.text
    hidden = await tutor.handle(BEN, "/leaderboard")
    assert "You are hidden" in hidden.text and "Ben" not in hidden.text.split("\n", 1)[1]
    eve_board = await tutor.handle(EVE, "/leaderboard")
    assert [name for _, name, _ in eve_board.facts["board"]] == ["Eve"]


async def test_leaderboard_resets_on_monday_in_the_workspace_time_zone(tutor, clock, store):
    await tutor.handle(ANA, "/cohort timezone=Asia/Tokyo", admin=True, channel="C1")
    clock.now = utc(2025, 3, 30, 14, 30)  # Sunday 23:30 in Tokyo
    await answer(tutor, ANA)
    assert (await tutor.handle(ANA, "/leaderboard")).facts["board"]
    clock.now = utc(2025, 3, 30, 15, 30)  # Monday 00:30 in Tokyo: a new week
    assert (await tutor.handle(ANA, "/leaderboard")).facts["board"] == []


async def test_leaderboard_in_a_discord_dm_is_refused(tutor):
    with pytest.raises(Refused, match="server"):
        await tutor.handle(LearnerRef("discord", "dm", "42"), "/leaderboard")


async def test_cohort_draws_the_group_and_sets_the_weekly_digest(tutor, store):
    await answer(tutor, ANA, right=False)
    await answer(tutor, BEN, right=True)
    reply = await tutor.handle(ANA, "/cohort digest=here timezone=Europe/Warsaw", admin=True,
                               channel="CLEADS")
    assert reply.images[0].data[:4] == b"\x89PNG" and reply.facts["learners"] == 2
    assert reply.facts["hardest"] == ["tokenization"] and "this channel" in reply.text
    assert reply.ephemeral and tutor.executor.jobs[-1] == "cohort"
    settings = store.workspaces.workspace_settings("slack", "T1")
    assert (settings.digest_channel, settings.timezone) == ("CLEADS", "Europe/Warsaw")
    assert store.workspaces.digest_workspaces(["slack"]) == [settings]
    await tutor.handle(ANA, "/cohort digest=off", admin=True, channel="CLEADS")
    assert store.workspaces.digest_workspaces(["slack"]) == []


class BusyPool(ThreadExecutor):
    async def submit(self, fn, *args, key, timeout, on_progress=None):
        raise Busy("I'm busy with other demos right now; try again in a few seconds.")


async def test_cohort_with_a_full_pool_still_saves_the_digest_and_says_so(store, clock):
    tutor = Tutor(store, BusyPool(), rng=random.Random(3), clock=clock)
    await answer(tutor, ANA)
    reply = await tutor.handle(ANA, "/cohort digest=here", admin=True, channel="CLEADS")
    assert reply.images == () and "No picture this time" in reply.text
    assert "busy with other demos" in reply.text and "posted Mondays" in reply.text
    assert store.workspaces.workspace_settings("slack", "T1").digest_channel == "CLEADS"


async def test_forget_me_also_deletes_cards_settings_and_reminder_claims(tutor, store):
    await answer(tutor, ANA)
    await tutor.handle(ANA, "/settings reminders=on")
    learner_id = store.learners.upsert_learner(ANA)
    forget = await tutor.handle(ANA, "/forget-me")
    await tutor.press(ANA, forget.buttons[0].id)
    assert store.reviews.due_cards(learner_id, NOW + timedelta(days=999)) == []
    assert store.learners.reminder_targets(["slack"]) == []
