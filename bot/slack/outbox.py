"""Reply -> Slack: messages with Block Kit buttons, pictures through files_upload_v2,
progress updated in place, private (ephemeral) answers whose pictures go to the asker's DM,
and a DM fallback when the bot is not in the channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.progress import ProgressMessage
from bot.slack.blocks import (
    MESSAGE_TEXT_MAX,
    escape,
    fallback,
    message_blocks,
    mrkdwn,
    progress_text,
)
from bot.slack.origin import Origin
from bot.slack.webapi import NOT_IN_CHANNEL, slack_error
from engine.domain.replies import Button, Image, Progress, Reply

log = logging.getLogger(__name__)

ALT_TEXT_MAX = 1000  # files.getUploadURLExternal alt_txt limit
FILE_TITLE_MAX = 250
BUTTONS_FALLBACK = "Choose a next step"  # notification text of a message that is only buttons
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
        self.progress = ProgressMessage(self._show_progress, give_up_on=(SlackApiError,))

    # --- public ---------------------------------------------------------------------------

    async def deliver(self, reply: Reply) -> str | None:
        """Post the answer: pictures as one upload with the text as its comment, then the
        message (the progress message replaced in place, or a new one with the buttons).
        Returns the ts of the message posted or updated (pictures only: the upload's ts or
        file id; a private answer: None)."""
        await self.progress.close()
        if reply.ephemeral:
            await self.private(reply.text, reply.buttons, reply.images)
            return None
        text, footer = mrkdwn(reply.text), self._footer(reply)
        if not reply.images:
            return await self._message(text, reply.buttons, footer)
        uploaded = await self._upload(reply.images, "\n".join(p for p in (text, footer) if p))
        if self.progress_ts or reply.buttons:
            return await self._message(self._done(reply), reply.buttons, None)
        return uploaded

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
        """An answer only the asker sees: response_url, else chat.postEphemeral (DM: a message).

        Slack cannot attach files to ephemeral messages, so pictures go to the asker's DM
        with the bot (with a copy of the text) and the private answer says so.
        """
        body = mrkdwn(text)
        if images:
            body = await self._pictures_by_dm(body, buttons, images)
            if body is None:
                return  # asked in the DM with the bot: answered there in full
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
        who = "" if self.origin.is_im or not self.origin.user_id else f"<@{self.origin.user_id}>"
        parts = [p for p in (who, f"`{escape(command)}`" if command else "") if p]
        return " · ".join(parts) or None

    def _done(self, reply: Reply) -> str:
        """The line above the buttons that follow an upload (nothing for scheduled posts)."""
        command = reply.command or self.label
        return f":white_check_mark: `{escape(command)}` — done." if command else ""

    async def _message(self, text: str, buttons: tuple[Button, ...],
                       footer: str | None) -> str | None:
        blocks = message_blocks(text, buttons, footer)
        words = fallback(text or BUTTONS_FALLBACK)
        if self.progress_ts:
            await self._call("chat_update", ts=self.progress_ts, text=words, blocks=blocks)
            return self.progress_ts
        posted = await self._call("chat_postMessage", text=words, blocks=blocks)
        return posted.get("ts")

    async def _upload(self, images: tuple[Image, ...], comment: str, *,
                      to: str | None = None) -> str | None:
        """One upload of all pictures with ``comment``; the message ts when Slack says it
        (sharing is asynchronous, so often only the file id is known), else the file id."""
        files = [{"content": image.data, "filename": image.name, "title": image.alt[:FILE_TITLE_MAX],
                  "alt_txt": image.alt[:ALT_TEXT_MAX]} for image in images]
        done = await self._call("files_upload_v2", to=to, file_uploads=files,
                                initial_comment=comment[:MESSAGE_TEXT_MAX])
        first = (done.get("files") or [{}])[0]
        shares = first.get("shares") or {}
        for where in (shares.get("public") or {}, shares.get("private") or {}):
            for posts in where.values():
                if posts and posts[0].get("ts"):
                    return posts[0]["ts"]
        return first.get("id")

    async def _pictures_by_dm(self, body: str, buttons: tuple[Button, ...],
                              images: tuple[Image, ...]) -> str | None:
        """Upload a private answer's pictures into the asker's DM with the bot; the private
        text, now saying where the pictures went (None: the DM *is* where it was asked)."""
        opened = await self.client.conversations_open(users=self.origin.user_id)
        dm = opened["channel"]["id"]
        if dm == self.origin.channel:
            await self._upload(images, body)
            if buttons:
                await self._message("", buttons, None)
            return None
        where = f" in <#{self.origin.channel}>" if self.origin.channel else ""
        what = "the picture" if len(images) == 1 else f"the {len(images)} pictures"
        try:
            await self._upload(images, f"_Your answer{where}, with {what}:_\n\n{body}", to=dm)
        except SlackApiError as err:
            log.warning("could not send private pictures to %s: %s", self.origin.user_id,
                        slack_error(err))
            return f"{body}\n\n_(I couldn't send you {what} in a direct message just now.)_"
        return (f"{body}\n\n:frame_with_picture: _Slack can't show pictures in a message only "
                f"you can see, so I sent you {what} in a direct message._")

    async def _show_progress(self, report: Progress) -> None:
        text = progress_text(report, self.label)
        if self.progress_ts is None:
            posted = await self._call("chat_postMessage", text=text, blocks=message_blocks(text))
            self.progress_ts = posted["ts"]
        else:
            await self._call("chat_update", ts=self.progress_ts, text=text,
                             blocks=message_blocks(text))

    async def _call(self, method: str, *, to: str | None = None, **kwargs: Any) -> Any:
        """A Web API call into the origin's conversation (or into ``to``, outside any thread);
        the bot not a member there -> the asker's DM, when there is an asker."""
        for attempt in range(2):
            args = dict(kwargs, channel=to or self.origin.channel)
            if method in THREADED and self.origin.thread_ts and to is None:
                args["thread_ts"] = self.origin.thread_ts
            try:
                return await getattr(self.client, method)(**args)
            except SlackApiError as err:
                if (attempt or to is not None or slack_error(err) not in NOT_IN_CHANNEL
                        or self.origin.is_im or not self.origin.user_id):
                    raise
                await self._move_to_dm()
        raise AssertionError("unreachable")

    async def _move_to_dm(self) -> None:
        """Answer in the asker's DM from now on; tell them (privately) how to invite the bot."""
        if self.origin.is_im:
            return
        left = self.origin.channel
        opened = await self.client.conversations_open(users=self.origin.user_id)
        self.origin = self.origin.moved_to(opened["channel"]["id"])
        note = (f"I'm not a member of <#{left}>, so I sent my answer to you in a direct "
                f"message. To use me there, invite me: type `/invite @{self.bot_name}` in "
                "that channel.")
        if self.respond is not None:
            sent = await self.respond(text=note, response_type="ephemeral",
                                      replace_original=False)
            if sent.status_code == 200:
                return
        await self.client.chat_postMessage(channel=self.origin.channel, text=note)
