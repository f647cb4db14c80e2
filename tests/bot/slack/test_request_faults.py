"""Requests that are not Slack's: no or a non-numeric timestamp, a payload that is not JSON.
Each gets 401/400 and one log line, never a 500 and a traceback (issue 15). Black-box over
HTTP, so it holds whichever path (fast ack or Bolt) handles the request."""

import json
import logging
import urllib.parse

import pytest

from testkit.slack_requests import action_body, command_body, event_body, sign

MENTION = {"type": "app_mention", "user": "U1", "channel": "C1", "text": "<@UBOT> help"}


def bodies(fake):
    """(name, body, sent as JSON) of each kind of request Slack sends."""
    return [("slash command", command_body(fake, "tokenize", "hello"), False),
            ("button", action_body(fake, "run:/tokenize hello"), False),
            ("event", event_body(MENTION, "EvTs"), True)]


@pytest.mark.parametrize("stamp", [None, "", "soon", "12e9", "-5", "1.5", "١٢٣"])
async def test_no_or_a_non_numeric_timestamp_gets_401_and_one_log_line(harness, caplog,
                                                                      stamp):
    fake = harness.fake
    for name, body, as_json in bodies(fake):
        headers = {k: v for k, v in sign(body).items() if k != "X-Slack-Request-Timestamp"}
        if stamp is not None:
            headers["X-Slack-Request-Timestamp"] = stamp
        caplog.clear()
        with caplog.at_level(logging.INFO):
            status, _, _ = await _post_raw(harness, body, headers, as_json)
        assert status == 401, name
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(records) == 1, [r.getMessage() for r in records]
        assert "X-Slack-Request-Timestamp" in records[0].getMessage()
        assert records[0].exc_info is None and "Traceback" not in caplog.text
    assert fake.calls == [] and harness.runs() == []


@pytest.mark.parametrize("payload", ["{not json", "", "null]", "\x00"])
async def test_a_signed_payload_that_is_not_json_gets_400_and_one_log_line(harness, caplog,
                                                                          payload):
    body = urllib.parse.urlencode({"payload": payload})
    caplog.clear()
    with caplog.at_level(logging.INFO):
        status, text, _ = await harness.post(body)  # correctly signed
    assert status == 400
    assert "JSON" in json.loads(text)["error"]
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1 and "not JSON" in records[0].getMessage()
    assert records[0].exc_info is None
    assert harness.fake.calls == []


async def test_an_unsigned_payload_that_is_not_json_gets_401(harness):
    body = urllib.parse.urlencode({"payload": "{nope"})
    status, _, _ = await harness.post(body, headers=sign(body, secret="wrong"))
    assert status == 401


async def test_a_signed_event_body_that_is_not_json_gets_400(harness):
    status, _, _ = await harness.post("{this is not json", json_body=True)
    assert status == 400


async def test_a_good_request_still_works_after_the_refusals(harness):
    fake = harness.fake
    body = command_body(fake, "help")
    await _post_raw(harness, body, {"X-Slack-Signature": "v0=00"}, False)
    await harness.command("help")
    await fake.wait_for(lambda: fake.named("response"))
    assert "tutorbot" in fake.named("response")[0].params["text"]


async def _post_raw(harness, body, headers, as_json):
    content_type = "application/json" if as_json else "application/x-www-form-urlencoded"
    async with harness.http.post(harness.url, data=body.encode(),
                                 headers={"Content-Type": content_type, **headers}) as resp:
        return resp.status, await resp.text(), 0.0
