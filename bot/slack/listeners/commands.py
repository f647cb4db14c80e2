"""Every command in the engine's table is a slash command; one listener serves them all."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.core import SlackCore
from bot.slack.origin import from_command
from engine.commands import COMMANDS


def slash_names() -> list[str]:
    """The slash commands this app registers, straight from the command table."""
    return [f"/{name}" for name in COMMANDS]


def register(app: AsyncApp, core: SlackCore) -> None:
    async def on_command(ack: Any, body: dict[str, Any], client: AsyncWebClient,
                         respond: Any) -> None:
        await ack()  # first, always: Slack wants it within 3 s; the work follows
        await core.command(client, from_command(body), respond, body["command"],
                           body.get("text", ""))

    for name in slash_names():
        app.command(name)(on_command)
