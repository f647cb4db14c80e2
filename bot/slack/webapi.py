"""Small helpers for Slack Web API failures."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found"})


def slack_error(err: BaseException) -> str | None:
    """The ``error`` code of a Slack Web API failure (``HTTP 405`` for non-JSON), or None."""
    if not isinstance(err, SlackApiError):
        return None
    data = err.response.data
    return data.get("error") if isinstance(data, dict) else f"HTTP {err.response.status_code}"
