"""Where a Slack request came from (team, user, channel, thread) and who the learner is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine.domain.records import LearnerRef

PLATFORM = "slack"


@dataclass(frozen=True)
class Origin:
    """The asker and the conversation a reply goes to."""

    team_id: str
    user_id: str
    channel: str | None
    thread_ts: str | None = None
    user_name: str | None = None
    is_im: bool = False
    request_key: str | None = None  # idempotency key for recording the run
    has_response_url: bool = False

    @property
    def learner(self) -> LearnerRef:
        return LearnerRef(PLATFORM, self.team_id, self.user_id, self.user_name)

    def moved_to(self, channel: str) -> Origin:
        """The same asker, answered in another conversation (their DM), outside any thread."""
        return replace(self, channel=channel, thread_ts=None, is_im=True)


def from_command(body: dict[str, Any]) -> Origin:
    """A slash command payload (form fields)."""
    channel = body.get("channel_id")
    return Origin(
        team_id=body.get("team_id") or body.get("enterprise_id") or "",
        user_id=body["user_id"],
        channel=channel,
        thread_ts=body.get("thread_ts"),  # present when Slack sends it for threads
        user_name=body.get("user_name"),
        is_im=body.get("channel_name") == "directmessage" or str(channel).startswith("D"),
        request_key=f"slack:cmd:{body['trigger_id']}" if body.get("trigger_id") else None,
        has_response_url=bool(body.get("response_url")),
    )


def from_action(body: dict[str, Any]) -> Origin:
    """A block_actions payload (a button click)."""
    user = body.get("user") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")
    message = body.get("message") or {}
    thread = (body.get("container") or {}).get("thread_ts") or message.get("thread_ts")
    actions = body.get("actions") or [{}]
    key = body.get("trigger_id") or actions[0].get("action_ts")
    return Origin(
        team_id=(body.get("team") or {}).get("id") or user.get("team_id") or "",
        user_id=user["id"],
        channel=channel,
        thread_ts=thread,
        user_name=user.get("username") or user.get("name"),
        is_im=str(channel).startswith("D"),
        request_key=f"slack:act:{key}" if key else None,
        has_response_url=bool(body.get("response_url")),
    )


def from_event(body: dict[str, Any]) -> Origin:
    """An Events API envelope (app_mention, message.im)."""
    event = body.get("event") or {}
    is_im = event.get("channel_type") == "im"
    return Origin(
        team_id=body.get("team_id") or event.get("team") or "",
        user_id=event.get("user") or "",
        channel=event.get("channel"),
        thread_ts=event.get("thread_ts") if not is_im else None,
        is_im=is_im,
        request_key=f"slack:ev:{body['event_id']}" if body.get("event_id") else None,
    )


def from_body(body: dict[str, Any]) -> Origin | None:
    """Any of the above, or None when the payload names no user."""
    try:
        if body.get("type") == "event_callback":
            return from_event(body)
        if body.get("type") == "block_actions":
            return from_action(body)
        if "command" in body:
            return from_command(body)
    except KeyError:
        return None
    return None
