"""The one global error handler: TutorError -> its user-safe message, privately; anything
else -> logged with a correlation id, and a short apology carrying that id."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import errors
from bot.slack import origin as origins
from bot.slack.core import SlackCore
from bot.slack.outbox import Outbox
from bot.slack.webapi import slack_error

log = logging.getLogger(__name__)

FACILITATORS = ("Facilitators are this workspace's admins and owners (or the people "
                "listed in SLACK_ADMIN_USERS, where the operator set it).")


def user_message(error: BaseException, body: dict[str, Any]) -> str:
    """What the learner is told; unexpected errors are logged here with their id."""
    what = body.get("command") or body.get("type") or "request"
    who = (body.get("user_id") or (body.get("user") or {}).get("id")
           or (body.get("event") or {}).get("user"))
    return errors.user_message(error, f"{what} from {who}", log, FACILITATORS)


def register(app: AsyncApp, core: SlackCore) -> None:
    """Install the handler on ``app`` (Bolt calls it for listener and middleware errors)."""

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], client: AsyncWebClient) -> None:
        text = user_message(error, body or {})
        origin = origins.from_body(body or {})
        if origin is None or origin.channel is None or not origin.user_id:
            return  # nobody to tell (e.g. a malformed payload); the log has it
        try:
            await Outbox(client, origin, core.responder(body or {})).private(text)
        except SlackApiError as err:
            log.warning("could not tell %s about an error: %s", origin.user_id,
                        slack_error(err))
