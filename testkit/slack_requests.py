"""Requests as Slack sends them: signed (HMAC-SHA256 of ``v0:{timestamp}:{body}``) slash
commands, button clicks and events, and the settings that point the app at a ``FakeSlack``."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

from bot.settings import SlackSettings
from testkit.fake_slack import TEAM, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def sign(body: str, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """Slack's request signature: HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    ts = int(time.time()) if ts is None else ts
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def command_body(fake: FakeSlack, name: str, text: str = "", *, user: str = "U1",
                 channel: str = "C1", team: str = TEAM, trigger: str | None = None,
                 response_url: str | None = None) -> str:
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": team, "team_domain": "team", "channel_id": channel,
        "channel_name": "general", "user_id": user, "user_name": user.lower(),
        "command": f"/{name}", "text": text, "api_app_id": "A1",
        "response_url": response_url or fake.response_url(f"{user}-{name}"),
        "trigger_id": trigger or f"trig-{time.monotonic_ns()}"})


def action_body(fake: FakeSlack, button_id: str, *, user: str = "U1", channel: str = "C1",
                thread_ts: str | None = None) -> str:
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "team"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A1", "token": "legacy", "trigger_id": f"trig-{time.monotonic_ns()}",
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": channel,
                      "is_ephemeral": False, **({"thread_ts": thread_ts} if thread_ts else {})},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": "1.000001", "text": "a demo"},
        "response_url": fake.response_url(f"{user}-button"),
        "actions": [{"type": "button", "action_id": button_id, "block_id": "b1",
                     "value": button_id, "text": {"type": "plain_text", "text": "Again"},
                     "action_ts": str(time.time())}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], event_id: str = "Ev1") -> str:
    return json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A1",
                       "event": {"event_ts": "1.1", "ts": "1.1", **event},
                       "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()), "authorizations": []})


def slack_settings(fake: FakeSlack, **extra: Any) -> SlackSettings:
    values = {"bot_token": "xoxb-test", "signing_secret": SECRET, "api_url": fake.api_url}
    return SlackSettings(**{**values, **extra})
