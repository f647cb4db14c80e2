"""The one path every Slack request takes: who asks, is it a facilitator, run it through the
Tutor, hand the Reply to the outbox. No command is special-cased here."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any

from aiohttp import ClientSession
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.shutdown import InFlight
from bot.slack.admin import AdminCheck
from bot.slack.blocks import unescape
from bot.slack.home import HomeTab
from bot.slack.origin import Origin
from bot.slack.outbox import Outbox
from bot.slack.webapi import ResponseUrl
from bot.text import message_line as text_line
from engine.commands import COMMANDS, Request
from engine.commands.actions import answers_in_public, may_need_admin, needs_admin
from engine.commands.parsing import find_command, parse, parse_args
from engine.domain.replies import Reply
from engine.services.tutor import Tutor

log = logging.getLogger(__name__)

PLACEHOLDER_AFTER = 1.0  # s: an answer not out by then gets a visible "working on it"
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

UseCase = Callable[..., Awaitable[Reply]]  # Tutor.run or Tutor.press, bound to its arguments


def message_line(text: str) -> str:
    """A mention or DM -> a command line: ``/cmd ...`` or ``cmd ...`` run it; anything else is
    a question for ``/ask`` (``bot.text.message_line``)."""
    return text_line(unescape(MENTION.sub(" ", text or "")), COMMANDS)


class SlackCore:
    """Turns slash commands, button clicks and messages into Tutor calls and Slack answers."""

    def __init__(self, tutor: Tutor, admins: AdminCheck, *, bot_name: str = "tutorbot",
                 session: ClientSession | None = None, in_flight: InFlight | None = None,
                 ) -> None:
        self.tutor = tutor
        self.in_flight = in_flight or InFlight()  # shutdown waits for these answers
        self.admins = admins
        self.bot_name = bot_name
        self.session = session  # shared keep-alive connections for response_url posts
        self.home = HomeTab(tutor.overview)  # the App Home tab, refreshed after answers

    def responder(self, body: dict[str, Any]) -> ResponseUrl | None:
        """Posts to the request's response_url, if it has one."""
        url = body.get("response_url")
        return ResponseUrl(url, self.session) if url else None

    def outbox(self, client: AsyncWebClient, origin: Origin, respond: Any, label: str) -> Outbox:
        return Outbox(client, origin, respond, label=label, bot_name=self.bot_name)

    async def command(self, client: AsyncWebClient, origin: Origin, respond: Any,
                      name: str, text: str) -> None:
        """A slash command: ``/name text``."""
        self.in_flight.add()
        request = parse_args(name.lstrip("/"), unescape(text or ""))
        await self._run(client, origin, respond, request)

    async def message(self, client: AsyncWebClient, origin: Origin, text: str,
                      ts: str | None = None) -> None:
        """An @mention or a DM, answered through the same command core; a question asked in
        a channel is answered in a thread on it (``ts``: the message's timestamp)."""
        self.in_flight.add()
        line = message_line(text)
        if line.startswith("/ask ") and not origin.is_im and origin.thread_ts is None and ts:
            origin = replace(origin, thread_ts=ts)
        await self._run(client, origin, None, parse(line))

    async def press(self, client: AsyncWebClient, origin: Origin, respond: Any,
                    button_id: str) -> None:
        """A Block Kit button whose action_id is the engine's Button.id."""
        self.in_flight.add()
        if origin.channel is None and origin.user_id:  # a click on the App Home tab
            opened = await client.conversations_open(users=origin.user_id)
            origin = origin.moved_to(opened["channel"]["id"])
        use_case = partial(self.tutor.press, origin.learner, button_id)
        await self._answer(client, origin, respond, "button", use_case,
                           admin_matters=may_need_admin(button_id),
                           public=answers_in_public(button_id))

    async def _run(self, client: AsyncWebClient, origin: Origin, respond: Any,
                   request: Request) -> None:
        command = find_command(request.command)
        use_case = partial(self.tutor.run, origin.learner, request)
        await self._answer(client, origin, respond, f"/{request.command}", use_case,
                           admin_matters=needs_admin(command), public=command.heavy)

    async def _answer(self, client: AsyncWebClient, origin: Origin, respond: Any, label: str,
                      use_case: UseCase, *, admin_matters: bool, public: bool) -> None:
        """Run ``use_case`` for the asker and deliver its Reply. Slack is asked whether the
        asker is a facilitator (``users.info``, cached) only when the answer can depend on
        it; quiz answers and most commands never ask."""
        admin = admin_matters and await self.admins.is_admin(client, origin.team_id,
                                                             origin.user_id)
        outbox = self.outbox(client, origin, respond, label)
        try:
            work = asyncio.ensure_future(use_case(on_progress=outbox.progress.report,
                                                  request_key=origin.request_key, admin=admin,
                                                  channel=origin.channel))
            try:
                reply = await self._with_placeholder(work, outbox, public)
            finally:
                if not work.done():  # cancelled while waiting: the work goes too
                    work.cancel()
        except BaseException:
            await outbox.abandon()  # clean up the progress message; the error handler answers
            raise
        await outbox.deliver(reply)
        self.home.refresh(client, origin.learner)

    @staticmethod
    async def _with_placeholder(work: asyncio.Future[Reply], outbox: Outbox,
                                public: bool) -> Reply:
        """The answer; if it is not ready within PLACEHOLDER_AFTER seconds, a visible
        "working on it" first (public demos in the channel, anything else privately, or in
        the conversation when there is no response_url), which the answer replaces."""
        done, _ = await asyncio.wait({work}, timeout=PLACEHOLDER_AFTER)
        if not done:
            try:
                await outbox.placeholder(public=public or outbox.respond is None)
            except SlackApiError as err:  # a courtesy: never costs the learner the answer
                log.warning("could not post a placeholder: %s", err.response.get("error"))
        return await work
