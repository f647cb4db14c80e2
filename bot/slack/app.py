"""Build the Bolt AsyncApp from settings and a Tutor, and register every listener on it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import ClientSession
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import SlackSettings
from bot.shutdown import InFlight, ShutdownBudget
from bot.slack import errors, listeners
from bot.slack.admin import AdminCheck
from bot.slack.core import SlackCore
from bot.slack.dedupe import EventDedupe
from engine.ports import DeliveryLog
from engine.services.tutor import Tutor

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3  # 429: wait Retry-After seconds, then again
SERVER_ERROR_RETRIES = 2  # 500/503
CONNECTION_RETRIES = 2


def bot_token(settings: SlackSettings) -> str | None:
    """The single workspace's bot token (None for multi-workspace installs)."""
    if settings.oauth or settings.bot_token is None:
        return None
    return settings.bot_token.get_secret_value()


def retry_handlers() -> list:
    """Retries for 429s (waiting Retry-After), 5xx and connection errors."""
    return [AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES)]


def build_client(settings: SlackSettings, session: ClientSession | None = None
                 ) -> AsyncWebClient:
    """A Web API client outside the app (start-up checks): SLACK_API_URL for every call,
    retries for 429s and 5xx, and one shared HTTP session (keep-alive) when given."""
    return configure_client(AsyncWebClient(token=bot_token(settings)), settings, session)


def configure_client(client: AsyncWebClient, settings: SlackSettings,
                     session: ClientSession | None = None) -> AsyncWebClient:
    """Point ``client`` at SLACK_API_URL with the retry handlers and the shared session."""
    client.base_url = settings.api_url
    client.retry_handlers = retry_handlers()
    if session is not None:
        client.session = session
    # slack_sdk would send every call, uploads to files.slack.com included, through
    # HTTPS_PROXY whatever NO_PROXY says; without a fixed proxy, aiohttp's trust_env picks
    # the proxy per URL (HTTPS_PROXY/HTTP_PROXY/NO_PROXY).
    client.trust_env_in_session = True
    client.proxy = None
    return client


def build_app(settings: SlackSettings, tutor: Tutor, *, claims: DeliveryLog | None,
              oauth: AsyncOAuthSettings | None = None, session: ClientSession | None = None,
              bot_name: str = "tutorbot", in_flight: InFlight | None = None) -> AsyncApp:
    """The Bolt app with its middleware, listeners and the one global error handler.

    Built as Bolt intends: the app gets the bot token (or the OAuth settings) and makes its
    own Web API client, which is then pointed at SLACK_API_URL with retries and the shared
    session. Handing Bolt a ready client instead makes it warn at every start that the
    token (which it also reads from SLACK_BOT_TOKEN) will be unused."""
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
    app = AsyncApp(
        name="tutorbot",
        token=bot_token(settings),
        signing_secret=secret,
        oauth_settings=oauth,
        process_before_response=False,  # ack() answers at once; the listener keeps working
    )
    configure_client(app.client, settings, session)
    app.middleware(proxy_per_url)
    dedupe = EventDedupe(claims)  # a listener middleware on the event listeners only
    core = SlackCore(tutor, AdminCheck(settings.admin_ids), bot_name=bot_name, session=session,
                     in_flight=in_flight)
    errors.register(app, core)
    listeners.register(app, core, dedupe)
    return app


async def proxy_per_url(context: Any, next: Any) -> None:  # noqa: A002 (Bolt's name)
    """Bolt copies the app's client for every request, and the copy takes HTTPS_PROXY from
    the environment for every URL, NO_PROXY ignored; without a fixed proxy the shared
    session (``trust_env``) chooses per URL, as for the app's own client."""
    if context.client is not None:
        context.client.proxy = None
    await next()


@asynccontextmanager
async def open_app(settings: SlackSettings, tutor: Tutor, *,
                   budget: ShutdownBudget | None = None, **kwargs: Any
                   ) -> AsyncIterator[AsyncApp]:
    """``build_app`` with a shared HTTP session for all Web API and response_url calls. On
    exit, clean or not, answers still in progress get what is left of the shutdown ``budget``
    to finish before the session closes (call inside the running event loop)."""
    in_flight = InFlight()
    async with ClientSession(trust_env=True) as session:  # proxies from the environment
        try:
            yield build_app(settings, tutor, session=session, in_flight=in_flight, **kwargs)
        finally:  # an error while serving must not swallow answers already promised
            await in_flight.drain((budget or ShutdownBudget()).left())
