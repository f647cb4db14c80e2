"""Delivery: 429 retries, the not-in-channel fallback, buttons, errors, mentions and DMs."""

import asyncio
import logging
import re

from engine.domain.records import LearnerRef
from testkit.fake_slack import TEAM
from testkit.slack_requests import action_body, event_body


async def test_rate_limited_call_is_retried_after_retry_after_and_delivered_once(harness):
    fake = harness.fake
    fake.fail_next("files.completeUploadExternal", 429, {"Retry-After": "1"})
    await harness.command("tokenize", "rate limits are polite")
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"), timeout=30)
    attempts = fake.named("files.completeUploadExternal", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # waited Retry-After
    assert len(fake.named("upload")) == 1
    assert len(harness.runs()) == 1


async def test_server_error_is_retried(harness):
    fake = harness.fake
    fake.fail_next("files.getUploadURLExternal", 503)
    await harness.command("tokenize", "servers hiccup")
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    assert [c.status for c in fake.named("files.getUploadURLExternal", ok_only=False)] == [
        503, 200]


async def test_not_in_channel_falls_back_to_a_dm_and_says_how_to_invite(harness):
    fake = harness.fake
    fake.not_member.add("C9")
    await harness.command("tokenize", "where am I", channel="C9")
    await fake.wait_for(fake.pictures)
    (opened,) = fake.named("conversations.open")
    assert opened.params["users"] == "U1"
    (answer,) = fake.pictures()
    assert answer.params["channel"] == "DU1"
    notes = [c.params["text"] for c in fake.named("response")]
    assert len(notes) == 1 and "/invite @tutorbot" in notes[0] and "<#C9>" in notes[0]
    assert fake.named("response")[0].params["response_type"] == "ephemeral"


async def test_button_click_runs_its_command_through_the_engine(harness):
    fake = harness.fake
    status, _, seconds = await harness.post(
        action_body(fake, "run:/tokenize pressed a button", thread_ts="5.000001"))
    assert status == 200 and seconds < 1.0
    await fake.wait_for(fake.pictures)
    (posted,) = fake.named("chat.postMessage")  # the answer, or a placeholder it replaced
    assert posted.params["thread_ts"] == "5.000001"  # answered in the thread
    assert [r.canonical for r in harness.runs()] == ["/tokenize pressed a button"]


async def test_stale_button_is_answered_privately(harness):
    fake = harness.fake
    await harness.post(action_body(fake, "nonsense:42"))
    await fake.wait_for(lambda: fake.named("response"))
    (answer,) = fake.named("response")
    assert "no longer does anything" in answer.params["text"]
    assert answer.params["response_type"] == "ephemeral"
    assert answer.params["replace_original"] is False


async def test_unexpected_error_gets_an_apology_with_an_id_that_is_in_the_log(
        harness, monkeypatch, caplog):
    fake = harness.fake

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(harness.tutor, "run", broken)  # fault injection into the engine
    with caplog.at_level(logging.ERROR):
        await harness.command("tokenize", "anything")
        await fake.wait_for(lambda: fake.named("response"))
    text = fake.named("response")[0].params["text"]
    ref = re.search(r"error id `([0-9a-f]{8})`", text).group(1)
    assert "a bug" not in text and "Traceback" not in text
    logged = [r for r in caplog.records if ref in r.getMessage()]
    assert logged and logged[0].exc_info and "a bug" in str(logged[0].exc_info[1])


async def test_busy_answer_is_private(harness):
    fake = harness.fake
    await asyncio.gather(harness.command("tokenize", "first " * 500),
                         harness.command("tokenize", "second"))  # one learner, two demos
    await fake.wait_for(lambda: fake.pictures() and [
        c for c in fake.named("response") if "is still running" in c.params.get("text", "")])
    busy = [c.params for c in fake.named("response") if "is still running" in
            c.params.get("text", "")]
    assert len(busy) == 1 and busy[0]["response_type"] == "ephemeral"
    # the two requests race: whichever started first runs, the other is refused by name
    text = busy[0]["text"]
    refused_second = ("Your `/tokenize first first" in text
                      and "so I did not start `/tokenize second`" in text)
    refused_first = ("Your `/tokenize second` is still running" in text
                     and "so I did not start `/tokenize first first" in text)
    assert refused_first != refused_second, text


async def test_mention_with_a_command_runs_it_in_the_thread(harness):
    fake = harness.fake
    body = event_body({"type": "app_mention", "user": "U1", "channel": "C1",
                       "thread_ts": "7.000001", "text": "<@UBOT> tokenize hi &amp; bye"})
    status, _, _ = await harness.post(body, json_body=True)
    assert status == 200
    await fake.wait_for(fake.pictures)
    (posted,) = fake.named("chat.postMessage")  # the answer, or a placeholder it replaced
    assert posted.params["thread_ts"] == "7.000001"
    assert [r.canonical for r in harness.runs()] == ["/tokenize hi & bye"]


async def test_an_empty_mention_gets_help_privately(harness):
    """(A mention with words that are not a command is a question: tests/bot/slack/test_ask.py.)"""
    fake = harness.fake
    body = event_body({"type": "app_mention", "user": "U1", "channel": "C1",
                       "text": "<@UBOT>  "})
    await harness.post(body, json_body=True)
    await fake.wait_for(lambda: fake.named("chat.postEphemeral"))
    (help_call,) = fake.named("chat.postEphemeral")
    assert help_call.params["user"] == "U1" and "/tokenize" in help_call.params["text"]


async def test_dm_is_answered_in_the_dm_and_bot_messages_are_ignored(harness):
    fake = harness.fake
    dm = {"type": "message", "channel_type": "im", "channel": "DU1", "user": "U1"}
    await harness.post(event_body({**dm, "text": "/tokenize hello dm"}, "Ev10"), json_body=True)
    await harness.post(event_body({**dm, "text": "tokenize ignored", "bot_id": "B2"}, "Ev11"),
                       json_body=True)
    await harness.post(event_body({**dm, "text": "edited", "subtype": "message_changed"},
                                  "Ev12"), json_body=True)
    await fake.wait_for(fake.pictures)
    (answer,) = fake.pictures()
    assert answer.params["channel"] == "DU1" and "<@U1>" not in str(fake.blocks(answer))
    assert [r.canonical for r in harness.runs()] == ["/tokenize hello dm"]


async def test_workspace_admins_are_vouched_for_to_the_engine(harness, monkeypatch):
    fake = harness.fake
    fake.admins.add("UADMIN")
    seen = {}
    real_press = harness.tutor.press

    async def press(learner, button_id, **kwargs):  # records, then runs the real thing
        seen[learner.user_id] = kwargs["admin"]
        return await real_press(learner, button_id, **kwargs)

    monkeypatch.setattr(harness.tutor, "press", press)
    await harness.post(action_body(fake, "run:/help", user="UADMIN"))
    await harness.post(action_body(fake, "run:/help", user="UPLAIN"))
    await fake.wait_for(lambda: len(fake.named("response")) == 2)
    assert seen == {"UADMIN": True, "UPLAIN": False}
    assert sorted(c.params["user"] for c in fake.named("users.info")) == ["UADMIN", "UPLAIN"]


async def test_only_requests_that_can_need_facilitator_rights_ask_users_info(harness):
    fake, store = harness.fake, harness.tutor.store
    fake.admins.add("UADMIN")

    def answers() -> dict[str, str]:
        return {c.params["_rid"]: c.params["text"] for c in fake.named("response")}

    question = next(q for q in (await harness.tutor.learning.curriculum()).questions
                    if q.kind != "predict")  # answering runs no demo
    prompt = store.quizzes.create_prompt(LearnerRef("slack", TEAM, "U1", "u1"), question.id)
    await harness.command("quiz", "")  # a learner's command
    await harness.post(action_body(fake, f"quiz:{prompt.id}:{question.answer}"))
    await fake.wait_for(lambda: {"U1-quiz", "U1-button"} <= set(answers()))  # private practice
    assert "Right!" in answers()["U1-button"]
    assert fake.named("users.info") == []  # neither the quiz nor its answer asked

    stored = store.actions.save_action("run:/quiz-schedule show")
    await harness.post(action_body(fake, "run:/quiz-schedule show", user="UADMIN"))
    await harness.post(action_body(fake, f"b:{stored}", user="UPLAIN"))
    await fake.wait_for(lambda: {"UADMIN-button", "UPLAIN-button"} <= set(answers()))
    assert sorted(c.params["user"] for c in fake.named("users.info")) == ["UADMIN", "UPLAIN"]
    assert "for facilitators" not in answers()["UADMIN-button"]
    assert "for facilitators" in answers()["UPLAIN-button"]
