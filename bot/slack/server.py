"""Run the app: Socket Mode (a websocket to Slack) or HTTP mode (aiohttp on a port).

HTTP mode serves ``POST /slack/events`` (commands, buttons and events; the signature is
checked and a bad one answered 401), ``GET /healthz``, and the OAuth install pages when
multi-workspace installs are configured.

Slash commands take a fast path: the signature is checked here and the empty 200 ack goes
back at once, while Bolt handles the same request in a task of its own (re-checking the
signature; its own ack is then a no-op). A burst of commands therefore waits on HTTP parsing
and one HMAC each, not on Bolt's dispatch. Whatever Bolt would have answered in the HTTP
reply (e.g. "your installation is no longer available") is posted to the command's
response_url instead, since the empty ack has already gone out.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.shutdown import InFlight, ShutdownBudget
from bot.slack.quiet import QuietGate
from bot.slack.webapi import ResponseUrl
from engine.commands import COMMANDS

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
BACKLOG = 1024  # pending connections the kernel queues for us (capped by net.core.somaxconn)
# Shares of the shutdown budget (bot/shutdown.py) for the HTTP server's own stop; the
# answers in progress get the rest of it.
DISPATCH_DRAIN = 2.0  # s at most for acked commands to be handed to Bolt (held <= MAX_HOLD)
HTTP_SHUTDOWN = 1.5  # s aiohttp waits for requests being answered (then as long to cancel)


FORM = "application/x-www-form-urlencoded"
COMMAND_FIELD = re.compile(r"(?:^|&)command=([^&]*)")
SSL_CHECK = re.compile(r"(?:^|&)ssl_check=")
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds, ASCII digits only
NOT_RUN = "Sorry, `{command}` could not be run just now. Please try again in a moment."


def refusal(response: BoltResponse | None, command: str) -> dict[str, Any] | None:
    """The message that Bolt's answer to an acked ``command`` owes the learner, or None.

    A 200 with a body is a user-facing answer (Bolt's own refusals, or an ``ack(text)``);
    a bare 500 means a middleware failed and the app's error handler has answered; any
    other status, or no answer at all (None: the dispatch failed), gets ``NOT_RUN``.
    """
    if response is not None and response.status == 200:
        return message_of(response.body) if response.body else None
    if response is not None and response.status == 500 and not response.body:
        return None
    if response is not None:
        log.warning("a fast-acked %s was answered %s by Bolt: %s", command, response.status,
                    response.body[:200])
    return {"text": NOT_RUN.format(command=command)}


def message_of(body: str) -> dict[str, Any]:
    """Bolt's answer body as a message: a JSON message as it is, anything else as text."""
    with contextlib.suppress(ValueError):
        message = json.loads(body)
        if isinstance(message, dict) and ("text" in message or "blocks" in message):
            return message
    return {"text": body}


class FastAck:
    """Acknowledge signed slash commands before Bolt dispatches them (see the module doc)."""

    QUIET = 0.02  # s without a new ack before queued work starts
    MAX_HOLD = 0.5  # s at most that work waits for a burst of acks to pass

    def __init__(self, app: AsyncApp, signing_secret: str) -> None:
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        self.dispatches = InFlight()
        self.quiet = QuietGate(self.QUIET)  # opens once no ack has come for QUIET s
        # acked, not yet dispatched: (loop time it must go by, body, query, headers), in order
        self.held: collections.deque[tuple[float, str, str, Mapping[str, str]]] = (
            collections.deque())
        self._releaser: asyncio.Task | None = None

    def wants(self, request: web.Request, body: str) -> bool:
        """Slash commands only (not buttons, events or Slack's unsigned ssl_check).

        Read with a pattern rather than a full form parse (a tenth of the time, and every
        acknowledgement in a burst waits for the ones before it): in a form body ``&`` and
        ``=`` only ever separate fields, values have them percent-encoded."""
        if request.content_type != FORM or SSL_CHECK.search(body):
            return False  # Bolt gives those their own answer
        field = COMMAND_FIELD.search(body)
        return field is not None and unquote_plus(field[1]).lstrip("/") in COMMANDS

    def ack(self, request: web.Request, body: str) -> web.Response:
        headers = request.headers
        if not self.verifier.is_valid(body, headers.get("X-Slack-Request-Timestamp", ""),
                                      headers.get("X-Slack-Signature", "")):
            return web.json_response({"error": "invalid request"}, status=401)
        self.quiet.mark()
        release = asyncio.get_running_loop().time() + self.MAX_HOLD
        self.held.append((release, body, request.query_string, headers))
        if self._releaser is None or self._releaser.done():  # one task holds the whole burst
            self._releaser = asyncio.create_task(self._release())
            self.dispatches.add(self._releaser)
        return web.Response(status=200)

    async def _release(self) -> None:
        """Let a burst of acks go out first (every request must be acked within 3 s; the
        work after it has no such deadline). Once no ack has come for QUIET s, everything
        held goes to Bolt; while acks keep coming, each goes MAX_HOLD s after its own ack
        (so a steady stream is not released in one lump). One task and one timer at a time,
        not one per command: acks stay cheap."""
        loop = asyncio.get_running_loop()
        while self.held:
            await self.quiet.wait(self.held[0][0] - loop.time())
            quiet, now = self.quiet.opened.is_set(), loop.time()
            while self.held and (quiet or self.held[0][0] <= now):
                _, body, query, headers = self.held.popleft()
                self.dispatches.add(loop.create_task(self._dispatch(body, query, headers)))
            await asyncio.sleep(0)

    async def _dispatch(self, body: str, query: str, headers: Mapping[str, str]) -> None:
        """Hand one acked command to Bolt; tell the learner what Bolt refused."""
        fields = parse_qs(body)
        command = fields["command"][0]
        try:
            bolt_request = AsyncBoltRequest(body=body, query=query,
                                            headers={k.lower(): v for k, v in headers.items()})
            response = await self.app.async_dispatch(bolt_request)
        except Exception:
            log.exception("a fast-acked %s failed in Bolt's dispatch", command)
            response = None
        message = refusal(response, command)
        url = fields.get("response_url", [""])[0]
        if message is not None and url:
            await self._tell(url, message)

    @staticmethod
    async def _tell(url: str, message: dict[str, Any]) -> None:
        """Post ``message`` to a response_url, privately unless it says otherwise."""
        try:
            sent = await ResponseUrl(url, None)(
                **{"response_type": "ephemeral", "replace_original": False, **message})
        except Exception:
            log.warning("could not post to a fast-acked command's response_url", exc_info=True)
            return
        if sent.status_code != 200:
            log.warning("response_url answered %s: %s", sent.status_code, sent.body[:200])


def screen(request: web.Request, body: str, verifier: SignatureVerifier | None
           ) -> web.Response | None:
    """Refuse what is not a Slack request before anything parses it: no or a non-numeric
    ``X-Slack-Request-Timestamp`` -> 401; a ``payload`` field (or an event body) that is not
    JSON -> 401 when unsigned, 400 when signed (Slack never sends one). One log line each,
    no traceback.
    None: the request goes on (Bolt checks the signature of everything else)."""
    if request.content_type == FORM and SSL_CHECK.search(body):
        return None  # Slack's ssl_check carries no signature; Bolt answers it
    stamp = request.headers.get("X-Slack-Request-Timestamp")
    if stamp is None or not TIMESTAMP.fullmatch(stamp):
        log.warning("refused a request to %s from %s: %s X-Slack-Request-Timestamp (401)",
                    request.path, request.remote,
                    "no" if stamp is None else "a non-numeric")
        return web.json_response({"error": "invalid request"}, status=401)
    if request.content_type == FORM and "payload=" in body:
        document = parse_qs(body).get("payload", [""])[0]
    elif request.content_type == "application/json" or body.startswith("{"):
        document = body  # an event
    else:
        return None
    try:
        json.loads(document)
    except ValueError:
        signed = verifier is not None and verifier.is_valid(
            body, stamp, request.headers.get("X-Slack-Signature", ""))
        log.warning("refused a request to %s from %s: a %s payload that is not JSON (%d)",
                    request.path, request.remote, "signed" if signed else "unsigned",
                    400 if signed else 401)
        if signed:
            return web.json_response({"error": "payload is not JSON"}, status=400)
        return web.json_response({"error": "invalid request"}, status=401)
    return None


def web_app(app: AsyncApp, signing_secret: str | None = None,
            budget: ShutdownBudget | None = None) -> web.Application:
    """An aiohttp application routing Slack's requests into the Bolt app; at shutdown, acked
    commands get their share of ``budget`` to reach Bolt."""
    budget = budget or ShutdownBudget()
    fast = FastAck(app, signing_secret) if signing_secret else None
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        refused = screen(request, body, verifier)
        if refused is not None:
            return refused
        if fast is not None and fast.wants(request, body):
            return fast.ack(request, body)
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
    if fast is not None:
        async def drain(_: web.Application) -> None:  # acked: hand them to Bolt first
            await fast.dispatches.drain(budget.left(DISPATCH_DRAIN))

        application.on_shutdown.append(drain)
    return application


async def start_http(app: AsyncApp, host: str, port: int, *,
                     signing_secret: str | None = None,
                     budget: ShutdownBudget | None = None) -> web.AppRunner:
    """Start serving (slash commands fast-acked when ``signing_secret`` is given); the caller
    cleans up with ``await runner.cleanup()``, which spends at most DISPATCH_DRAIN of
    ``budget`` and twice HTTP_SHUTDOWN."""
    runner = web.AppRunner(web_app(app, signing_secret, budget), access_log=None,
                           shutdown_timeout=HTTP_SHUTDOWN)
    await runner.setup()
    # Slack may open hundreds of connections at once; aiohttp's default backlog (128) would
    # drop the SYNs past it, and a dropped SYN is retried only after a second.
    await web.TCPSite(runner, host, port, backlog=BACKLOG).start()
    log.info("Slack HTTP mode on http://%s:%d%s (health %s)", host, port, EVENTS_PATH,
             HEALTH_PATH)
    return runner


async def serve_http(app: AsyncApp, host: str, port: int, *,
                     signing_secret: str | None = None,
                     budget: ShutdownBudget | None = None) -> None:
    """Serve until cancelled; stopping starts the clock of the shutdown ``budget``."""
    budget = budget or ShutdownBudget()
    runner = await start_http(app, host, port, signing_secret=signing_secret, budget=budget)
    try:
        await asyncio.Event().wait()
    finally:
        budget.start()
        await runner.cleanup()


async def serve_socket_mode(app: AsyncApp, app_token: str, proxy: str | None = None) -> None:
    """Connect to Slack over Socket Mode and serve until cancelled; the websocket goes
    through ``proxy`` (None: directly)."""
    handler = AsyncSocketModeHandler(app, app_token)
    handler.client.proxy = proxy  # slack_sdk took HTTPS_PROXY from the env, NO_PROXY ignored
    try:  # closed however this ends (its own HTTP session included): no "Unclosed client
        await handler.connect_async()  # session" at shutdown, even while still connecting
        log.info("Slack Socket Mode connected")
        await asyncio.Event().wait()
    finally:
        await handler.close_async()
