"""Persistent buttons: every engine Button becomes a ``DynamicItem`` whose custom_id IS its
action (``run:/tokenize hi``, ``quiz:12:2``, ``b:<stored key>``).

Nothing about a button lives in memory: after a restart the template still matches the
custom_id, ``from_custom_id`` rebuilds the item, and the Tutor looks up any stored action in
the database. Views are never registered per message (they are fully dynamic).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import discord

from engine.domain.replies import Button

log = logging.getLogger(__name__)

CUSTOM_ID_MAX = 100  # characters in a component custom_id
LABEL_MAX = 80  # characters in a button label
ROW_WIDTH = 5  # buttons per action row
ROWS_MAX = 5  # action rows per message
TEMPLATE = re.compile(r"(?P<id>.{1,100})", re.S)
STYLES = {"default": discord.ButtonStyle.secondary, "primary": discord.ButtonStyle.primary,
          "danger": discord.ButtonStyle.danger}


class ActionButton(discord.ui.DynamicItem[discord.ui.Button], template=TEMPLATE):
    """A button that carries out an engine action when clicked, before or after a restart."""

    def __init__(self, action: str, label: str = "…",
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary,
                 row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=label[:LABEL_MAX] or "…", custom_id=action,
                                           style=style), row=row)
        self.action = action

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ActionButton:
        label = getattr(item, "label", None) or "…"
        style = getattr(item, "style", discord.ButtonStyle.secondary)
        return cls(match["id"], label=label, style=style)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the click to the bot (``TutorBot.press``), which answers or reports errors."""
        await interaction.client.press(interaction, self.action)  # type: ignore[attr-defined]


def button_view(buttons: Sequence[Button]) -> discord.ui.View | None:
    """A view laying the buttons out in rows of five (at most five rows), or None."""
    if not buttons:
        return None
    shown = [b for b in buttons if len(b.id) <= CUSTOM_ID_MAX][: ROW_WIDTH * ROWS_MAX]
    if len(shown) < len(buttons):
        log.warning("dropped %d of %d buttons (too many or ids too long)",
                    len(buttons) - len(shown), len(buttons))
    view = discord.ui.View(timeout=None)
    for index, button in enumerate(shown):
        row = index // ROW_WIDTH
        if button.url is not None:  # a link button: Discord opens the URL, no interaction
            view.add_item(discord.ui.Button(label=button.label[:LABEL_MAX], url=button.url,
                                            row=row))
            continue
        style = STYLES.get(button.style, discord.ButtonStyle.secondary)
        view.add_item(ActionButton(button.id, button.label, style, row=row))
    return view
