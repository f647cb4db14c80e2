"""Daily quizzes in Slack, end to end against the fake Slack: /quiz-schedule from a workspace
admin, the scheduler (injected clock) posting through the Slack poster once, answers by
button, the reveal with its chart, review reminders in DMs, the weekly digest, and private
answers whose pictures go to the asker's DM. Real worker pool, real database."""

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.slack.poster import SlackPoster
from engine.domain.records import ChannelRef, LearnerRef
from engine.learning.review import new_card, review
from engine.services.scheduler import QuizScheduler, SchedulerConfig
from testkit.fake_slack import TEAM
from testkit.slack_requests import action_body

PNG = b"\x89PNG\r\n\x1a\n"
NO_PACING = SchedulerConfig(spacing=0.0, channel_gap=0.0)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def scheduler(harness, clock, instance: str = "a") -> QuizScheduler:
    """The real scheduler, posting through the Slack poster on the app's own client."""
    poster = SlackPoster(harness.app.client)
    return QuizScheduler(harness.tutor.store, harness.tutor.learning.curriculum,
                         {"slack": poster.post}, harness.tutor.executor, clock=clock,
                         config=NO_PACING, instance=instance)


async def answer_to(fake, rid: str) -> dict:
    """The response_url post answering the request whose response id is ``rid`` (after a
    "working on it" placeholder, if the answer took more than a moment: it replaces it)."""
    def answered():
        return [c for c in fake.named("response") if c.params["_rid"] == rid
                and "Working on it" not in c.params.get("text", "")]
    await fake.wait_for(answered, timeout=60)
    (call,) = answered()
    return call.params


def buttons_of(fake, call) -> list[dict]:
    return [e for b in fake.blocks(call) if b["type"] == "actions" for e in b["elements"]]


def pictures_in(fake, channel: str):
    """Messages with a picture (an image block) posted into ``channel``."""
    return [c for c in fake.pictures() if c.params["channel"] == channel]


