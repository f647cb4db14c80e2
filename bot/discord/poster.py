"""The scheduler's Poster for Discord: daily quizzes, reveals, digests and review reminders
as ordinary channel messages sent through the bot's REST client.

A ``ChannelRef`` names a channel by id; ``"@<user id>"`` is a direct message to that user
(reminders), whose DM channel is opened first (discord.py caches it); the buttons of a DM
sent for a server act for that server (``scope.py``). The Reply is split
and fitted exactly as an answer to a command is (``outbox.render``: 2 000-character pieces,
pictures within the server's upload limit, buttons as persistent ``ActionButton``s whose
custom_id is the action, so a click works after any restart).

Errors are not retried here: discord.py already waits out 429s (``Retry-After``) and retries
5xx a few times; anything else propagates to the scheduler, which marks the claim failed
and retries it only after the claim deadline (Discord bans IPs that keep failing).
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from bot.discord.outbox import NO_MENTIONS, message_kwargs, render
from bot.discord.scope import scoped
from engine.domain.records import ChannelRef
from engine.domain.replies import Reply

PLATFORM = "discord"
DM_PREFIX = "@"


class ChannelPoster:
    """``await poster(channel, reply) -> message id``: post a Reply where no interaction is
    involved (``running_scheduler(tutor, {"discord": ChannelPoster(bot, save_action)})``).

    ``save_action(action) -> key`` stores a button action too long for a custom_id
    (``Store.save_action``; blocking, run in a thread)."""

    def __init__(self, client: discord.Client, save_action: Callable[[str], str]) -> None:
        self.client = client
        self.save_action = save_action

    async def __call__(self, channel: ChannelRef, reply: Reply) -> str | None:
        """Send ``reply`` to the channel (or DM) and return the id of its last message."""
        if channel.platform != PLATFORM:
            raise ValueError(f"the Discord poster cannot post to {channel.platform}")
        target = await self._target(channel)
        if channel.channel.startswith(DM_PREFIX) and channel.workspace.isdigit():
            reply = await scoped(reply, channel.workspace, self.save_action)
        last: discord.Message | None = None
        for message in await render(reply, self._filesize_limit(channel)):
            last = await target.send(**message_kwargs(message), allowed_mentions=NO_MENTIONS)
        return str(last.id) if last is not None else None

    async def _target(self, channel: ChannelRef) -> discord.abc.Messageable:
        """A channel to send to: the DM channel for ``@<user id>``, else the channel by id
        (partial: no cache or fetch needed, one REST call per message)."""
        where = channel.channel
        if where.startswith(DM_PREFIX):
            return await self.client.create_dm(discord.Object(id=_snowflake(where[1:])))
        guild_id = int(channel.workspace) if channel.workspace.isdigit() else None
        return self.client.get_partial_messageable(_snowflake(where), guild_id=guild_id)

    def _filesize_limit(self, channel: ChannelRef) -> int:
        """The server's upload limit (boosted servers allow more); 10 MiB elsewhere."""
        guild = (self.client.get_guild(int(channel.workspace))
                 if channel.workspace.isdigit() else None)
        if guild is None:
            return discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES
        return guild.filesize_limit


def _snowflake(text: str) -> int:
    """A Discord id from its text; anything else is a bad schedule row, said clearly."""
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a Discord channel or user id")
    return int(text)
