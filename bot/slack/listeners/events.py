"""@mentions and direct messages, answered through the same command core: a command by
name, else a question (``/ask``), answered in a thread on it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.core import SlackCore
from bot.slack.dedupe import EventDedupe
from bot.slack.origin import from_event


def is_learner_dm(event: dict[str, Any]) -> bool:
    """A plain message a person sent the bot in a DM (not an edit, not a bot)."""
    return (event.get("channel_type") == "im" and not event.get("subtype")
            and not event.get("bot_id") and bool(event.get("user")))


def register(app: AsyncApp, core: SlackCore, dedupe: EventDedupe) -> None:
    async def answer(body: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        try:
            event = body["event"]
            await core.message(client, from_event(body), event.get("text", ""),
                               ts=event.get("ts"))
        finally:
            await dedupe.finish(context)

    @app.event("app_mention", middleware=[dedupe.middleware])
    async def on_mention(body: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        await answer(body, client, context)

    async def learner_dm(body: dict[str, Any]) -> bool:
        return is_learner_dm(body["event"])

    # DMs from people are claimed (dedupe) and answered; every other message event (the
    # bot's own, edits, joins) matches the second listener: acknowledged, nothing stored.
    @app.event("message", matchers=[learner_dm], middleware=[dedupe.middleware])
    async def on_message(body: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        await answer(body, client, context)

    @app.event("message")
    async def on_other_message() -> None:
        return None
