"""A fake Discord on 127.0.0.1: the REST API and the gateway, speaking the real wire formats.

discord.py talks to it exactly as to Discord (HTTP + websocket through aiohttp): the bot
logs in, connects to the gateway (HELLO -> IDENTIFY -> READY), receives INTERACTION_CREATE
frames and answers with interaction callbacks, webhook follow-ups (JSON or multipart with
files) and channel messages. Every request is recorded with its arrival time; failures
(a 429, a dead token) can be injected for the next matching request.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"
APP_ID = "1100000000000000001"
GUILD_ID = "1200000000000000002"
CHANNEL_ID = "1300000000000000003"
MANAGE_GUILD = 1 << 5
FILE_LIMIT = 10 * 1024 * 1024
_counter = itertools.count(1)


def snowflake(when: datetime | None = None) -> str:
    """A Discord id whose timestamp is ``when`` (default now)."""
    moment = when or datetime.now(UTC)
    millis = int(moment.timestamp() * 1000)
    return str(((millis - DISCORD_EPOCH_MS) << 22) | (next(_counter) & 0x3FFFFF))


def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": user_id, "username": name, "global_name": name.title(), "discriminator": "0",
            "avatar": None, "bot": bot, "public_flags": 0}


BOT_USER = user("1100000000000000001", "tutorbot", bot=True)


@dataclass
class Call:
    """One request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    files: list[tuple[str, str, bytes]]  # (filename, content type, bytes)
    at: float  # time.monotonic() on arrival
    status: int = 200


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeDiscord:
    """Run with ``async with FakeDiscord() as fake``; then point DiscordSettings at it."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.delays: list[tuple[str, re.Pattern[str], float]] = []
        self.messages: dict[str, dict[str, Any]] = {}  # every message the bot created
        self.identified = asyncio.Event()
        self.dispatched_at: dict[str, float] = {}  # interaction id -> monotonic send time
        self.acknowledged: set[str] = set()  # interactions with an initial response
        self.dms: dict[str, str] = {}  # user id -> the id of the bot's DM channel with them
        self._new_call = asyncio.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def env(self) -> dict[str, str]:
        """DISCORD_* settings pointing at this fake."""
        return {"DISCORD_TOKEN": "fake-token", "DISCORD_API_BASE": self.api_base,
                "DISCORD_GATEWAY_URL": self.gateway_url}

    # --- the gateway ------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250},
                                      "s": None, "t": None}))
        async for frame in ws:
            payload = json.loads(frame.data)
            if payload["op"] == 1:  # heartbeat
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif payload["op"] == 2:  # identify
                self.identify = payload["d"]
                await self.dispatch("READY", {
                    "v": 10, "user": BOT_USER, "guilds": [], "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": APP_ID, "flags": 0}})
                self.identified.set()
        return ws

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one DISPATCH frame (op 0) to the connected bot."""
        assert self._ws is not None, "no bot is connected to the gateway"
        self._seq += 1
        if event == "INTERACTION_CREATE":
            self.dispatched_at[data["id"]] = time.monotonic()
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    # --- REST -------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        call = await self._record(request)
        failure = next((f for f in self.failures
                        if f.method == call.method and f.pattern.search(call.path)), None)
        if failure is not None:
            self.failures.remove(failure)
            call.status, body, headers = failure.status, failure.body, failure.headers
        else:
            call.status, body = self._answer(call)
            headers = {}
        async with self._new_call:  # waiters see failed calls too
            self._new_call.notify_all()
        delay = next((d for d in self.delays if d[0] == call.method and d[1].search(call.path)),
                     None)
        if delay is not None:  # carried out at once, answered late (a slow network)
            self.delays.remove(delay)
            await asyncio.sleep(delay[2])
        if body is None:
            return web.Response(status=call.status)
        return _json(body, call.status, headers)

    async def _record(self, request: web.Request) -> Call:
        at = time.monotonic()
        body: Any = None
        files: list[tuple[str, str, bytes]] = []
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(data)
                else:
                    files.append((part.filename or "", part.headers.get("Content-Type", ""),
                                  bytes(data)))
        elif request.can_read_body:
            body = await request.json()
        path = request.path[len(API_PREFIX):]
        call = Call(request.method, path, dict(request.query), body, files, at)
        self.calls.append(call)
        return call

    def _answer(self, call: Call) -> tuple[int, Any]:
        path, method = call.path, call.method
        if path == "/users/@me":
            return 200, BOT_USER
        if path == "/oauth2/applications/@me":
            return 200, {"id": APP_ID, "name": "tutorbot", "icon": None, "description": "",
                         "bot_public": True, "bot_require_code_grant": False,
                         "verify_key": "0" * 64, "owner": user("1", "owner"), "flags": 0}
        if match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            if match[1] in self.acknowledged:  # one initial response per interaction
                return 400, {"message": "Interaction has already been acknowledged.",
                             "code": 40060}
            self.acknowledged.add(match[1])
            if call.query.get("with_response") not in ("1", "true"):
                return 204, None  # Discord's default answer: No Content
            kind = call.json["type"]
            flags = (call.json.get("data") or {}).get("flags", 0)
            return 200, {"interaction": {"id": match[1], "type": 2,
                                         "response_message_id": snowflake(),
                                         "response_message_loading": kind == 5,
                                         "response_message_ephemeral": bool(flags & 64)},
                         "resource": {"type": kind}}
        if re.fullmatch(r"/webhooks/\d+/[^/]+/messages/@original", path):
            if method == "DELETE":
                return 204, None
            return 200, self._message(call)
        if re.fullmatch(r"/webhooks/\d+/[^/]+", path) and method == "POST":
            return 200, self._message(call)
        if (match := re.fullmatch(r"/channels/(\d+)/messages", path)) and method == "POST":
            return 200, self._message(call, match[1])
        if (match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)) and method == "PATCH":
            message = self.messages.get(match[2])
            if message is None:
                return 404, {"message": "Unknown Message", "code": 10008}
            message.update({k: v for k, v in (call.json or {}).items()
                            if k in ("content", "components", "flags")})
            message["edited_timestamp"] = datetime.now(UTC).isoformat()
            return 200, message
        if path == "/users/@me/channels" and method == "POST":
            recipient = str(call.json["recipient_id"])
            channel_id = self.dms.setdefault(recipient, snowflake())
            return 200, {"id": channel_id, "type": 1, "recipients": [user(
                recipient, "learner")], "last_message_id": None}
        if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path) and method == "PUT":
            return 200, [dict(c, id=snowflake(), application_id=APP_ID, version=snowflake(),
                              default_member_permissions=c.get("default_member_permissions"))
                         for c in call.json]
        return 404, {"message": f"fake Discord has no {method} {path}", "code": 0}

    def _message(self, call: Call, channel_id: str = CHANNEL_ID) -> dict[str, Any]:
        body = call.json or {}
        message_id = snowflake()
        message = {
            "id": message_id, "channel_id": channel_id, "author": BOT_USER,
            "content": body.get("content") or "", "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "embeds": [], "pinned": False, "type": 0,
            "flags": body.get("flags", 0), "components": body.get("components") or [],
            "attachments": [{"id": snowflake(), "filename": name, "size": len(data),
                             "url": f"https://cdn.invalid/{name}", "proxy_url": "",
                             "content_type": kind} for name, kind, data in call.files],
        }
        self.messages[message_id] = message
        return message

    # --- helpers for tests ------------------------------------------------------------------

    def fail_next(self, method: str, pattern: str, status: int, body: dict[str, Any],
                  headers: dict[str, str] | None = None) -> None:
        """Answer the next matching request with ``status`` instead of success."""
        self.failures.append(Failure(method, re.compile(pattern), status, body, headers or {}))

    def delay_next(self, method: str, pattern: str, seconds: float) -> None:
        """Carry out the next matching request at once but answer it ``seconds`` later."""
        self.delays.append((method, re.compile(pattern), seconds))

    def find(self, method: str, pattern: str) -> list[Call]:
        """Successful calls matching ``method`` and the path regex, in arrival order."""
        return [c for c in self.calls
                if c.method == method and re.search(pattern, c.path) and c.status < 300]

    async def wait_for(self, method: str, pattern: str, count: int = 1,
                       timeout: float = 30.0) -> list[Call]:
        """Wait until ``count`` successful matching calls have arrived; return them all."""
        await self.wait_until(lambda: len(self.find(method, pattern)) >= count, timeout)
        return self.find(method, pattern)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Wait until ``condition()`` holds after some request."""
        async def waiting() -> None:
            async with self._new_call:
                await self._new_call.wait_for(condition)

        await asyncio.wait_for(waiting(), timeout)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py insists on exactly "application/json" (no charset)
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})
