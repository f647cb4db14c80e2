"""The App Home tab: ``app_home_opened`` publishes the learner's home view."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.core import SlackCore
from bot.slack.origin import from_event


def register(app: AsyncApp, core: SlackCore) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(body: dict[str, Any], event: dict[str, Any],
                             client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return  # the Messages tab: nothing to publish
        await core.home.publish(client, from_event(body).learner)
