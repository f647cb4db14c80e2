"""Slack answers in one message (text, picture and buttons together), a visible "working on
it" for answers that take more than a moment (replaced by the answer), the App Home tab,
and the app built as Bolt intends."""

import asyncio
import json
import logging
from urllib.parse import parse_qs, urlencode

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.app import build_app
from bot.slack.home import HomeTab
from bot.slack.manifest import manifest
from engine.domain.records import LearnerRef
from testkit.fake_slack import TEAM
from testkit.slack_requests import action_body, event_body, slack_settings

SLOW = "dataset=spiral layers=8,8 batch=1 epochs=600 seed=1"  # seconds of training


def kinds(blocks):
    return [b["type"] for b in blocks]


async def test_a_demo_is_one_message_with_its_text_picture_buttons_and_footer(harness):
    fake = harness.fake
    await harness.command("train-demo", "dataset=xor layers=0 epochs=20 seed=2")
    await fake.wait_for(fake.pictures, timeout=60)
    await asyncio.sleep(0.3)  # nothing else follows
    [message] = fake.pictures()
    assert len(fake.named("chat.postMessage")) == 1  # a placeholder, if any, was replaced
    blocks = fake.blocks(message)
    assert kinds(blocks)[0] == "section" and "image" in kinds(blocks)
    image = next(b for b in blocks if b["type"] == "image")
    assert image["slack_file"]["id"] in fake.files and image["alt_text"]
    [complete] = fake.named("files.completeUploadExternal")
    assert "channel_id" not in complete.params  # uploaded privately, shown by the message
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    link = [e for e in buttons if e.get("url")]
    assert len(link) == 1 and link[0]["url"].startswith("https://playground.tensorflow.org/#")
    assert "`/train-demo dataset=xor layers=0 epochs=20 seed=2`" in blocks[-1]["elements"][0][
        "text"]  # the footer, in Slack's own syntax
    assert "done." not in str(fake.calls) and "Choose a next step" not in str(fake.calls)


async def test_a_link_button_click_is_only_acknowledged(harness):
    fake = harness.fake
    status, _, _ = await harness.post(action_body(fake, "link:playground"))
    await asyncio.sleep(0.5)
    assert status == 200
    assert not fake.named("chat.postMessage", "chat.postEphemeral", "response")


async def test_a_slow_answer_gets_a_placeholder_that_the_answer_replaces(harness):
    fake = harness.fake  # U1's long training holds the only worker: U2's tokenize waits
    await harness.command("train-demo", SLOW, user="U1", channel="C1")
    await asyncio.sleep(0.3)
    await harness.command("tokenize", "waiting in line", user="U2", channel="C2")
    await fake.wait_for(lambda: [c for c in fake.named("chat.postMessage")
                                 if c.params["channel"] == "C2"], timeout=30)
    [placeholder] = [c for c in fake.named("chat.postMessage") if c.params["channel"] == "C2"]
    assert "Working on it" in placeholder.params["text"]
    assert "`/tokenize`" in placeholder.params["text"]
    ts = placeholder.answer["ts"]
    await fake.wait_for(lambda: [c for c in fake.named("chat.update")
                                 if c.params.get("ts") == ts and "image" in kinds(
                                     fake.blocks(c))], timeout=90)
    assert [c for c in fake.named("chat.postMessage") if c.params["channel"] == "C2"] == [
        placeholder]  # replaced in place: no second message


async def test_a_quick_answer_gets_no_placeholder(harness):
    fake = harness.fake
    await harness.command("help")
    await fake.wait_for(lambda: fake.named("response"))
    await asyncio.sleep(1.3)
    assert not fake.named("chat.postMessage")
    assert "Working on it" not in str([c.params for c in fake.named("response")])


async def test_app_home_opened_publishes_the_learners_home(harness):
    fake = harness.fake
    await harness.post(event_body({"type": "app_home_opened", "user": "U7", "tab": "home",
                                   "channel": "DU7"}, "EvHOME1"), json_body=True)
    await fake.wait_for(lambda: fake.named("views.publish"), timeout=60)
    [published] = fake.named("views.publish")
    view = published.params["view"]
    assert published.params["user_id"] == "U7" and view["type"] == "home"
    blocks = view["blocks"]
    assert kinds(blocks)[0] == "header" and "image" in kinds(blocks)
    image = next(b for b in blocks if b["type"] == "image")
    assert image["slack_file"]["id"] in fake.files  # the progress picture, uploaded
    text = " ".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "Your progress" in text and "Reviews due" in text and "/learn" in text
    labels = [e["text"]["text"] for b in blocks if b["type"] == "actions"
              for e in b["elements"]]
    assert "Next lesson" in labels and "Turn reminders on" in labels


async def test_a_home_tab_button_answers_in_the_learners_dm(harness):
    fake = harness.fake
    payload = json.loads(parse_qs(action_body(fake, "run:/settings reminders=yes",
                                              user="U7"))["payload"][0])
    payload.pop("channel")  # a click on the home tab: a view, no channel, no response_url
    payload.pop("response_url")
    payload.pop("message")
    payload["container"] = {"type": "view", "view_id": "V1"}
    await harness.post(urlencode({"payload": json.dumps(payload)}))
    await fake.wait_for(lambda: [c for c in fake.named("chat.postMessage")
                                 if c.params["channel"] == "DU7"])
    [opened] = fake.named("conversations.open")
    assert opened.params["users"] == "U7"
    settings = harness.tutor.store.learners.learner_settings(
        harness.tutor.store.learners.upsert_learner(LearnerRef("slack", TEAM, "U7")))
    assert settings.reminders


async def test_the_home_tab_refreshes_after_answers_at_most_once_a_minute(fake, tutor):
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    now = [0.0]
    home = HomeTab(tutor.overview, interval=60.0, clock=lambda: now[0])
    learner = LearnerRef("slack", TEAM, "U8")
    home.refresh(client, learner)  # never opened: nothing to refresh
    await asyncio.sleep(0.1)
    assert not fake.named("views.publish")
    await home.publish(client, learner)
    first_file = next(iter(fake.files))
    now[0] = 10.0
    home.refresh(client, learner)
    home.refresh(client, learner)  # one pending refresh per learner, whatever the answers
    await asyncio.sleep(0.3)
    assert len(fake.named("views.publish")) == 1  # within the minute: not yet
    home._pending[("T1", "U8")].cancel()
    await asyncio.sleep(0)
    home._pending.clear()
    now[0] = 61.0
    home.refresh(client, learner)  # a minute on: at once
    await fake.wait_for(lambda: len(fake.named("views.publish")) == 2)
    await asyncio.sleep(0.2)
    assert first_file not in fake.files  # the old picture is deleted
    await home.close()


def test_the_manifest_enables_the_home_tab():
    app = manifest()
    assert app["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in app["settings"]["event_subscriptions"]["bot_events"]


async def test_the_app_is_built_without_bolts_client_and_token_warning(
        fake, tutor, caplog, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")  # as deployments set it
    settings = slack_settings(fake)
    with caplog.at_level(logging.WARNING):
        app = build_app(settings, tutor, claims=None)
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
    assert app.client.base_url == fake.api_url  # every call still goes to SLACK_API_URL
    assert app.client.token == "xoxb-test" and app.client.retry_handlers