@pytest.mark.parametrize("slack_db_url", ["sqlite", "postgres"], indirect=True)
async def test_admin_sets_a_channel_quiz_posted_once_answered_then_revealed(harness, clock):
    fake, store = harness.fake, harness.tutor.store
    fake.admins.add("UADMIN")
    clock.now = utc(2025, 1, 15, 6, 0)  # a Wednesday, 07:00 in Warsaw
    await harness.command("quiz-schedule", "set time=09:00 tz=Europe/Warsaw topic=attention "
                          "window=30", user="UADMIN", channel="C1")
    answer = await answer_to(fake, "UADMIN-quiz-schedule")
    assert answer["response_type"] == "ephemeral" and "Daily quiz set" in answer["text"]
    schedule = store.schedules.get_schedule(ChannelRef("slack", TEAM, "C1"))
    assert (schedule.at, schedule.timezone, schedule.topic, schedule.window_minutes) == (
        time(9, 0), "Europe/Warsaw", "attention", 30)

    await harness.command("quiz-schedule", "set time=10:00", user="UPLAIN", channel="C2")
    refusal = await answer_to(fake, "UPLAIN-quiz-schedule")
    assert refusal["response_type"] == "ephemeral" and "facilitators" in refusal["text"]
    assert store.schedules.get_schedule(ChannelRef("slack", TEAM, "C2")) is None

    first, second = scheduler(harness, clock, "a"), scheduler(harness, clock, "b")
    clock.now = utc(2025, 1, 15, 7, 59)
    await first.tick()
    assert not fake.named("chat.postMessage", ok_only=False)
    clock.now = utc(2025, 1, 15, 8, 0, 30)  # 09:00:30 in Warsaw
    fake.fail_next("chat.postMessage", 429, {"Retry-After": "1"})
    reports = await asyncio.gather(first.tick(), second.tick())  # two instances at once
    assert sum(len(r.posted) for r in reports) == 1
    attempts = fake.named("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]  # retried after Retry-After, once
    assert attempts[1].at - attempts[0].at >= 1.0
    quiz = attempts[1]
    assert quiz.params["channel"] == "C1" and "Daily quiz" in quiz.params["text"]
    options = buttons_of(fake, quiz)
    assert len(options) >= 2 and all(b["action_id"].startswith("quiz:") for b in options)
    clock.now = utc(2025, 1, 15, 8, 5)
    await first.tick()
    await second.tick()
    assert len(fake.named("chat.postMessage")) == 1  # posted exactly once

    prompt_id = int(options[0]["action_id"].split(":")[1])
    question = (await harness.tutor.learning.curriculum()).question(
        store.quizzes.get_prompt(prompt_id).question_id)
    wrong = next(i for i in range(len(question.options)) if i != question.answer)
    await harness.post(action_body(fake, f"quiz:{prompt_id}:{question.answer}", user="U2"))
    await harness.post(action_body(fake, f"quiz:{prompt_id}:{wrong}", user="U3"))
    for user in ("U2", "U3"):
        verdict = await answer_to(fake, f"{user}-button")
        assert verdict["response_type"] == "ephemeral"
    assert sorted(store.quizzes.prompt_choices(prompt_id)) == sorted([question.answer, wrong])

    clock.now = utc(2025, 1, 15, 8, 31)  # the 30-minute window has closed
    report = await first.tick()
    assert [kind for kind, _ in report.posted] == ["reveal"]
    (reveal,) = pictures_in(fake, "C1")  # one message: text, chart and buttons together
    text = fake.blocks(reveal)[0]["text"]["text"]
    assert "Answers closed" in text and "1 of 2 right" in text
    assert fake.named("upload")[-1].data.startswith(PNG)  # the bar chart
    assert any(b["action_id"].startswith("run:/learn") for b in buttons_of(fake, reveal))
    assert fake.named("chat.postMessage")[-1] is reveal  # no bare message after it
    await first.tick()
    assert len(pictures_in(fake, "C1")) == 1


async def test_review_reminder_goes_to_the_learners_dm_once(harness, clock):
    fake, store = harness.fake, harness.tutor.store
    clock.now = utc(2025, 1, 15, 6, 0)
    await harness.command("settings", "timezone=Europe/Warsaw reminders=on "
                          "reminder_time=08:00", user="U2")
    assert "Settings saved" in (await answer_to(fake, "U2-settings"))["text"]
    learner = store.learners.upsert_learner(LearnerRef("slack", TEAM, "U2", "u2"))
    answered = clock.now - timedelta(days=3)
    card = review(new_card("tok-01", answered), False, answered)  # wrong: due again by now
    store.reviews.update_card(learner, "tok-01", lambda _: card)
    ticker = scheduler(harness, clock)
    clock.now = utc(2025, 1, 15, 6, 59)
    await ticker.tick()
    assert not fake.named("chat.postMessage")
    clock.now = utc(2025, 1, 15, 7, 0, 30)  # 08:00:30 in Warsaw
    await ticker.tick()
    clock.advance(minutes=10)
    await ticker.tick()
    (opened,) = fake.named("conversations.open")
    assert opened.params["users"] == "U2"
    (dm,) = fake.named("chat.postMessage")
    assert dm.params["channel"] == "DU2" and "due for review" in dm.params["text"]
    assert "run:/review" in [b["action_id"] for b in buttons_of(fake, dm)]


async def test_private_answer_with_a_demo_picture_goes_to_the_dm_and_says_so(harness, clock):
    fake, store = harness.fake, harness.tutor.store
    prompt = store.quizzes.create_prompt(LearnerRef("slack", TEAM, "U1", "u1"), "ne-06", at=clock())
    question = (await harness.tutor.learning.curriculum()).question("ne-06")
    assert question.kind == "predict"  # answering runs the demo, which draws a picture
    await harness.post(action_body(fake, f"quiz:{prompt.id}:{question.answer}"))
    answer = await answer_to(fake, "U1-button")
    (opened,) = fake.named("conversations.open")
    (picture,) = fake.named("files.completeUploadExternal")
    assert opened.params["users"] == "U1" and picture.params["channel_id"] == "DU1"
    assert "thread_ts" not in picture.params
    assert "<#C1>" in picture.params["initial_comment"]
    assert "The demo" in picture.params["initial_comment"]  # a copy of the text, kept
    assert fake.named("upload")[0].data.startswith(PNG)
    assert answer["response_type"] == "ephemeral" and "direct message" in answer["text"]
    assert "The demo" in answer["text"]
    said = [c for c in fake.named("response") if "direct message" in c.params.get("text", "")]
    assert said[0].at > picture.at  # said only after it was sent
    assert any(b["action_id"].startswith("run:/quiz") for b in answer["blocks"][-1]["elements"])
    assert not fake.named("chat.postMessage", "chat.postEphemeral")  # nothing public
    (attempt,) = store.learners.learner_record(LearnerRef("slack", TEAM, "U1")).attempts
    assert attempt.correct


async def test_private_answer_with_a_picture_asked_in_the_bot_dm_stays_there(harness):
    fake = harness.fake
    fake.admins.add("UADMIN")
    await harness.command("cohort", "", user="UADMIN", channel="DUADMIN")
    await fake.wait_for(fake.pictures, timeout=60)
    (picture,) = fake.pictures()
    assert picture.params["channel"] == "DUADMIN"
    assert "Weekly digest" in str(fake.blocks(picture))  # the whole answer, once
    await asyncio.sleep(0.3)
    assert not fake.named("chat.postEphemeral")
    placeholders = fake.named("response")  # a "working on it", if any, is gone
    assert all("Working on it" in c.params.get("text", "") or c.params.get("delete_original")
               for c in placeholders) and len(placeholders) in (0, 2)


async def test_cohort_digest_here_from_slack_then_posted_on_monday(harness, clock):
    fake, store = harness.fake, harness.tutor.store
    fake.admins.add("UADMIN")
    clock.now = utc(2025, 1, 12, 12, 0)  # a Sunday
    await harness.command("cohort", "digest=here timezone=Europe/Warsaw", user="UADMIN",
                          channel="C5")
    answer = await answer_to(fake, "UADMIN-cohort")
    assert answer["response_type"] == "ephemeral" and "direct message" in answer["text"]
    (private_chart,) = fake.named("files.completeUploadExternal")
    assert private_chart.params["channel_id"] == "DUADMIN"
    settings = store.workspaces.workspace_settings("slack", TEAM)
    assert (settings.digest_channel, settings.timezone) == ("C5", "Europe/Warsaw")

    ticker = scheduler(harness, clock)
    clock.now = utc(2025, 1, 13, 8, 0, 30)  # Monday 09:00:30 in Warsaw
    report = await ticker.tick()
    assert [kind for kind, _ in report.posted] == ["digest"]
    (digest,) = pictures_in(fake, "C5")
    assert fake.named("upload")[-1].data.startswith(PNG)
    assert "Cohort digest" in str(fake.blocks(digest)) and "<@" not in str(fake.blocks(digest))
    assert [c for c in fake.named("chat.postMessage") if c.params["channel"] == "C5"] == [
        digest]
