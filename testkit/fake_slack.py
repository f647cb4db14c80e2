"""A fake Slack on loopback: the Web API, file uploads, response_urls and a Socket Mode
websocket, answering like Slack does and recording every call in arrival order."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER = "UBOT"
TEAM = "T1"


@dataclass
class Call:
    method: str  # "chat.postMessage", "upload", "response", ...
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    ok: bool = True  # Slack's "ok" in the answer
    answer: dict[str, Any] = field(default_factory=dict)
    data: bytes = b""


OAUTH_CODE = "install-code-3"  # what Slack's consent page would redirect back with
INSTALLED_TEAM, INSTALLED_TOKEN = "T3", "xoxb-team-three"


class FakeSlack:
    """``await FakeSlack().start()``; ``api_url`` goes into SLACK_API_URL."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.not_member: set[str] = set()  # channels the bot is not in
        self.admins: set[str] = set()
        self.revoked: set[str] = set()  # bot tokens Slack no longer accepts
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.socket_acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._ws: web.WebSocketResponse | None = None
        self._ws_ready = asyncio.Event()
        self._ids = itertools.count(1)
        self.files: dict[str, dict[str, Any]] = {}  # uploaded files by id (not deleted)
        self._runner: web.AppRunner | None = None
        self.base = ""

    # --- control --------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.add_routes([web.post("/api/{method}", self._api), web.get("/api/{method}", self._api),
                        web.post("/upload/{file_id}", self._upload),
                        web.post("/response/{rid}", self._response),
                        web.get("/link", self._link)])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, rid: str = "r1") -> str:
        return f"{self.base}/response/{rid}"

    def fail_next(self, method: str, status: int, headers: dict[str, str] | None = None,
                  times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with an HTTP error."""
        self.failures.setdefault(method, []).extend([(status, headers or {})] * times)

    @staticmethod
    def blocks(call: Call) -> list[dict[str, Any]]:
        """A call's Block Kit blocks (sent as JSON, or as a JSON string in a form)."""
        blocks = call.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    def pictures(self) -> list[Call]:
        """Messages posted or updated with a picture in them (image blocks): answers."""
        return [c for c in self.named("chat.postMessage", "chat.update")
                if any(b.get("type") == "image" for b in self.blocks(c))]

    def named(self, *methods: str, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method in methods and (c.ok or not ok_only)]

    async def wait_for(self, predicate, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.02)

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        await asyncio.wait_for(self._ws_ready.wait(), 10)
        assert self._ws is not None
        await self._ws.send_str(json.dumps(envelope))

    # --- the Web API ----------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(dict(await request.post()))
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, await self._params(request), dict(request.headers))
        self.calls.append(call)
        pending = self.failures.get(method)
        if pending:
            call.status, headers = pending.pop(0)
            call.ok = False
            return web.json_response({"ok": False, "error": "ratelimited"}, status=call.status,
                                     headers=headers)
        token = call.headers.get("Authorization", "").removeprefix("Bearer ")
        answer = ({"ok": False, "error": "token_revoked"} if token in self.revoked
                  else self._answer(method, call.params))
        call.ok, call.answer = answer["ok"], answer
        return web.json_response(answer)

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        channel = p.get("channel") or p.get("channel_id")
        if channel in self.not_member and method in (
                "chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"):
            return {"ok": False, "error": "not_in_channel"}
        ts = f"{int(time.time())}.{next(self._ids):06d}"
        if method in ("chat.postMessage", "chat.update", "views.publish"):
            unknown = self._unknown_files(p)
            if unknown:  # Slack: an image block's slack_file must be a file the bot can see
                return {"ok": False, "error": "invalid_blocks",
                        "errors": [f"unknown slack_file {unknown}"]}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "user": "tutorbot", "bot_id": "BBOT",
                    "team_id": TEAM, "team": "Team", "url": "https://team.example/"}
        if method in ("chat.postMessage", "chat.update"):
            return {"ok": True, "channel": channel, "ts": p.get("ts") or ts,
                    "message": {"text": p.get("text"), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):05d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(p["files"])
            for f in files:  # shared into channel_id, or private to the bot without one
                self.files[f["id"]] = {"title": f.get("title"), "channel": channel}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "files.delete":
            if self.files.pop(p.get("file"), None) is None:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True}
        if method == "chat.delete":
            return {"ok": True, "channel": channel, "ts": p.get("ts")}
        if method == "views.publish":
            view = p["view"] if isinstance(p["view"], dict) else json.loads(p["view"])
            return {"ok": True, "view": {"id": f"V{next(self._ids):05d}", **view}}
        if method == "users.info":
            user = p["user"]
            return {"ok": True, "user": {"id": user, "name": user.lower(),
                                         "is_admin": user in self.admins, "is_owner": False}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + p["users"]}}
        if method == "oauth.v2.access":  # an install: the code Slack's page handed over
            if p.get("code") != OAUTH_CODE:
                return {"ok": False, "error": "invalid_code"}
            return {"ok": True, "app_id": "A1", "authed_user": {"id": "UINSTALLER3"},
                    "scope": "commands,chat:write,files:write", "token_type": "bot",
                    "access_token": INSTALLED_TOKEN, "bot_user_id": "UBOT3",
                    "team": {"id": INSTALLED_TEAM, "name": "Team Three"}, "enterprise": None,
                    "is_enterprise_install": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.base.replace("http", "ws") + "/link"}
        return {"ok": False, "error": "unknown_method"}

    def _unknown_files(self, p: dict[str, Any]) -> str | None:
        """The first slack_file id in a message's or view's blocks that was never uploaded."""
        blocks = p.get("blocks")
        if "view" in p:
            view = p["view"] if isinstance(p["view"], dict) else json.loads(p["view"])
            blocks = view.get("blocks")
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
        for block in blocks:
            file_id = (block.get("slack_file") or {}).get("id")
            if block.get("type") == "image" and file_id and file_id not in self.files:
                return file_id
        return None

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"]},
                               dict(request.headers), data=data))
        return web.Response(text=f"OK - {len(data)}")

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("response", {**body, "_rid": request.match_info["rid"]},
                               dict(request.headers)))
        return web.Response(text="ok")

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        self._ws_ready.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await self.socket_acks.put(json.loads(message.data))
        return ws
