"""Events API retries are answered once (even across a restart), Socket Mode acks envelopes."""

import asyncio
import json

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from sqlalchemy import text

from bot.slack.app import build_app
from engine.storage.db import make_engine
from engine.storage.deliveries import ClaimLog
from testkit.slack_requests import event_body, slack_settings

MENTION = {"type": "app_mention", "user": "U1", "channel": "C1",
           "text": "<@UBOT> tokenize retried once"}
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


async def test_event_replayed_with_retry_num_is_handled_once(harness):
    fake = harness.fake
    body = event_body(MENTION, "EvRETRY1")
    first = await harness.post(body, json_body=True)
    again = await harness.post(body, json_body=True, headers=RETRY)
    assert first[0] == again[0] == 200
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    await asyncio.sleep(1.0)  # give a wrongly accepted retry time to show up
    assert len(fake.named("files.completeUploadExternal")) == 1
    assert len(harness.runs()) == 1


async def test_a_retry_of_a_delivery_never_seen_is_handled(harness):
    fake = harness.fake  # the first delivery was lost: the retry is the only chance
    await harness.post(event_body(MENTION, "EvLOST1"), json_body=True,
                       headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "timeout"})
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    assert len(harness.runs()) == 1


async def test_dedupe_survives_a_restart(harness):
    fake = harness.fake
    body = event_body(MENTION, "EvRESTART")
    await harness.post(body, json_body=True)
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    engine = make_engine(harness.db_url)  # a second app on the same database: a restart
    restarted = build_app(slack_settings(fake), harness.tutor, claims=ClaimLog(engine))
    from slack_bolt.request.async_request import AsyncBoltRequest

    from testkit.slack_requests import sign

    headers = {"content-type": "application/json", **sign(body), **RETRY}
    response = await restarted.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    assert response.status == 200
    await asyncio.sleep(1.0)
    assert len(fake.named("files.completeUploadExternal")) == 1
    engine.dispose()


async def test_only_learners_dms_are_claimed_and_answered(harness):
    fake = harness.fake
    others = [{"type": "message", "channel_type": "im", "channel": "D1", "user": "UBOT",
               "bot_id": "B1", "text": "my own answer"},
              {"type": "message", "channel_type": "im", "channel": "D1", "subtype":
               "message_changed", "message": {"text": "edited"}}]
    for index, event in enumerate(others):
        status, _, _ = await harness.post(event_body(event, f"EvOTHER{index}"), json_body=True)
        assert status == 200  # acknowledged: Slack must not retry them
    dm = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
          "text": "tokenize hello from a DM"}
    assert (await harness.post(event_body(dm, "EvDM"), json_body=True))[0] == 200
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    engine = make_engine(harness.db_url)
    with engine.connect() as db:
        keys = db.execute(text("SELECT key FROM delivery_claims")).scalars().all()
    engine.dispose()
    assert keys == ["slack:EvDM"]  # nothing stored for messages that are not answered
    assert len(harness.runs()) == 1


async def test_socket_mode_envelope_is_acked_then_answered(fake, tutor, slack_db_url):
    engine = make_engine(slack_db_url)
    app = build_app(slack_settings(fake, signing_secret=None, app_token="xapp-test"), tutor,
                    claims=ClaimLog(engine))
    handler = AsyncSocketModeHandler(app, "xapp-test")
    await handler.connect_async()
    try:
        payload = {"token": "legacy", "team_id": "T1", "channel_id": "C1", "user_id": "U1",
                   "user_name": "u1", "command": "/tokenize", "text": "over a websocket",
                   "response_url": fake.response_url("sock"), "trigger_id": "trig-sock",
                   "api_app_id": "A1"}
        await fake.send_envelope({"envelope_id": "env-1", "type": "slash_commands",
                                  "accepts_response_payload": True, "payload": payload})
        ack = await asyncio.wait_for(fake.socket_acks.get(), 5)
        assert ack["envelope_id"] == "env-1"
        (opened,) = fake.named("apps.connections.open")
        assert opened.headers["Authorization"] == "Bearer xapp-test"
        await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
        assert json.loads(fake.named("files.completeUploadExternal")[0].params["files"])
    finally:
        await handler.close_async()
        engine.dispose()
