"""The web chat: one page and a small JSON + server-sent-events API on aiohttp.

A command flows like in every adapter: the page posts the line, the server acknowledges at
once (202), hands it to the Tutor, and streams the answer's entry (progress first, then the
answer in its place) to every page of that browser session. The page renders every string
as text (a tiny markdown subset built with DOM nodes, never HTML), so nothing a learner or a
job writes can run as script; the Content-Security-Policy forbids inline script besides.

Every request passes the gate in ``guard.py`` (Host, Origin, CSRF, sizes, headers).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from aiohttp import web

from bot.errors import user_message
from bot.settings import WebSettings
from bot.syntax import present
from bot.web.catalog import catalog, sources
from bot.web.guard import SECURITY_HEADERS, Guard, is_loopback, refuse
from bot.web.outbox import IMAGE_PATH, Outbox, fill
from bot.web.page import Assets
from bot.web.sessions import (
    PLATFORM,
    Entry,
    Pictures,
    RateLimit,
    Session,
    Sessions,
    local_learner,
    named_learner,
    same_secret,
)
from engine.domain.errors import TutorError
from engine.domain.records import ChannelRef
from engine.domain.replies import Reply
from engine.services.tutor import Tutor

log = logging.getLogger(__name__)

ASK = "ask"  # the command that answers a question asked in plain words
CHANNEL = "general"  # the web chat is one channel per workspace; daily quizzes post there
COOKIE = "tutorbot_session"
LINE_MAX = 5000  # characters of one typed line (the longest command text is 4 000)
HEARTBEAT = 15.0  # s between keep-alive comments on an idle event stream
CATALOG_TTL = 60.0  # s the completion catalog is reused (topics change when content loads)
LOGINS_PER_MINUTE = 10  # sign-in attempts per address: a token cannot be guessed by trying


def command_line(line: str, commands: Mapping[str, Any]) -> str:
    """What a typed line runs: ``/cmd …`` as it is; plain words are a question for ``/ask``
    once the table has it (until then the Tutor explains that commands start with ``/``)."""
    text = line.strip()
    if text.startswith("/") or ASK not in commands:
        return text
    return f"/{ASK} {text}"


class WebChat:
    """The adapter: sessions, the page, the API, and the scheduler's poster."""

    def __init__(self, tutor: Tutor, settings: WebSettings, *, host: str | None = None) -> None:
        self.tutor = tutor
        self.settings = settings
        self.sessions = Sessions(settings.max_sessions, settings.history)
        self.pictures = Pictures(settings.image_memory_mb * 2**20)
        self.rate = RateLimit(settings.rate_per_minute, settings.rate_burst)
        self.logins = RateLimit(LOGINS_PER_MINUTE, LOGINS_PER_MINUTE)
        self.local = None if settings.token else local_learner()
        bind = host if host is not None else settings.host
        self.loopback_only = is_loopback(bind)  # then only loopback Host names are served
        self.assets = Assets()
        self.tasks: set[asyncio.Task] = set()
        self.posted = 0
        self._catalogs: dict[bool, tuple[float, bytes]] = {}

    # --- the aiohttp application ----------------------------------------------------------

    def app(self) -> web.Application:
        guard = Guard(loopback_only=self.loopback_only,
                      max_bytes=self.settings.max_request_bytes, csrf_of=self._csrf_of)
        app = web.Application(client_max_size=self.settings.max_request_bytes,
                              middlewares=[guard.middleware])
        app.router.add_get("/", self.page)
        app.router.add_get("/cohort", self.page)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/favicon.ico", self.favicon)
        app.router.add_get(IMAGE_PATH + "{token}/{name}", self.image)
        app.router.add_get("/api/events", self.events)
        app.router.add_get("/api/catalog", self.catalog)
        app.router.add_post("/api/send", self.send)
        app.router.add_post("/api/press", self.press)
        app.router.add_post("/api/cohort", self.cohort)
        app.router.add_post("/api/login", self.login)
        app.router.add_post("/api/logout", self.logout)
        app.on_shutdown.append(self._shutdown)
        return app

    # --- sessions -------------------------------------------------------------------------

    def _session(self, request: web.Request) -> Session | None:
        return self.sessions.get(request.cookies.get(COOKIE))

    def _csrf_of(self, request: web.Request) -> str | None:
        session = self._session(request)
        return None if session is None else session.csrf

    def _signed_in(self, request: web.Request) -> Session:
        session = self._session(request)
        if session is None or session.learner is None:
            raise refuse(401, "Sign in first: reload the page.")
        return session

    def _new_session(self) -> Session:
        admin = self.local is not None  # the person at the keyboard is the facilitator
        return self.sessions.new(self.local, admin)

    def _set_cookie(self, response: web.StreamResponse, session: Session) -> None:
        response.set_cookie(COOKIE, session.id, httponly=True, samesite="Strict", path="/")

    def _pace(self, session: Session) -> None:
        """The per-learner rate limit (every page, tab and browser of a learner together)."""
        assert session.learner is not None
        wait = self.rate.take(session.learner.key)
        if wait:
            raise refuse(429, f"You're sending faster than {self.settings.rate_per_minute} "
                              f"a minute; wait {max(1, round(wait))} s and try again.")

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except web.HTTPRequestEntityTooLarge:
            raise refuse(413, "That request is too large; the most accepted is "
                              f"{self.settings.max_request_bytes:,} bytes.") from None
        except (ValueError, UnicodeDecodeError):
            raise refuse(400, "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise refuse(400, "The request body must be a JSON object.")
        return body

    # --- the page ---------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        session = self._session(request)
        if session is None:
            session = self._new_session()
        learner = session.learner
        text = self.assets.render(
            csrf=session.csrf, mode="local" if self.local else "token",
            name=(learner.display_name or learner.user_id) if learner else "",
            admin="1" if session.admin else "", signed=learner is not None,
            transcript=session.transcript())
        response = web.Response(text=text, content_type="text/html",
                                headers={"Cache-Control": "no-store"})
        self._set_cookie(response, session)
        return response

    async def static(self, request: web.Request) -> web.Response:
        found = self.assets.files.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        data, mime = found
        return web.Response(body=data, content_type=mime, charset="utf-8",
                            headers={"Cache-Control": "public, max-age=31536000, immutable"})

    async def favicon(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def image(self, request: web.Request) -> web.Response:
        """A picture, for its learner only; anyone else (or a guess) gets 404."""
        session = self._session(request)
        image = None
        if session is not None and session.learner is not None:
            image = self.pictures.get(session.learner, request.match_info["token"])
        if image is None:
            raise refuse(404, "No such picture (it may have expired: run the command again).")
        return web.Response(body=image.data, content_type=image.mime, headers={
            "Cache-Control": "private, max-age=86400, immutable",
            "Content-Disposition": f'inline; filename="{image.name}"'})

    async def catalog(self, request: web.Request) -> web.Response:
        session = self._signed_in(request)
        now = asyncio.get_running_loop().time()
        cached = self._catalogs.get(session.admin)
        if cached is None or now - cached[0] > CATALOG_TTL:
            commands = self.tutor.commands
            known = {source: await self.tutor.suggestions(source)
                     for source in sources(commands)}
            body = json.dumps(catalog(commands, known, admin=session.admin)).encode()
            self._catalogs[session.admin] = cached = (now, body)
        return web.Response(body=cached[1], content_type="application/json",
                            headers={"Cache-Control": "no-cache"})

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: the whole transcript first, then every entry as it changes."""
        session = self._signed_in(request)
        try:
            queue = session.listen()
        except TutorError as err:
            raise refuse(429, err.user_message) from None
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-cache",
                                               "X-Accel-Buffering": "no"})
        response.headers.update(SECURITY_HEADERS)
        await response.prepare(request)
        try:
            await _event(response, "hello", {"entries": session.transcript()})
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), HEARTBEAT)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if item is None:
                    break
                await _event(response, "entry", item)
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            session.listeners.discard(queue)
        return response

    # --- commands and buttons -----------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        """A typed line: acknowledged at once; the answer arrives on the event stream."""
        session = self._signed_in(request)
        body = await self._body(request)
        line, request_id = body.get("line"), str(body.get("request") or "")[:64]
        if not isinstance(line, str) or not line.strip():
            raise refuse(400, "Type a command, for example /tokenize My name is Pawel, "
                              "or /help.")
        if len(line) > LINE_MAX:
            raise refuse(413, f"That line is {len(line):,} characters long; the most is "
                              f"{LINE_MAX:,}. Send a shorter piece.")
        if request_id and request_id in session.requests:  # a double click, a retry
            return web.json_response({"id": session.requests[request_id]}, status=202)
        self._pace(session)
        session.add("you", text=line.strip())
        entry = session.add("tutor", state="working")
        if request_id:
            session.remember(request_id, entry.id)
        run = partial(self.tutor.handle, session.learner,
                      command_line(line, self.tutor.commands))
        self._start(session, entry, line.strip()[:80], run)
        return web.json_response({"id": entry.id}, status=202)

    async def press(self, request: web.Request) -> web.Response:
        """A button of an entry this session was shown, by its position."""
        session = self._signed_in(request)
        body = await self._body(request)
        entry = session.entries.get(body.get("entry")) if isinstance(
            body.get("entry"), int) else None
        index = body.get("button")
        if entry is None:
            raise refuse(404, "That message is no longer here; type the command again.")
        if not isinstance(index, int) or not 0 <= index < len(entry.actions):
            raise refuse(400, "That button does not exist.")
        self._pace(session)
        entry.pressed = index
        session.publish(entry)
        label = entry.buttons[index]["label"]
        session.add("press", text=label)
        answer = session.add("tutor", state="working")
        run = partial(self.tutor.press, session.learner, entry.actions[index])
        self._start(session, answer, f"button {label!r}", run)
        return web.json_response({"id": answer.id}, status=202)

    def _start(self, session: Session, entry: Entry, what: str,
               use_case: Callable[..., Awaitable[Reply]]) -> None:
        task = asyncio.create_task(self._answer(session, entry, what, use_case),
                                   name=f"web-answer-{entry.id}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, session: Session, entry: Entry, what: str,
                      use_case: Callable[..., Awaitable[Reply]]) -> None:
        outbox = Outbox(session, entry, self.pictures, what)
        try:
            reply = await use_case(on_progress=outbox.progress.report,
                                   request_key=f"web:{secrets.token_hex(16)}",
                                   admin=session.admin, channel=CHANNEL)
        except asyncio.CancelledError:
            await outbox.fail("Stopped: tutorbot is shutting down.")
            raise
        except Exception as err:  # a bug gets an apology with an id, never a traceback
            await outbox.fail(user_message(err, repr(what), log))
            return
        await outbox.deliver(reply)

    async def cohort(self, request: web.Request) -> web.Response:
        """The facilitator view: the group's picture and digest (not kept in the chat)."""
        session = self._signed_in(request)
        if not session.admin:
            raise refuse(403, "The cohort view is for facilitators (sign in with the "
                              "facilitator token).")
        body = await self._body(request)
        self._pace(session)
        entry = Entry(0, "tutor")
        try:
            run = self.tutor.commands.build("cohort", {"days": body.get("days", 7)})
            reply = await self.tutor.run(session.learner, run, admin=True, channel=CHANNEL)
        except Exception as err:
            raise refuse(400, present(user_message(err, "the cohort view", log))) from None
        fill(entry, reply, self.pictures, session.learner)
        return web.json_response(entry.public())

    # --- identity ---------------------------------------------------------------------------

    async def login(self, request: web.Request) -> web.Response:
        """Token and name -> a signed-in session (a fresh cookie and CSRF token)."""
        if self.local is not None:
            raise refuse(400, "No sign-in here: this tutorbot has one local learner.")
        if self.logins.take(request.remote or "?"):
            raise refuse(429, "Too many sign-in attempts; wait a minute and try again.")
        body = await self._body(request)
        token, name = body.get("token"), body.get("name")
        if not isinstance(token, str) or not isinstance(name, str):
            raise refuse(400, "Give the workshop token and your name.")
        admin_token = self.settings.admin_token
        admin = admin_token is not None and same_secret(token, admin_token.get_secret_value())
        assert self.settings.token is not None
        if not admin and not same_secret(token, self.settings.token.get_secret_value()):
            raise refuse(403, "That token is not right. Ask the facilitator for the "
                              "workshop token.")
        try:
            learner = named_learner(name)
        except TutorError as err:
            raise refuse(400, present(err.user_message)) from None
        old = self._session(request)
        if old is not None:
            self.sessions.drop(old)
        session = self.sessions.new(learner, admin)
        response = web.json_response({"name": learner.display_name, "admin": admin})
        self._set_cookie(response, session)
        return response

    async def logout(self, request: web.Request) -> web.Response:
        session = self._session(request)
        if session is not None:
            self.sessions.drop(session)
        response = web.json_response({})
        response.del_cookie(COOKIE, path="/")
        return response

    # --- the scheduler's poster -----------------------------------------------------------

    async def post(self, channel: ChannelRef, reply: Reply) -> str:
        """Post a daily quiz, reveal, reminder or digest: a channel post reaches every
        session of that workspace, a direct message (``@user``) that learner's sessions."""
        self.posted += 1
        for session in self.sessions:
            learner = session.learner
            if learner is None or channel.platform != PLATFORM or \
                    learner.workspace != channel.workspace:
                continue
            if channel.channel.startswith("@") and channel.channel[1:] != learner.user_id:
                continue
            entry = Entry(0, "post")
            fill(entry, reply, self.pictures, learner)
            session.add("post", **{k: v for k, v in vars(entry).items()
                                   if k not in ("id", "who")})
        return f"web-{self.posted}"

    async def _shutdown(self, app: web.Application) -> None:
        """End the event streams (pages reconnect later) and the answers under way."""
        for session in self.sessions:
            session.close_listeners()
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=5)


async def _event(response: web.StreamResponse, name: str, data: Any) -> None:
    payload = json.dumps(data, ensure_ascii=False)
    await response.write(f"event: {name}\ndata: {payload}\n\n".encode())
