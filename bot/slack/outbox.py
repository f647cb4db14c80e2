"""Reply -> Slack: one message per answer — text, pictures and buttons together (the
pictures uploaded privately with files_upload_v2, then shown by ``slack_file`` image
blocks) — replacing the progress or "working on it" message in place; private (ephemeral)
answers whose pictures go to the asker's DM, and a DM fallback when the bot is not in the
channel."""

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
    image_block,
    message_blocks,
    mrkdwn,
    progress_text,
)
from bot.slack.origin import Origin
from bot.slack.webapi import NOT_IN_CHANNEL, slack_error
from bot.syntax import command_line, present
from engine.domain.replies import Button, Image, Progress, Reply

log = logging.getLogger(__name__)

ALT_TEXT_MAX = 1000  # files.getUploadURLExternal alt_txt limit
FILE_TITLE_MAX = 250
NO_TEXT_FALLBACK = "A message from tutorbot"  # notification text of a message without text
WORKING = "Working on it…"  # the placeholder of an answer that takes more than a moment
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
        self.private_placeholder = False  # "working on it" sent through the response_url
        self.progress = ProgressMessage(self._show_progress, give_up_on=(SlackApiError,))

    # --- public ---------------------------------------------------------------------------

    async def deliver(self, reply: Reply) -> str | None:
        """Post the answer as one message: text, pictures (uploaded privately, shown as
        image blocks) and buttons together, replacing the progress or placeholder message
        in place when there is one. Returns the ts of the message posted or updated (a
        private answer: None)."""
        await self.progress.close()
        if reply.ephemeral:
            await self.private(reply.text, reply.buttons, reply.images)
            await self._drop_progress()
            return None
        text, footer = mrkdwn(present(reply.text)), self._footer(reply)
        pictures = await self._upload_privately(reply.images) if reply.images else []
        ts = await self._message(text, reply.buttons, footer, pictures)
        await self._drop_private_placeholder()
        return ts

    async def placeholder(self, *, public: bool) -> None:
        """"Working on it…" while a slow answer is computed: in the channel (public demos:
        the answer replaces it in place) or only for the asker (replaced by a private
        answer, deleted before a public one)."""
        what = f" `{escape(self.label)}`" if self.label.startswith("/") else ""
        text = f":hourglass_flowing_sand: {WORKING}{what}"
        if public:
            await self.progress.report(Progress(WORKING))
            return
        if self.respond is not None:
            sent = await self.respond(text=text, blocks=message_blocks(text),
                                      response_type="ephemeral", replace_original=False)
            self.private_placeholder = sent.status_code == 200

    async def abandon(self) -> None:
        """The request failed: stop progress and say so in the progress message."""
        await self.progress.close()
        await self._drop_private_placeholder()
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
        body = mrkdwn(present(text))
        if images:
            body = await self._pictures_by_dm(body, buttons, images)
            if body is None:  # asked in the DM with the bot: answered there in full
                await self._drop_private_placeholder()
                return
        blocks = message_blocks(body, buttons)
        if self.respond is not None:
            sent = await self.respond(text=fallback(body), blocks=blocks,
                                      response_type="ephemeral",
                                      replace_original=self.private_placeholder)
            if sent.status_code == 200:
                self.private_placeholder = False  # replaced by the answer
                return
            log.warning("response_url answered %s: %s", sent.status_code, sent.body[:200])
        await self._drop_private_placeholder()
        if self.origin.is_im:
            await self._call("chat_postMessage", text=fallback(body), blocks=blocks)
        else:
            await self._call("chat_postEphemeral", user=self.origin.user_id,
                             text=fallback(body), blocks=blocks)

    # --- internals ------------------------------------------------------------------------

    def _footer(self, reply: Reply) -> str | None:
        command = command_line(reply.command) if reply.command else self.label
        who = "" if self.origin.is_im or not self.origin.user_id else f"<@{self.origin.user_id}>"
        parts = [p for p in (who, f"`{escape(command)}`" if command else "") if p]
        return " · ".join(parts) or None

    async def _message(self, text: str, buttons: tuple[Button, ...], footer: str | None,
                       pictures: list[dict[str, Any]] | None = None) -> str | None:
        blocks = message_blocks(text, buttons, footer, pictures or ())
        words = fallback(text or NO_TEXT_FALLBACK)
        if self.progress_ts:
            await self._call("chat_update", ts=self.progress_ts, text=words, blocks=blocks)
            return self.progress_ts
        posted = await self._call("chat_postMessage", text=words, blocks=blocks)
        return posted.get("ts")

    async def _upload_privately(self, images: tuple[Image, ...]) -> list[dict[str, Any]]:
        """Upload the pictures without sharing them anywhere (files_upload_v2 with no
        channel) and return image blocks showing them (``slack_file`` by id): the message
        that carries the text and buttons shows the pictures too."""
        files = [{"content": image.data, "filename": image.name,
                  "title": image.alt[:FILE_TITLE_MAX], "alt_txt": image.alt[:ALT_TEXT_MAX]}
                 for image in images]
        done = await self.client.files_upload_v2(file_uploads=files)
        uploaded = done.get("files") or []
        return [image_block(f["id"], image.alt, image.name)
                for f, image in zip(uploaded, images, strict=False)]

    async def _drop_progress(self) -> None:
        """A private answer ends a public progress or placeholder message: remove it."""
        if self.progress_ts is None:
            return
        try:
            await self._call("chat_delete", ts=self.progress_ts)
        except SlackApiError as err:
            log.warning("could not remove the progress message: %s", slack_error(err))
        self.progress_ts = None

    async def _drop_private_placeholder(self) -> None:
        """A public answer ends the asker's private "working on it": delete it."""
        if not self.private_placeholder or self.respond is None:
            return
        self.private_placeholder = False
        sent = await self.respond(delete_original=True)
        if sent.status_code != 200:
            log.warning("could not delete the placeholder: %s", sent.body[:200])

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
            await self._message(body, buttons, None, await self._upload_privately(images))
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
