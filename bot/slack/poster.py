"""The quiz scheduler's Poster for Slack: daily quizzes, reveals, review reminders, digests.

``await poster.post(ChannelRef("slack", team_id, channel), reply)`` converts the Reply with
the same Outbox as answers to commands (text and Block Kit buttons; pictures through
files_upload_v2) and returns the message ts. A channel ``"@U123"`` is a direct message to
that user: the DM is opened with ``conversations.open`` (remembered per workspace).

Every call goes through a client with the app's retry handlers (429 Retry-After, 5xx,
connection errors). One workspace (``SLACK_BOT_TOKEN``) uses the app's own client;
multi-workspace (OAuth) installs look the workspace's bot token up in the installation store
and cache it for ``TOKEN_TTL`` seconds (forgotten at once when Slack rejects it).
Enterprise Grid org-wide installs are not supported here: a schedule stores only the
workspace (team) id, and the bot token is looked up for that team.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.origin import PLATFORM, Origin
from bot.slack.outbox import Outbox
from bot.slack.webapi import slack_error
from engine.domain.records import ChannelRef
from engine.domain.replies import Reply

log = logging.getLogger(__name__)

TOKEN_TTL = 300.0  # seconds a workspace's bot token is reused before asking the store again
CACHE_MAX = 10_000  # DM channel ids remembered
DEAD_TOKEN = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired",
                        "account_inactive"})


class NotInstalled(LookupError):
    """No bot token for the workspace a scheduled post is for (uninstalled, or never)."""


def client_with_token(base: AsyncWebClient, token: str) -> AsyncWebClient:
    """A client like ``base`` (API URL, HTTP session, retry handlers) with another token."""
    return AsyncWebClient(
        token=token, base_url=base.base_url, timeout=base.timeout, ssl=base.ssl,
        proxy=base.proxy, session=base.session, trust_env_in_session=base.trust_env_in_session,
        headers=base.headers, logger=base.logger,
        retry_handlers=list(base.retry_handlers) if base.retry_handlers is not None else None)


class SlackPoster:
    """``post`` is the scheduler's Poster for the ``slack`` platform."""

    def __init__(self, client: AsyncWebClient,
                 installations: AsyncInstallationStore | None = None, *,
                 bot_name: str = "tutorbot", token_ttl: float = TOKEN_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client  # the app's client: its token serves one workspace
        self.installations = installations  # multi-workspace: bot tokens per team
        self.bot_name = bot_name
        self.token_ttl = token_ttl
        self.clock = clock
        self._clients: dict[str, tuple[float, AsyncWebClient]] = {}
        self._dms: dict[tuple[str, str], str] = {}

    async def post(self, channel: ChannelRef, reply: Reply) -> str | None:
        """Post ``reply`` publicly into ``channel`` (or the user's DM); the message ts."""
        if channel.platform != PLATFORM:
            raise ValueError(f"the Slack poster cannot post to {channel.platform}")
        client = await self.client_for(channel.workspace)
        try:
            origin = await self._origin(client, channel)
            outbox = Outbox(client, origin, bot_name=self.bot_name)
            return await outbox.deliver(replace(reply, ephemeral=False))  # nobody asked
        except SlackApiError as err:
            if slack_error(err) in DEAD_TOKEN:
                self._clients.pop(channel.workspace, None)
            raise

    async def client_for(self, workspace: str) -> AsyncWebClient:
        """The client holding the bot token of ``workspace``."""
        if self.installations is None:
            return self.client
        cached = self._clients.get(workspace)
        if cached is not None and self.clock() - cached[0] < self.token_ttl:
            return cached[1]
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None or not bot.bot_token:
            self._clients.pop(workspace, None)
            raise NotInstalled(f"tutorbot is not installed in Slack workspace {workspace} "
                               "(no bot token in the installation store); reinstall it at "
                               "/slack/install or remove the workspace's schedules")
        client = client_with_token(self.client, bot.bot_token)
        self._clients[workspace] = (self.clock(), client)
        return client

    async def _origin(self, client: AsyncWebClient, channel: ChannelRef) -> Origin:
        """Where the post goes: the channel, or for ``@U123`` the DM with that user."""
        if not channel.channel.startswith("@"):
            return Origin(team_id=channel.workspace, user_id="", channel=channel.channel)
        user = channel.channel[1:]
        key = (channel.workspace, user)
        dm = self._dms.get(key)
        if dm is None:
            opened = await client.conversations_open(users=user)
            dm = opened["channel"]["id"]
            if len(self._dms) >= CACHE_MAX:
                self._dms.clear()
            self._dms[key] = dm
        return Origin(team_id=channel.workspace, user_id=user, channel=dm, is_im=True)
