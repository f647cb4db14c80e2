"""Buttons in direct messages that act for a server.

A Discord DM belongs to no server, so a click there would be made by the learner
(``discord``, ``dm``, user id): a different learner from the one in the server whose cards
are due. Review reminders are DMs on behalf of a server, so the poster prefixes each of
their buttons with ``in:<server id>:``; a click on such a button in a DM acts as the learner
in that server ("Review now" reviews the server's cards, "Stop reminders" stops them), and
the answer's own buttons get the same prefix, so a whole review stays in that server.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.discord.buttons import CUSTOM_ID_MAX
from engine.domain.replies import Reply
from engine.services.buttons import store_long_ids

SCOPED = re.compile(r"in:(\d{1,20}):(.+)", re.S)


def split_scope(action: str) -> tuple[str | None, str]:
    """``in:<server id>:<action>`` -> (server id, action); any other action -> (None, it)."""
    match = SCOPED.fullmatch(action)
    return (match[1], match[2]) if match else (None, action)


async def scoped(reply: Reply, server: str, save_action: Callable[[str], str]) -> Reply:
    """``reply`` with every button acting for ``server``; an id that would grow past
    Discord's 100 characters is stored first and referred to by its key, as the Tutor does
    for long actions (``engine.services.buttons``)."""
    return await store_long_ids(reply, save_action, prefix=f"in:{server}:", limit=CUSTOM_ID_MAX)
