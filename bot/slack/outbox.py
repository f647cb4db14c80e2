"""Reply -> Slack: messages with Block Kit buttons, pictures through files_upload_v2,
progress updated in place, private (ephemeral) answers, and a DM fallback when the bot is
not in the channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import escape, fallback, message_blocks, mrkdwn, progress_text
from bot.slack.origin import Origin
from bot.slack.progress import ProgressMessage
from bot.slack.webapi import NOT_IN_CHANNEL, slack_error
from engine.replies import Button, Image, Progress, Reply

log = logging.getLogger(__name__)

ALT_TEXT_MAX = 1000  # files.getUploadURLExternal alt_txt limit
FILE_TITLE_MAX = 250
THREADED = frozenset({"chat_postMessage", "chat_postEphemeral", "files_upload_v2"})


class Outbox:
    """Sends one request's answers to where it came from (or to the asker's DM)."""

    def __init__(self, client: AsyncWebClient, origin: Origin, respond: Any = None, *,
                 label: str = "", bot_name: str = "tutorbot") -> None:
        self.client = client
        self.origin = origin
        self.respond = respond if origin.has_response_url else None
        self.label = label  # the command being answered, for progress and the footer
        self.bot_name = bot_name
        self.progress_ts: str | None = None
        self.progress = ProgressMessage(self._show_progress)

    # --- public ---------------------------------------------------------------------------

    async def deliver(self, reply: Reply) -> None:
        """Post the answer: pictures as one upload with the text as its comment, then the
        message (the progress message replaced in place, or a new one with the buttons)."""
        await self.progress.close()
        if reply.ephemeral:
            await self.private(reply.text, reply.buttons, reply.images)
            return
        text, footer = mrkdwn(reply.text), self._footer(reply)
        if not reply.images:
            await self._message(text, reply.buttons, footer)
            return
        await self._upload(reply.images, "\n".join(p for p in (text, footer) if p))
        if self.progress_ts or reply.buttons:
            done = f":white_check_mark: `{escape(reply.command or self.label)}` — done."
            await self._message(done, reply.buttons, None)

    async def abandon(self) -> None:
        """The request failed: stop progress and say so in the progress message."""
        await self.progress.close()
        if self.progress_ts:
            text = f":x: `{escape(self.label)}` stopped."
            try:
                await self._call("chat_update", ts=self.progress_ts, text=text,
                                 blocks=message_blocks(text))
            except SlackApiError as err:
                log.warning("could not mark progress as stopped: %s", slack_error(err))

    async def private(self, text: str, buttons: tuple[Button, ...] = (),
                      images: tuple[Image, ...] = ()) -> None:
        """An answer only the asker sees: response_url, else chat.postEphemeral (DM: a message)."""
        if images:  # files cannot be ephemeral: send them to the asker's DM
            await self._move_to_dm(notify=False)
            await self._upload(images, mrkdwn(text))
            return
        body = mrkdwn(text)
        blocks = message_blocks(body, buttons)
        if self.respond is not None:
            sent = await self.respond(text=fallback(body), blocks=blocks,
                                      response_type="ephemeral", replace_original=False)
            if sent.status_code == 200:
                return
            log.warning("response_url answered %s: %s", sent.status_code, sent.body[:200])
        if self.origin.is_im:
            await self._call("chat_postMessage", text=fallback(body), blocks=blocks)
        else:
            await self._call("chat_postEphemeral", user=self.origin.user_id,
                             text=fallback(body), blocks=blocks)

    # --- internals ------------------------------------------------------------------------

    def _footer(self, reply: Reply) -> str | None:
        command = reply.command or self.label
        who = "" if self.origin.is_im else f"<@{self.origin.user_id}>"
        parts = [p for p in (who, f"`{escape(command)}`" if command else "") if p]
        return " · ".join(parts) or None

    async def _message(self, text: str, buttons: tuple[Button, ...], footer: str | None) -> None:
        blocks = message_blocks(text, buttons, footer)
        if self.progress_ts:
            await self._call("chat_update", ts=self.progress_ts, text=fallback(text),
                             blocks=blocks)
        else:
            await self._call("chat_postMessage", text=fallback(text), blocks=blocks)

    async def _upload(self, images: tuple[Image, ...], comment: str) -> None:
        files = [{"content": image.data, "filename": image.name, "title": image.alt[:FILE_TITLE_MAX],
                  "alt_txt": image.alt[:ALT_TEXT_MAX]} for image in images]
        await self._call("files_upload_v2", file_uploads=files, initial_comment=comment)

    async def _show_progress(self, report: Progress) -> None:
        text = progress_text(report, self.label)
        if self.progress_ts is None:
            posted = await self._call("chat_postMessage", text=text, blocks=message_blocks(text))
            self.progress_ts = posted["ts"]
        else:
            await self._call("chat_update", ts=self.progress_ts, text=text,
                             blocks=message_blocks(text))

    async def _call(self, method: str, **kwargs: Any) -> Any:
        """A Web API call into the origin's conversation; not a member -> the asker's DM."""
        for attempt in range(2):
            args = dict(kwargs, channel=self.origin.channel)
            if method in THREADED and self.origin.thread_ts:
                args["thread_ts"] = self.origin.thread_ts
            try:
                return await getattr(self.client, method)(**args)
            except SlackApiError as err:
                if attempt or slack_error(err) not in NOT_IN_CHANNEL or self.origin.is_im:
                    raise
                await self._move_to_dm(notify=True)
        raise AssertionError("unreachable")

    async def _move_to_dm(self, *, notify: bool) -> None:
        """Answer in the asker's DM from now on; tell them (privately) how to invite the bot."""
        if self.origin.is_im:
            return
        left = self.origin.channel
        opened = await self.client.conversations_open(users=self.origin.user_id)
        self.origin = self.origin.moved_to(opened["channel"]["id"])
        if not notify:
            return
        note = (f"I'm not a member of <#{left}>, so I sent my answer to you in a direct "
                f"message. To use me there, invite me: type `/invite @{self.bot_name}` in "
                "that channel.")
        if self.respond is not None:
            sent = await self.respond(text=note, response_type="ephemeral",
                                      replace_original=False)
            if sent.status_code == 200:
                return
        await self.client.chat_postMessage(channel=self.origin.channel, text=note)
