"""The one path every Slack request takes: who asks, is it a facilitator, run it through the
Tutor, hand the Reply to the outbox. No command is special-cased here."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
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
from engine.commands.actions import may_need_admin, needs_admin
from engine.commands.parsing import find_command, parse, parse_args
from engine.domain.replies import Reply
from engine.services.tutor import Tutor

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
HELP = "/help"

UseCase = Callable[..., Awaitable[Reply]]  # Tutor.run or Tutor.press, bound to its arguments


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
        use_case = partial(self.tutor.press, origin.learner, button_id)
        await self._answer(client, origin, respond, "button", use_case,
                           admin_matters=may_need_admin(button_id))

    async def _run(self, client: AsyncWebClient, origin: Origin, respond: Any,
                   request: Request) -> None:
        use_case = partial(self.tutor.run, origin.learner, request)
        await self._answer(client, origin, respond, f"/{request.command}", use_case,
                           admin_matters=needs_admin(find_command(request.command)))

    async def _answer(self, client: AsyncWebClient, origin: Origin, respond: Any, label: str,
                      use_case: UseCase, *, admin_matters: bool) -> None:
        """Run ``use_case`` for the asker and deliver its Reply. Slack is asked whether the
        asker is a facilitator (``users.info``, cached) only when the answer can depend on
        it; quiz answers and most commands never ask."""
        admin = admin_matters and await self.admins.is_admin(client, origin.team_id,
                                                             origin.user_id)
        outbox = self.outbox(client, origin, respond, label)
        try:
            reply = await use_case(on_progress=outbox.progress.report,
                                   request_key=origin.request_key, admin=admin,
                                   channel=origin.channel)
        except BaseException:
            await outbox.abandon()  # clean up the progress message; the error handler answers
            raise
        await outbox.deliver(reply)
