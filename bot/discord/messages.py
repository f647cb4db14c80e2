"""Messages to the bot: a message that mentions it in a server, or any message in a DM.

Bots receive those with the default intents (the privileged message-content intent is only
needed for messages that do not mention the bot). The text is a command by name (``tokenize
hello``) or else a question for ``/ask``; the answer is a reply to the message. Progress (an
LLM answer streaming in) is shown in that reply and edited at most once a second, and the
reply then becomes the answer.
"""

from __future__ import annotations

import logging
import re

import discord

from bot.discord.outbox import NO_MENTIONS, message_kwargs, render
from bot.discord.poster import PLATFORM
from bot.discord.text import progress_line
from bot.errors import user_message
from bot.progress import ProgressMessage
from bot.text import message_line
from engine.domain.records import LearnerRef
from engine.domain.replies import Progress, Reply
from engine.services.tutor import Tutor

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@!?\d+>")


def guild_id_of(message: discord.Message) -> int | None:
    """The server a message was sent in (cached or not), or None in a DM."""
    if message.guild is not None:
        return message.guild.id
    return getattr(message.channel, "guild_id", None)


def addressed_to(message: discord.Message, me: discord.abc.User | None) -> bool:
    """A person's message in a DM with the bot, or one that mentions the bot."""
    if me is None or message.author.bot or message.author.id == me.id:
        return False
    if guild_id_of(message) is None:
        return True
    return any(user.id == me.id for user in message.mentions)


def learner_of_message(message: discord.Message) -> LearnerRef:
    guild = guild_id_of(message)
    author = message.author
    return LearnerRef(PLATFORM, str(guild) if guild else "dm", str(author.id),
                      display_name=author.display_name)


class MessageAnswer:
    """Answers one message: progress in a reply, then the answer (the same reply edited)."""

    def __init__(self, message: discord.Message) -> None:
        self.message = message
        self.live: discord.Message | None = None
        self.progress = ProgressMessage(self._show, give_up_on=(discord.HTTPException,))

    async def _show(self, report: Progress) -> None:
        content = progress_line(report.text, report.fraction)
        if self.live is None:
            self.live = await self.message.reply(content=content, allowed_mentions=NO_MENTIONS,
                                                 mention_author=False)
        else:
            await self.live.edit(content=content, allowed_mentions=NO_MENTIONS)

    async def deliver(self, reply: Reply) -> None:
        await self.progress.close()
        limit = (self.message.guild.filesize_limit if self.message.guild
                 else discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES)
        pieces = await render(reply, limit)
        first, rest = pieces[0], pieces[1:]
        edited = False
        if self.live is not None and not first.get("images"):
            try:  # the progress reply becomes the answer
                await self.live.edit(**message_kwargs(first), allowed_mentions=NO_MENTIONS)
                edited = True
            except discord.HTTPException as err:  # deleted meanwhile: reply afresh
                log.info("could not turn the progress reply into the answer (%s)", err)
        if not edited:
            await self.message.reply(**message_kwargs(first), allowed_mentions=NO_MENTIONS,
                                     mention_author=False)
        for piece in rest:
            await self.message.channel.send(**message_kwargs(piece),
                                            allowed_mentions=NO_MENTIONS)


async def answer_message(tutor: Tutor, message: discord.Message) -> None:
    """Run the message's command or question and reply; errors get a clear reply too."""
    answer = MessageAnswer(message)
    text = MENTION.sub(" ", message.content or "")
    channel = str(message.channel.id)
    try:
        request = tutor.commands.parse(message_line(text, tutor.commands))
        reply = await tutor.run(learner_of_message(message), request,
                                on_progress=answer.progress.report,
                                request_key=f"discord:msg:{message.id}", channel=channel)
    except Exception as err:  # a bug or bad input gets a reply, never silence
        reply = Reply(user_message(err, f"a Discord message {message.id}", log),
                      facts={"error": True})
    try:
        await answer.deliver(reply)
    except discord.HTTPException as err:
        log.warning("could not reply to Discord message %s: %s", message.id, err)
