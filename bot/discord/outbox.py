"""Reply -> Discord: the deferred "thinking" response, progress edits, follow-ups with files
and buttons, private answers, and the fallback once the interaction token has expired.

Discord rules this follows (see /work/shared/PLATFORMS.md):
- the first response (type 5, defer) within 3 s; follow-ups and edits for 15 minutes;
- while the deferred message is still loading, the first follow-up *replaces* it and keeps
  the defer's visibility, so a private answer after a public defer (or the reverse) first
  resolves the loading message with an edit, then follows up, then deletes the original;
- after 15 minutes the token is dead: public answers go to the channel, private ones by DM.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta
from typing import Any

import discord

from bot.discord import attachments
from bot.discord.buttons import button_view
from bot.discord.text import progress_line, split_message, with_footer
from bot.progress import ProgressMessage
from engine.domain.replies import Image, Progress, Reply

log = logging.getLogger(__name__)

TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_MARGIN = timedelta(seconds=30)  # stop using the token a little before it dies
TOKEN_GONE = {10015, 10062, 50027}  # Unknown Webhook, Unknown Interaction, Invalid Token
PROGRESS_INTERVAL = 1.0  # seconds between edits of the original response
NO_MENTIONS = discord.AllowedMentions.none()
ANSWERED_PRIVATELY = "Answered privately."
ANSWERED_BELOW = "Answered below."
DONE = "Done — the answer is below."


class Outbox:
    """Delivers the answer to one interaction. One per interaction (``Outbox.of``)."""

    def __init__(self, interaction: discord.Interaction,
                 progress_interval: float = PROGRESS_INTERVAL) -> None:
        self.interaction = interaction
        self.private_defer: bool | None = None  # None until deferred
        self.progress_shown = False
        self._progress = ProgressMessage(self._show_progress, interval=progress_interval,
                                         give_up_on=(discord.HTTPException,))
        interaction.extras["outbox"] = self

    @classmethod
    def of(cls, interaction: discord.Interaction) -> Outbox:
        """The interaction's outbox (a new one if none was made yet)."""
        return interaction.extras.get("outbox") or cls(interaction)

    def expired(self) -> bool:
        """True once the 15-minute interaction token can no longer be relied on."""
        age = discord.utils.utcnow() - self.interaction.created_at
        return age >= TOKEN_LIFETIME - TOKEN_MARGIN

    async def defer(self, *, private: bool) -> None:
        """Acknowledge at once with a "thinking…" message (type 5)."""
        await self.interaction.response.defer(thinking=True, ephemeral=private)
        self.private_defer = private

    def is_deferred(self) -> bool:
        return self.private_defer is not None or self.interaction.response.is_done()

    # --- progress ---------------------------------------------------------------------------

    async def progress(self, report: Progress) -> None:
        """Show a progress report by editing the original response; never blocks the caller.

        Reports arriving faster than one per ``progress_interval`` are coalesced: the newest
        wins."""
        if self.private_defer is None or self.expired():
            return
        await self._progress.report(report)

    async def _show_progress(self, report: Progress) -> None:
        await self.interaction.edit_original_response(
            content=progress_line(report.text, report.fraction),
            allowed_mentions=NO_MENTIONS, **self._progress_files(report))
        self.progress_shown = True

    def _progress_files(self, report: Progress) -> dict[str, Any]:
        image = report.image
        if image is None or len(image.data) > self.interaction.filesize_limit:
            return {}
        return {"attachments": [_file(image)]}

    # --- answers ----------------------------------------------------------------------------

    async def send(self, reply: Reply) -> None:
        """Deliver a reply: text in pieces of 2 000 characters, files, then buttons."""
        await self._progress.close()
        messages = await self._messages(reply)
        private = reply.ephemeral
        if not self.is_deferred():
            await self.interaction.response.send_message(
                **message_kwargs(messages[0]), ephemeral=private, allowed_mentions=NO_MENTIONS)
            messages = messages[1:]
            self.private_defer = private
        if not messages:
            return
        if self.expired():
            await self._fall_back(messages, private)
            return
        try:
            await self._follow_up(messages, private)
        except discord.HTTPException as err:
            if err.code not in TOKEN_GONE and err.status != 401:
                raise
            log.warning("interaction token no longer valid (%s); falling back", err.code)
            if messages:  # what was not delivered yet (an answer is never sent twice)
                await self._fall_back(messages, private)

    async def send_private(self, text: str) -> None:
        """A private message to whoever interacted (errors, "busy")."""
        await self.send(Reply(text=text, ephemeral=True))

    async def _follow_up(self, messages: list[dict[str, Any]], private: bool) -> None:
        original = self.interaction
        mismatch = private != self.private_defer
        if mismatch:  # resolve the loading message, or the follow-up would inherit its view
            await original.edit_original_response(
                content=ANSWERED_PRIVATELY if private else ANSWERED_BELOW, attachments=[])
        while messages:
            await original.followup.send(**message_kwargs(messages[0]), ephemeral=private,
                                         allowed_mentions=NO_MENTIONS)
            messages.pop(0)
        if mismatch:
            await original.delete_original_response()
        elif self.progress_shown:
            await original.edit_original_response(content=DONE, attachments=[])

    async def _fall_back(self, messages: list[dict[str, Any]], private: bool) -> None:
        """Past the token: public answers to the channel (mentioning the learner), private
        ones as a direct message."""
        user = self.interaction.user
        if private:
            target: discord.abc.Messageable = user
            mentions = NO_MENTIONS
        else:
            target = self.interaction.channel or self.interaction.client.get_partial_messageable(
                self.interaction.channel_id or 0)  # type: ignore[assignment]
            mentions = discord.AllowedMentions(everyone=False, roles=False, users=[user])
            first = messages[0]
            first["content"] = f"{user.mention} {first.get('content') or ''}".strip()
        for message in messages:
            await target.send(**message_kwargs(message), allowed_mentions=mentions)  # type: ignore[arg-type]

    async def _messages(self, reply: Reply) -> list[dict[str, Any]]:
        return await render(reply, self.interaction.filesize_limit)


async def render(reply: Reply, filesize_limit: int) -> list[dict[str, Any]]:
    """The reply as Discord messages: text pieces, the pictures on the last piece (more
    messages if they do not fit one), buttons on the very last message. Pictures over
    ``filesize_limit`` bytes are shrunk in a thread. Send each with ``message_kwargs``."""
    text = with_footer(reply.text, reply.command)
    images = reply.images
    groups: tuple[tuple[Image, ...], ...] = (images,) if images else ()
    if attachments.needs_work(images, filesize_limit):
        fitted = await asyncio.to_thread(attachments.fit, images, filesize_limit)
        groups = fitted.groups
        text = "\n".join([text, *fitted.notes])
    messages: list[dict[str, Any]] = [{"content": piece} for piece in split_message(text)]
    if groups:
        messages[-1]["images"] = groups[0]
        messages += [{"images": group} for group in groups[1:]]
    view = button_view(reply.buttons)
    if view is not None:
        messages[-1]["view"] = view
    return messages


def message_kwargs(message: dict[str, Any]) -> dict[str, Any]:
    """discord.py keyword arguments for one message (fresh File objects every time)."""
    kwargs = {k: v for k, v in message.items() if k != "images"}
    if message.get("images"):
        kwargs["files"] = [_file(image) for image in message["images"]]
    return kwargs


def _file(image: Image) -> discord.File:
    return discord.File(io.BytesIO(image.data), filename=image.name,
                        description=image.alt[:1024] or None)

