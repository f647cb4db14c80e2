"""The gateway intents tutorbot asks for in IDENTIFY: the fewest its enabled features need.

Slash commands, autocomplete and buttons arrive as INTERACTION_CREATE whatever the intents,
so answering them needs none. What is asked for, and why:

- ``guilds`` (always): discord.py's cache of the servers the bot is in — each server's upload
  limit for pictures (``guild.filesize_limit``, higher on boosted servers) and the channels
  scheduled posts go to. Not privileged.
- ``guild_messages`` and ``dm_messages`` (only when a feature answers messages, such as
  @mentions and direct messages to the bot): MESSAGE_CREATE events. Not privileged: Discord
  includes the content of messages that mention the bot and of DMs to it without the
  privileged ``message_content`` intent, which tutorbot therefore never asks for.

No presence, member or typing events are ever needed.
"""

from __future__ import annotations

import discord


def intents_for(*, messages: bool = False) -> discord.Intents:
    """The intents for the enabled features; ``messages``: answer @mentions and DMs."""
    intents = discord.Intents.none()
    intents.guilds = True
    if messages:
        intents.guild_messages = True
        intents.dm_messages = True
    return intents
