"""Run the app: Socket Mode (a websocket to Slack) or HTTP mode (aiohttp on a port).

HTTP mode serves ``POST /slack/events`` (commands, buttons and events; Bolt checks the
signature and answers 401 otherwise), ``GET /healthz``, and the OAuth install pages when
multi-workspace installs are configured.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def web_app(app: AsyncApp) -> web.Application:
    """An aiohttp application routing Slack's requests into the Bolt app."""

    async def events(request: web.Request) -> web.Response:
        bolt_response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    routes = [web.post(EVENTS_PATH, events), web.get(HEALTH_PATH, health)]
    flow = app.oauth_flow
    if flow is not None:
        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request)))

        async def callback(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request)))

        routes += [web.get(flow.install_path, install), web.get(flow.redirect_uri_path, callback)]
    application = web.Application()
    application.add_routes(routes)
    return application


async def start_http(app: AsyncApp, host: str, port: int) -> web.AppRunner:
    """Start serving; the caller cleans up with ``await runner.cleanup()``."""
    runner = web.AppRunner(web_app(app), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("Slack HTTP mode on http://%s:%d%s (health %s)", host, port, EVENTS_PATH,
             HEALTH_PATH)
    return runner


async def serve_http(app: AsyncApp, host: str, port: int) -> None:
    """Serve until cancelled."""
    runner = await start_http(app, host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def serve_socket_mode(app: AsyncApp, app_token: str) -> None:
    """Connect to Slack over Socket Mode and serve until cancelled."""
    handler = AsyncSocketModeHandler(app, app_token)
    await handler.connect_async()
    log.info("Slack Socket Mode connected")
    try:
        await asyncio.Event().wait()
    finally:
        await handler.close_async()
