"""Slash commands over real HTTP: signed, acknowledged at once, answered with pictures."""

import asyncio
import io
import time

import aiohttp
import pytest
from PIL import Image as PILImage

from bot.shutdown import ShutdownBudget
from bot.slack.app import open_app
from bot.slack.server import start_http
from engine.storage.db import make_engine
from engine.storage.deliveries import ClaimLog
from testkit.slack_requests import (
    action_body,
    command_body,
    event_body,
    sign,
    slack_settings,
)

PNG = b"\x89PNG\r\n\x1a\n"
LONG_TEXT = " ".join(f"Tokenizers split word{i} into pieces; café, naïve, 東京 {i}."
                     for i in range(60))[:4000]


async def test_ack_returns_at_once_then_upload_steps_in_order(harness):
    fake = harness.fake
    status, body, ack_seconds = await harness.command("tokenize", LONG_TEXT)
    acked_at = time.monotonic()
    assert status == 200 and body == ""
    assert ack_seconds < 1.0
    await fake.wait_for(fake.pictures)
    order = [c.method for c in fake.calls if c.method in (
        "files.getUploadURLExternal", "upload", "files.completeUploadExternal")]
    assert order == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    (upload,) = fake.named("upload")
    assert upload.at > acked_at  # the work ran after the ack had been answered
    assert upload.data.startswith(PNG)
    picture = PILImage.open(io.BytesIO(upload.data))
    assert picture.format == "PNG" and picture.size[0] > 100
    (url_call,) = fake.named("files.getUploadURLExternal")
    assert int(url_call.params["length"]) == len(upload.data)
    (complete,) = fake.named("files.completeUploadExternal")
    assert "channel_id" not in complete.params  # private: the message below shows it
    (answer,) = fake.pictures()
    assert answer.params["channel"] == "C1"
    blocks = fake.blocks(answer)
    comment = blocks[0]["text"]["text"]
    assert "*" in comment and "tokens*" in comment and "**" not in comment  # mrkdwn bold
    assert "東京" in LONG_TEXT and "<U+" not in str(blocks)
    footer = blocks[-1]["elements"][0]["text"]
    assert "<@U1>" in footer and "`/tokenize Tokenizers split word0" in footer
    assert "…`" in footer and len(footer) < 400  # the long text shortened in the footer
    runs = harness.runs()
    assert [r.command for r in runs] == ["tokenize"]
    # every Web API call went to SLACK_API_URL with the bot token
    api_calls = [c for c in fake.calls if c.method not in ("upload", "response")]
    assert api_calls and all(c.headers.get("Authorization") == "Bearer xoxb-test"
                             for c in api_calls)


async def test_bad_input_is_answered_privately_and_nothing_is_posted(harness):
    fake = harness.fake
    status, _, seconds = await harness.command("tokenize", "")
    assert status == 200 and seconds < 1.0  # an error right after the ack keeps the ack
    await fake.wait_for(lambda: fake.named("response"))
    (answer,) = fake.named("response")
    assert answer.params["response_type"] == "ephemeral"
    assert "needs text" in answer.params["text"]
    assert not fake.named("chat.postMessage", "files.completeUploadExternal")
    assert harness.runs() == []


async def test_unknown_option_value_names_what_is_allowed(harness):
    fake = harness.fake
    await harness.command("help", "frobnicate")
    await fake.wait_for(lambda: fake.named("response"))
    text = fake.named("response")[0].params["text"]
    assert "There is no command `/frobnicate`" in text


BAD_REQUESTS = {
    "bad signature": lambda body: {**sign(body, secret="not-the-secret")},
    "stale timestamp": lambda body: sign(body, ts=int(time.time()) - 301),
    "tampered body": lambda body: sign(body.replace("hello", "HELLO")),
}


