"""Small helpers around Slack's Web API: error codes and response_url posts."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found"})


def slack_error(err: BaseException) -> str | None:
    """The ``error`` code of a Slack Web API failure (``HTTP 405`` for non-JSON), or None."""
    if not isinstance(err, SlackApiError):
        return None
    data = err.response.data
    return data.get("error") if isinstance(data, dict) else f"HTTP {err.response.status_code}"


class ResponseUrl:
    """Posts to a request's ``response_url`` over the app's shared HTTP session
    (Slack allows 5 posts within 30 minutes; answers are ephemeral unless said otherwise)."""

    def __init__(self, url: str, session: ClientSession | None) -> None:
        self.client = AsyncWebhookClient(url, session=session, trust_env_in_session=True)
        self.client.proxy = None  # the proxy per URL from the environment, as build_client

    async def __call__(self, **message: Any) -> WebhookResponse:
        return await self.client.send_dict({k: v for k, v in message.items() if v is not None})
