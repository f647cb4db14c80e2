"""Button ids that fit every platform: an action longer than ``BUTTON_ID_MAX`` (Discord's
custom_id limit) is stored and the button carries ``b:<key>`` instead (``actions.STORED``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from engine.commands.actions import STORED
from engine.domain.replies import BUTTON_ID_MAX, Reply


async def store_long_ids(reply: Reply, save_action: Callable[[str], str], *, prefix: str = "",
                         limit: int = BUTTON_ID_MAX) -> Reply:
    """``reply`` with every button id prefixed by ``prefix``; an id that would then be longer
    than ``limit`` is stored first (``save_action(action) -> key``, blocking, run in a
    thread) and replaced by ``prefix + "b:" + key``. Link buttons keep their URL."""
    if not prefix and all(len(b.id) <= limit for b in reply.buttons):
        return reply
    buttons = []
    for button in reply.buttons:
        action = prefix + button.id
        if len(action) > limit:
            key = await asyncio.to_thread(save_action, button.id)
            action = f"{prefix}{STORED}:{key}"
        buttons.append(replace(button, id=action))
    return replace(reply, buttons=tuple(buttons))
