"""Every command in the engine's table is a slash command; one listener serves them all."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.core import SlackCore
from bot.slack.listeners.acknowledge import ack_first
from bot.slack.origin import from_command
from engine.commands import COMMANDS


def slash_names() -> list[str]:
    """The slash commands this app registers, straight from the command table."""
    return [f"/{name}" for name in COMMANDS]


def register(app: AsyncApp, core: SlackCore) -> None:
    async def on_command(body: dict[str, Any], client: AsyncWebClient) -> None:
        await core.command(client, from_command(body), core.responder(body), body["command"],
                           body.get("text", ""))

    for name in slash_names():
        app.command(name, middleware=[ack_first])(on_command)  # ack() first, always
