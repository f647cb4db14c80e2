"""The one path every Slack request takes: who asks, is it a facilitator, run it through the
Tutor, hand the Reply to the outbox. No command is special-cased here."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientSession
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.admin import AdminCheck
from bot.slack.blocks import unescape
from bot.slack.inflight import InFlight
from bot.slack.origin import Origin
from bot.slack.outbox import Outbox
from bot.slack.webapi import ResponseUrl
from engine.commands import COMMANDS, Request
from engine.parsing import parse, parse_args
from engine.replies import Reply
from engine.tutor import Tutor

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
HELP = "/help"

Work = Callable[[Outbox], Awaitable[Reply]]


def message_line(text: str) -> str:
    """A mention or DM -> a command line: ``/cmd ...`` or ``cmd ...`` run it; anything else
    gets help (until a question-answering command exists)."""
    clean = unescape(MENTION.sub(" ", text or "")).strip()
    if clean.startswith("/"):
        return clean
    first = clean.split(maxsplit=1)[0].lower() if clean else ""
    return f"/{clean}" if first in COMMANDS else HELP


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

    async def message(self, client: AsyncWebClient, origin: Origin, text: str) -> None:
        """An @mention or a DM, answered through the same command core."""
        self.in_flight.add()
        await self._run(client, origin, None, parse(message_line(text)))

    async def press(self, client: AsyncWebClient, origin: Origin, respond: Any,
                    button_id: str) -> None:
        """A Block Kit button whose action_id is the engine's Button.id."""
        self.in_flight.add()
        admin = await self.admins.is_admin(client, origin.team_id, origin.user_id)

        async def work(outbox: Outbox) -> Reply:
            return await self.tutor.press(origin.learner, button_id,
                                          on_progress=outbox.progress.report,
                                          request_key=origin.request_key, admin=admin,
                                          channel=origin.channel)

        await self._deliver(self.outbox(client, origin, respond, "button"), work)

    async def _run(self, client: AsyncWebClient, origin: Origin, respond: Any,
                   request: Request) -> None:
        # /help shows facilitators their commands too; is_admin is cached and runs after ack
        admin = await self.admins.is_admin(client, origin.team_id, origin.user_id)

        async def work(outbox: Outbox) -> Reply:
            return await self.tutor.run(origin.learner, request,
                                        on_progress=outbox.progress.report,
                                        request_key=origin.request_key, admin=admin,
                                        channel=origin.channel)

        await self._deliver(self.outbox(client, origin, respond, f"/{request.command}"), work)

    @staticmethod
    async def _deliver(outbox: Outbox, work: Work) -> None:
        try:
            reply = await work(outbox)
        except BaseException:
            await outbox.abandon()  # clean up the progress message; the error handler answers
            raise
        await outbox.deliver(reply)
