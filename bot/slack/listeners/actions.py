"""Block Kit buttons: the action_id is the engine's Button.id, pressed through the Tutor."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.core import SlackCore
from bot.slack.listeners.acknowledge import ack_first
from bot.slack.origin import from_action
from engine.commands.actions import LINK

ANY_BUTTON = re.compile(r".+", re.S)


def register(app: AsyncApp, core: SlackCore) -> None:
    @app.action({"type": "block_actions", "action_id": ANY_BUTTON},
                middleware=[ack_first])  # ack() first, always
    async def on_button(body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient) -> None:
        button_id = action.get("value") or action["action_id"]
        if button_id.partition(":")[0] == LINK:
            return  # a link button: Slack opened the URL; the click is only acknowledged
        await core.press(client, from_action(body), core.responder(body), button_id)
