"""Buttons in direct messages that act for a server.

A Discord DM belongs to no server, so a click there would be made by the learner
(``discord``, ``dm``, user id): a different learner from the one in the server whose cards
are due. Review reminders are DMs on behalf of a server, so the poster prefixes each of
their buttons with ``in:<server id>:``; a click on such a button in a DM acts as the learner
in that server ("Review now" reviews the server's cards, "Stop reminders" stops them), and
the answer's own buttons get the same prefix, so a whole review stays in that server.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import replace

from bot.discord.buttons import CUSTOM_ID_MAX
from engine.replies import Reply

SCOPED = re.compile(r"in:(\d{1,20}):(.+)", re.S)


def split_scope(action: str) -> tuple[str | None, str]:
    """``in:<server id>:<action>`` -> (server id, action); any other action -> (None, it)."""
    match = SCOPED.fullmatch(action)
    return (match[1], match[2]) if match else (None, action)


async def scoped(reply: Reply, server: str, save_action: Callable[[str], str]) -> Reply:
    """``reply`` with every button acting for ``server``. An id that would grow past
    Discord's 100 characters is stored first (``save_action(action) -> key``, blocking, run
    in a thread) and referred to by its key, as the Tutor does for long actions."""
    buttons = []
    for button in reply.buttons:
        action = f"in:{server}:{button.id}"
        if len(action) > CUSTOM_ID_MAX:
            key = await asyncio.to_thread(save_action, button.id)
            action = f"in:{server}:b:{key}"
        buttons.append(replace(button, id=action))
    return replace(reply, buttons=tuple(buttons))
