"""``tutorbot slack``: check the settings, build the Tutor and the app, and serve, with the
daily-quiz scheduler running beside the app (quizzes, reveals, reminders, digests)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.app import build_tutor, open_engine, running_scheduler, settle_heap
from bot.errors import SetupError
from bot.proxies import proxy_for
from bot.settings import CoreSettings, SlackSettings
from bot.shutdown import ShutdownBudget, on_stop_signals
from bot.slack.app import build_client, open_app
from bot.slack.origin import PLATFORM
from bot.slack.poster import SlackPoster
from bot.slack.server import serve_http, serve_socket_mode
from engine.services.tutor import Tutor

log = logging.getLogger(__name__)


def check(slack: SlackSettings, *, http: bool) -> None:
    """Raise SetupError naming every missing variable for the chosen mode."""
    if slack.oauth and not http:
        raise SetupError("Multi-workspace installs (SLACK_CLIENT_ID) need HTTP mode: "
                         "run `tutorbot slack --http`.")
    missing = slack.missing(http=http)
    if missing:
        mode = "HTTP mode" if http else "Socket Mode"
        raise SetupError(f"{mode} needs {', '.join(missing)} in the environment. "
                         "See the README section \"Slack\".")


async def bot_name(slack: SlackSettings) -> str:
    """Check the bot token with auth.test (fail fast) and return the bot's user name."""
    if slack.oauth:
        return "tutorbot"
    client = build_client(slack)
    try:
        answer = await client.auth_test()
    except SlackApiError as err:
        raise SetupError(f"Slack refused SLACK_BOT_TOKEN ({err.response.get('error')}). "
                         "Copy the Bot User OAuth Token (xoxb-…) from the app's "
                         "\"OAuth & Permissions\" page.") from None
    return answer.get("user") or "tutorbot"


async def check_app_token(slack: SlackSettings) -> None:
    """Socket Mode: check the app token with apps.connections.open (fail fast). slack_sdk
    would otherwise retry a rejected token forever, a traceback every few seconds."""
    assert slack.app_token is not None
    client = build_client(slack)
    try:
        await client.apps_connections_open(app_token=slack.app_token.get_secret_value())
    except SlackApiError as err:
        raise SetupError(f"Slack refused SLACK_APP_TOKEN ({err.response.get('error')}). "
                         "Copy the App-Level Token (xapp-…, with the connections:write "
                         "scope) from the app's \"Basic Information\" page, and check that "
                         "Socket Mode is enabled.") from None


async def warm_up(tutor: Tutor) -> None:
    """Wait for the demo workers to load their models before serving, so /healthz answers
    (and the first /tokenize comes) only once they are ready."""
    for executor in (tutor.executor, getattr(tutor.executor, "backend", None)):  # the line's
        warmed = getattr(executor, "warmed", None)  # pool (a Celery queue warms its own)
        if warmed is not None:
            log.info("warming up the demo workers…")
            await warmed()
            return


async def serve(core: CoreSettings, slack: SlackSettings, *, http: bool,
                port: int | None) -> int:
    """Run the Slack app, and the daily-quiz scheduler beside it, until interrupted."""
    check(slack, http=http)
    name = await bot_name(slack)
    if not http:
        await check_app_token(slack)
    async with build_tutor(core) as tutor:
        await warm_up(tutor)
        engine = open_engine(core)
        store = oauth = None
        if slack.oauth:
            from bot.slack.oauth import installation_store, oauth_settings

            store = installation_store(slack.client_id or "", engine)
            oauth = oauth_settings(slack, store)
        budget = ShutdownBudget()  # one for the server's stop and the answers' drain
        try:
            async with open_app(slack, tutor, claims=tutor.store.deliveries, oauth=oauth,
                                bot_name=name, budget=budget) as app:
                poster = SlackPoster(app.client, store, bot_name=name)
                settle_heap()
                async with running_scheduler(tutor, {PLATFORM: poster.post}):
                    await until_signalled(serving(app, slack, http=http, port=port,
                                                  budget=budget), budget)
        finally:
            engine.dispose()
    return 0


def serving(app: AsyncApp, slack: SlackSettings, *, http: bool, port: int | None,
            budget: ShutdownBudget | None = None) -> Coroutine[Any, Any, None]:
    """Serve over HTTP, or connect over Socket Mode (until cancelled)."""
    if http:
        secret = slack.signing_secret.get_secret_value() if slack.signing_secret else None
        return serve_http(app, slack.host, port or slack.port, signing_secret=secret,
                          budget=budget)
    assert slack.app_token is not None
    socket = "wss://" + (urlsplit(slack.api_url).hostname or "slack.com") + "/"
    return serve_socket_mode(app, slack.app_token.get_secret_value(), proxy_for(socket))


async def until_signalled(work: Coroutine[Any, Any, None],
                          budget: ShutdownBudget | None = None) -> None:
    """Run ``work`` until it ends or SIGTERM/SIGINT arrives (then shut down cleanly; the
    signal starts the clock of the shutdown ``budget``, whatever mode is serving)."""
    task = asyncio.ensure_future(work)

    def stop() -> None:
        if budget is not None:
            budget.start()
        task.cancel()

    with on_stop_signals(stop):
        try:
            await task
        except asyncio.CancelledError:
            print("tutorbot slack: stopped", file=sys.stderr)