async def test_unsigned_stale_or_tampered_requests_get_401_and_run_nothing(harness):
    fake = harness.fake
    for name, headers in BAD_REQUESTS.items():
        body = command_body(fake, "tokenize", "hello world")
        status, _, _ = await harness.post(body, headers=headers(body))
        assert status == 401, name
    # a correctly signed request on the same server works, so the 401s were the signature
    await harness.command("help")
    await fake.wait_for(lambda: fake.named("response"))
    # only the signed /help reached the app: the admin look-up for /help, then its answer
    assert [c.method for c in fake.calls] == ["auth.test", "users.info", "response"]
    assert harness.runs() == []


MENTION = {"type": "app_mention", "user": "U1", "channel": "C1",
           "text": "<@UBOT> tokenize hello mention"}
VERIFIED_BY_BOLT = {  # (body, sent as JSON, what it runs): not the slash-command fast path
    "app_mention event": (lambda fake: event_body(MENTION, "Ev401"), True,
                          "/tokenize hello mention"),
    "block_actions payload": (lambda fake: action_body(fake, "run:/tokenize hello button"),
                              False, "/tokenize hello button"),
}


@pytest.mark.parametrize("kind", VERIFIED_BY_BOLT)
async def test_unsigned_stale_or_tampered_events_and_buttons_get_401_and_run_nothing(
        harness, kind):
    fake = harness.fake
    make_body, json_body, runs = VERIFIED_BY_BOLT[kind]
    body = make_body(fake)
    for name, headers in BAD_REQUESTS.items():
        status, _, _ = await harness.post(body, json_body=json_body, headers=headers(body))
        assert status == 401, name
    assert fake.calls == [] and harness.runs() == []  # not even Bolt's auth.test
    # the very same body, correctly signed, runs: the 401s were the signature
    assert (await harness.post(body, json_body=json_body))[0] == 200
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    assert [r.canonical for r in harness.runs()] == [runs]


async def send_slow_demo(runner, fake) -> int:
    """POST a signed /train-demo that takes seconds to the running server; its HTTP status."""
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    body = command_body(fake, "train-demo", "epochs=300 dataset=spiral")
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    async with aiohttp.ClientSession() as http, http.post(url, data=body,
                                                          headers=headers) as resp:
        return resp.status


async def test_stopping_the_app_lets_acked_commands_finish(fake, tutor, slack_db_url):
    settings = slack_settings(fake)
    engine = make_engine(slack_db_url)
    async with open_app(settings, tutor, claims=ClaimLog(engine)) as app:
        runner = await start_http(app, "127.0.0.1", 0,
                                  signing_secret=settings.signing_secret.get_secret_value())
        assert await send_slow_demo(runner, fake) == 200
        assert not fake.named("files.completeUploadExternal")  # the demo is still running
        await runner.cleanup()  # SIGTERM: the server stops first, then the app
    engine.dispose()
    (answer,) = fake.pictures()  # delivered, not swallowed
    assert "/train-demo" in str(fake.blocks(answer))


async def test_an_error_while_serving_still_lets_acked_commands_finish(fake, tutor,
                                                                       slack_db_url):
    settings = slack_settings(fake)
    engine = make_engine(slack_db_url)
    with pytest.raises(RuntimeError, match="the scheduler failed"):
        async with open_app(settings, tutor, claims=ClaimLog(engine)) as app:
            runner = await start_http(
                app, "127.0.0.1", 0, signing_secret=settings.signing_secret.get_secret_value())
            assert await send_slow_demo(runner, fake) == 200
            await runner.cleanup()  # the acked command is handed to Bolt and starts
            assert not fake.named("files.completeUploadExternal")  # still running
            raise RuntimeError("the scheduler failed")  # e.g. from beside the app
    engine.dispose()
    (answer,) = fake.pictures()  # delivered before the close
    assert "/train-demo" in str(fake.blocks(answer))


async def test_stopping_spends_one_budget_then_cancels_what_is_left(fake, tutor, slack_db_url):
    settings = slack_settings(fake)
    engine = make_engine(slack_db_url)
    budget = ShutdownBudget(1.0)  # 25 s in production; the demo below needs longer than 1 s
    async with open_app(settings, tutor, claims=ClaimLog(engine), budget=budget) as app:
        runner = await start_http(app, "127.0.0.1", 0, budget=budget,
                                  signing_secret=settings.signing_secret.get_secret_value())
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        body = command_body(fake, "train-demo", TRAIN)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        async with aiohttp.ClientSession() as http, http.post(url, data=body,
                                                              headers=headers) as resp:
            assert resp.status == 200
        stopping = time.monotonic()
        await runner.cleanup()  # SIGTERM: the server's stop and the answers share the budget
    stopped = time.monotonic() - stopping
    engine.dispose()
    assert stopped < 1.5
    assert not fake.named("files.completeUploadExternal")  # cancelled, not waited for


async def test_healthz(harness):
    async with harness.http.get(harness.url.replace("/slack/events", "/healthz")) as resp:
        assert resp.status == 200 and (await resp.json()) == {"ok": True}


# Long enough (about 2.5-3 s on one core) that progress is reported every time (the trainer
# reports every 0.5 s; a quicker demo on a quiet machine finished before its first report),
# and well past the 1 s the ack must beat.
TRAIN = "dataset=spiral layers=8,8 batch=1 epochs=600 seed=3"


async def test_train_demo_acks_at_once_shows_progress_then_upload_then_the_message(harness):
    fake = harness.fake
    status, body, ack_seconds = await harness.command("train-demo", TRAIN)
    acked_at = time.monotonic()
    assert status == 200 and body == "" and ack_seconds < 1.0
    await fake.wait_for(fake.pictures, timeout=90)
    (upload_url,) = fake.named("files.getUploadURLExternal")  # asked for once the demo is done
    assert upload_url.at - acked_at > 1.0  # the demo took over a second, the ack far less
    steps = [c.method for c in fake.calls if c.method in (
        "chat.postMessage", "chat.update", "files.getUploadURLExternal", "upload",
        "files.completeUploadExternal")]
    assert steps[0] == "chat.postMessage"  # the progress message ...
    assert steps[-4:] == ["files.getUploadURLExternal", "upload",  # ... then the picture ...
                          "files.completeUploadExternal", "chat.update"]  # ... then the message
    (progress,) = fake.named("chat.postMessage")  # "working on it", then the epochs
    assert "/train-demo" in progress.params["text"]
    assert any("epoch" in c.params["text"] for c in [progress, *fake.named("chat.update")])
    final = fake.named("chat.update")[-1]
    assert final.params["ts"] == progress.answer["ts"] and fake.pictures() == [final]
    buttons = [e for b in fake.blocks(final) if b["type"] == "actions" for e in b["elements"]]
    assert buttons and all(e["action_id"] == e["value"] for e in buttons)
    (upload,) = fake.named("upload")
    assert upload.data.startswith(PNG)
    assert PILImage.open(io.BytesIO(upload.data)).format == "PNG"
    assert "seed=3`" in fake.blocks(final)[-1]["elements"][0]["text"]
    assert [r.canonical for r in harness.runs()] == [f"/train-demo {TRAIN}"]


async def test_a_run_again_button_from_a_demo_reply_runs_it(harness):
    fake = harness.fake
    await harness.command("train-demo", "dataset=xor layers=0 epochs=20 seed=1")
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"), timeout=90)
    await asyncio.sleep(0.3)
    message = (fake.named("chat.update") or fake.named("chat.postMessage"))[-1]
    first = next(e for b in fake.blocks(message) if b["type"] == "actions"
                 for e in b["elements"])
    status, _, _ = await harness.post(action_body(fake, first["action_id"]))
    assert status == 200
    await fake.wait_for(lambda: len(fake.named("files.completeUploadExternal")) == 2, timeout=90)
    runs = harness.runs()
    assert len(runs) == 2 and runs[1].command == "train-demo" and runs[1].canonical != (
        runs[0].canonical)
