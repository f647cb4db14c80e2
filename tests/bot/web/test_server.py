"""The web chat over real HTTP on loopback (aiohttp's client, no browser): the API, the event
stream, and every security limit — Host, Origin, CSRF, content type, sizes, rate, sign-in,
picture scoping. The Tutor is real; its jobs run in a thread (tests/engine/executors.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar
from pydantic import ValidationError

from bot.errors import SetupError
from bot.settings import WebSettings, describe_errors
from bot.web.outbox import Outbox
from bot.web.run import check_bind
from bot.web.server import LINE_MAX, command_line
from engine.commands.parsing import CommandTable
from engine.domain.records import ChannelRef
from engine.domain.replies import Button, Image, Progress, Reply
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from tests.bot.web.conftest import (
    ADMIN_TOKEN,
    TOKEN,
    open_page,
    post_headers,
    serving,
    web_settings,
)
from tests.engine.executors import ThreadExecutor

ROOT = Path(__file__).resolve().parents[3]
WAIT = 30.0


@pytest.fixture
def sqlite_store(tmp_path) -> SqlStore:
    from bot import migrate

    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(url)
    store = SqlStore(make_engine(url))
    yield store
    store.engine.dispose()


@pytest.fixture
def tutor(sqlite_store) -> Tutor:
    return Tutor(sqlite_store, ThreadExecutor())


class Stream:
    """The page's event stream, read in the background: ``next()`` is the next event."""

    def __init__(self, http: ClientSession, base: str) -> None:
        self.queue: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()
        self.task = asyncio.create_task(self._read(http, base))

    async def _read(self, http: ClientSession, base: str) -> None:
        async with http.get(base + "/api/events") as res:
            assert res.status == 200, await res.text()
            assert res.content_type == "text/event-stream"
            name = None
            async for raw in res.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.queue.put_nowait((name, json.loads(line[6:])))

    async def next(self) -> tuple[str, dict]:
        getting = asyncio.ensure_future(self.queue.get())
        done, _ = await asyncio.wait({getting, self.task}, timeout=WAIT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if getting in done:
            return getting.result()
        getting.cancel()
        if self.task in done:
            self.task.result()  # the stream failed: its error
            raise AssertionError("the event stream ended")
        raise TimeoutError(f"no event within {WAIT} s")

    async def answer(self, entry_id: int) -> dict:
        """Events until entry ``entry_id`` is no longer working; that entry."""
        while True:
            name, data = await self.next()
            if name == "entry" and data["id"] == entry_id and data["state"] != "working":
                return data

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@contextlib.asynccontextmanager
async def client(base: str) -> AsyncIterator[tuple[ClientSession, str]]:
    """A browser stand-in: its own cookie jar (a browser session) and the page's CSRF token."""
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:  # cookies for an IP
        yield http, await open_page(http, base)


async def post(http: ClientSession, base: str, csrf: str, path: str, body: dict,
               **headers: str):
    hdrs = {**post_headers(base, csrf), **headers}
    async with http.post(base + path, json=body, headers=hdrs) as res:
        return res.status, await res.json()


# --- end to end ------------------------------------------------------------------------------

async def test_a_command_is_acknowledged_then_answered_on_the_stream(store):
    """On SQLite and Postgres: /tokenize posted, acknowledged (202), its entry streamed,
    its picture served, its run recorded once."""
    tutor = Tutor(store, ThreadExecutor())
    async with serving(tutor, web_settings()) as (base, chat), client(base) as (http, csrf):
        stream = Stream(http, base)
        assert await stream.next() == ("hello", {"entries": []})
        status, body = await post(http, base, csrf, "/api/send",
                                  {"line": "/tokenize My name is Pawel", "request": "r1"})
        assert status == 202
        name, you = await stream.next()
        assert (name, you["who"], you["text"]) == ("entry", "you", "/tokenize My name is Pawel")
        answer = await stream.answer(body["id"])
        assert answer["state"] == "done" and "5 tokens" in answer["text"]
        (image,) = answer["images"]
        async with http.get(base + image["url"]) as res:
            assert res.status == 200 and res.content_type == "image/png"
            assert (await res.read()).startswith(b"\x89PNG")
        # the same request id again (a double click, a retry) runs nothing new
        again = await post(http, base, csrf, "/api/send",
                           {"line": "/tokenize My name is Pawel", "request": "r1"})
        assert again == (202, {"id": body["id"]})
        await stream.close()
        (session,) = list(chat.sessions)
        assert [r.canonical for r in store.learners.runs(session.learner)] == [
            "/tokenize My name is Pawel"]
        assert session.learner.platform == "web" and session.admin  # the local learner


async def test_bad_input_is_answered_with_the_reason_and_the_page_keeps_working(tutor):
    async with serving(tutor, web_settings()) as (base, _), client(base) as (http, csrf):
        stream = Stream(http, base)
        await stream.next()
        _, body = await post(http, base, csrf, "/api/send", {"line": "/frobnicate"})
        answer = await stream.answer(body["id"])
        assert answer["state"] == "failed"
        assert "There is no command `/frobnicate`" in answer["text"]
        assert "Traceback" not in answer["text"]
        for bad, message in (({"line": "   "}, "Type a command"),
                             ({"line": 42}, "Type a command"),
                             ({"line": "/tokenize " + "x" * LINE_MAX}, "the most is 5,000")):
            status, reply = await post(http, base, csrf, "/api/send", bad)
            assert status in (400, 413) and message in reply["error"], (bad, reply)
        await stream.close()


async def test_plain_words_are_a_question_for_ask_when_the_table_has_it(sqlite_store):
    """A line without a leading / goes to /ask when the Tutor's table has it (tutorbot's does);
    a table without it gets how commands look, exactly as in the console."""
    async def ask(learner, request, ctx) -> Reply:  # stands in for retrieval: the adapter is tested
        return Reply(f"You asked: {request.text}")

    asking = Tutor(sqlite_store, ThreadExecutor(), extra_handlers={"ask": ask})
    plain = Tutor(sqlite_store, ThreadExecutor(),
                  commands=CommandTable(c for c in asking.commands.values() if c.name != "ask"))
    assert command_line("  /help  ", asking.commands) == "/help"
    answers = []
    for tutor in (plain, asking):
        async with serving(tutor, web_settings()) as (base, _), client(base) as (http, csrf):
            stream = Stream(http, base)
            await stream.next()
            _, body = await post(http, base, csrf, "/api/send", {"line": "what is attention?"})
            answers.append(await stream.answer(body["id"]))
            await stream.close()
    assert "ask" in asking.commands and "ask" not in plain.commands
    assert "Commands start with `/`" in answers[0]["text"]
    assert answers[1]["text"] == "You asked: what is attention?"


async def test_buttons_are_pressed_by_position_of_an_entry_this_session_was_shown(tutor):
    async with serving(tutor, web_settings()) as (base, _), client(base) as (http, csrf):
        stream = Stream(http, base)
        await stream.next()
        _, body = await post(http, base, csrf, "/api/send", {"line": "/quiz"})
        question = await stream.answer(body["id"])
        assert len(question["buttons"]) >= 2 and "actions" not in question  # ids stay here
        status, pressed = await post(http, base, csrf, "/api/press",
                                     {"entry": question["id"], "button": 0})
        assert status == 202
        verdict = await stream.answer(pressed["id"])
        assert "Right!" in verdict["text"] or "Not quite." in verdict["text"]
        for bad, code, message in (({"entry": 999, "button": 0}, 404, "no longer here"),
                                   ({"entry": question["id"], "button": 9}, 400, "does not"),
                                   ({"entry": "1", "button": 0}, 404, "no longer here")):
            status, reply = await post(http, base, csrf, "/api/press", bad)
            assert status == code and message in reply["error"], (bad, reply)
        await stream.close()


async def test_live_progress_replaces_itself_then_the_answer_takes_its_place(tutor):
    """A job's progress reports (with a preview picture) update one entry; the answer
    replaces them, and the preview picture is forgotten."""
    async with serving(tutor, web_settings()) as (base, chat), client(base) as (http, csrf):
        (session,) = list(chat.sessions)
        entry = session.add("tutor", state="working")
        stream = Stream(http, base)
        await stream.next()
        outbox = Outbox(session, entry, chat.pictures, "/train-demo")
        preview = Image("p.png", b"\x89PNG-preview", alt="preview")
        await outbox.progress.report(Progress("epoch 1/10", 0.1, image=preview))
        _, shown = await stream.next()
        assert shown["progress"]["text"] == "epoch 1/10" and shown["progress"]["fraction"] == 0.1
        preview_url = shown["progress"]["image"]["url"]
        async with http.get(base + preview_url) as res:
            assert res.status == 200
        await outbox.deliver(Reply("done", images=(Image("a.png", b"\x89PNG-final", "a"),),
                                   buttons=(Button("run:/help", "Help"),)))
        done = await stream.answer(entry.id)
        assert done["progress"] is None and done["text"] == "done" and done["state"] == "done"
        assert done["buttons"] == [{"label": "Help", "style": "default"}]
        async with http.get(base + preview_url) as res:
            assert res.status == 404  # the preview went with the progress
        await stream.close()


# --- security limits ------------------------------------------------------------------------

async def test_every_answer_carries_the_security_headers(tutor):
    async with serving(tutor, web_settings()) as (base, _), ClientSession() as http:
        for path in ("/", "/api/catalog", "/nowhere"):
            async with http.get(base + path) as res:
                assert "script-src 'self'" in res.headers["Content-Security-Policy"]
                assert "'unsafe-inline'" not in res.headers["Content-Security-Policy"]
                assert res.headers["X-Content-Type-Options"] == "nosniff"
                assert res.headers["X-Frame-Options"] == "DENY"
            cookie = res.cookies.get("tutorbot_session")
            if path == "/":
                assert cookie["httponly"] and cookie["samesite"] == "Strict"


async def test_posts_from_anywhere_but_the_page_are_refused_and_run_nothing(tutor):
    async with serving(tutor, web_settings()) as (base, chat), client(base) as (http, csrf):
        line = {"line": "/tokenize stolen"}
        cases = [
            ({"X-CSRF-Token": csrf}, 403, "from the tutorbot page"),  # no Origin
            ({"Origin": "http://evil.example", "X-CSRF-Token": csrf}, 403, "tutorbot page"),
            ({"Origin": base, "X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}, 403,
             "tutorbot page"),
            ({"Origin": base}, 403, "reload it"),  # no CSRF token
            ({"Origin": base, "X-CSRF-Token": "guess"}, 403, "reload it"),
        ]
        for headers, code, message in cases:
            async with http.post(base + "/api/send", json=line, headers=headers) as res:
                assert res.status == code and message in (await res.json())["error"], headers
        # a plain HTML form cannot post JSON
        async with http.post(base + "/api/send", data={"line": "/tokenize x"},
                             headers=post_headers(base, csrf)) as res:
            assert res.status == 415
        # another browser session's CSRF token is not this one's
        async with client(base) as (_, other_csrf):
            status, reply = await post(http, base, other_csrf, "/api/send", line)
            assert status == 403
        assert all(not s.entries for s in chat.sessions)  # nothing ran


async def test_a_foreign_host_name_is_refused_on_a_loopback_bind(tutor):
    """DNS rebinding: evil.example resolving to 127.0.0.1 must not reach the page."""
    async with serving(tutor, web_settings()) as (base, _), ClientSession() as http:
        async with http.get(base + "/", headers={"Host": "evil.example"}) as res:
            assert res.status == 421 and "localhost" in (await res.json())["error"]
        async with http.get(base + "/", headers={"Host": "localhost:1234"}) as res:
            assert res.status == 200


async def test_request_size_is_limited(tutor):
    settings = web_settings(max_request_bytes=2048)
    async with serving(tutor, settings) as (base, _), client(base) as (http, csrf):
        big = json.dumps({"line": "/tokenize " + "x" * 4000})
        async with http.post(base + "/api/send", data=big, headers={
                **post_headers(base, csrf), "Content-Type": "application/json"}) as res:
            assert res.status == 413
            assert "the most accepted is 2,048" in (await res.json())["error"]


async def test_each_learner_is_rate_limited_with_a_clear_message(tutor):
    settings = web_settings(rate_burst=3, rate_per_minute=2)
    async with serving(tutor, settings) as (base, _), client(base) as (http, csrf):
        statuses = []
        for _ in range(4):
            status, reply = await post(http, base, csrf, "/api/send", {"line": "/help"})
            statuses.append(status)
        assert statuses == [202, 202, 202, 429]
        assert "faster than 2 a minute; wait 30 s" in reply["error"]
        async with client(base) as (other, other_csrf):  # the same (local) learner
            status, _ = await post(other, base, other_csrf, "/api/send", {"line": "/help"})
            assert status == 429


async def test_sign_in_with_the_token_and_a_name(tutor):
    settings = web_settings(token=TOKEN, admin_token=ADMIN_TOKEN)
    async with serving(tutor, settings) as (base, chat), client(base) as (http, csrf):
        async with http.get(base + "/api/events") as res:
            assert res.status == 401  # nothing before signing in
        status, reply = await post(http, base, csrf, "/api/send", {"line": "/help"})
        assert status == 401
        status, reply = await post(http, base, csrf, "/api/login",
                                   {"token": TOKEN[:-1] + "X", "name": "Ada"})
        assert status == 403 and "That token is not right" in reply["error"]
        status, reply = await post(http, base, csrf, "/api/login",
                                   {"token": TOKEN, "name": "<script>"})
        assert status == 400 and "letters, digits" in reply["error"]
        status, reply = await post(http, base, csrf, "/api/login",
                                   {"token": TOKEN, "name": "  Ada   Lovelace "})
        assert (status, reply) == (200, {"name": "Ada Lovelace", "admin": False})
        # signing in gives a new session: the old CSRF token is void
        status, _ = await post(http, base, csrf, "/api/send", {"line": "/help"})
        assert status == 403
        csrf = await open_page(http, base)
        assert (await post(http, base, csrf, "/api/send", {"line": "/help"}))[0] == 202
        learners = {s.learner for s in chat.sessions if s.learner}
        assert {(who.workspace, who.user_id, who.display_name) for who in learners} == {
            ("workshop", "ada-lovelace", "Ada Lovelace")}
        status, reply = await post(http, base, csrf, "/api/cohort", {"days": 7})
        assert status == 403 and "facilitators" in reply["error"]


async def test_sign_in_attempts_are_limited(tutor):
    settings = web_settings(token=TOKEN)
    async with serving(tutor, settings) as (base, _), client(base) as (http, csrf):
        codes = [(await post(http, base, csrf, "/api/login",
                             {"token": f"guess-{i}-xxxxxxxx", "name": "Eve"}))[0]
                 for i in range(11)]
        assert codes == [403] * 10 + [429]
        status, _ = await post(http, base, csrf, "/api/login", {"token": TOKEN, "name": "Eve"})
        assert status == 429  # even the right token waits: guessing cannot go faster


async def test_pictures_are_served_to_their_learner_only(tutor):
    settings = web_settings(token=TOKEN, admin_token=ADMIN_TOKEN)
    async with serving(tutor, settings) as (base, chat), client(base) as (ada, ada_csrf), \
            client(base) as (bob, bob_csrf):
        for http, csrf, name in ((ada, ada_csrf, "Ada"), (bob, bob_csrf, "Bob")):
            assert (await post(http, base, csrf, "/api/login",
                               {"token": TOKEN, "name": name}))[0] == 200
        ada_csrf = await open_page(ada, base)
        stream = Stream(ada, base)
        await stream.next()
        _, body = await post(ada, base, ada_csrf, "/api/send",
                             {"line": "/tokenize My name is Pawel"})
        url = base + (await stream.answer(body["id"]))["images"][0]["url"]
        await stream.close()
        async with ada.get(url) as res:
            assert res.status == 200
        async with bob.get(url) as res:
            assert res.status == 404  # the URL leaked to Bob: still nothing
        async with ClientSession() as anonymous, anonymous.get(url) as res:
            assert res.status == 404
        token = url.split("/img/")[1].split("/")[0]
        async with ada.get(url.replace(token, token[:-2] + "AA")) as res:
            assert res.status == 404
        assert len(token) >= 32  # 24 random bytes


async def test_the_facilitator_gets_the_cohort_view(tutor):
    settings = web_settings(token=TOKEN, admin_token=ADMIN_TOKEN)
    async with serving(tutor, settings) as (base, _), client(base) as (http, csrf):
        status, reply = await post(http, base, csrf, "/api/login",
                                   {"token": ADMIN_TOKEN, "name": "Grace"})
        assert reply == {"name": "Grace", "admin": True}
        csrf = await open_page(http, base)
        status, view = await post(http, base, csrf, "/api/cohort", {"days": 14})
        assert status == 200 and "Weekly digest" in view["text"]
        assert view["images"] and view["images"][0]["mime"] == "image/png"
        status, reply = await post(http, base, csrf, "/api/cohort", {"days": 99})
        assert status == 400 and "`days` must be" in reply["error"]


async def test_daily_posts_reach_the_workspace_and_direct_messages_their_learner(tutor):
    settings = web_settings(token=TOKEN)
    async with serving(tutor, settings) as (base, chat), client(base) as (ada, ada_csrf), \
            client(base) as (bob, bob_csrf):
        for http, csrf, name in ((ada, ada_csrf, "Ada"), (bob, bob_csrf, "Bob")):
            await post(http, base, csrf, "/api/login", {"token": TOKEN, "name": name})
        await chat.post(ChannelRef("web", "workshop", "general"),
                        Reply("**Daily quiz**", buttons=(Button("quiz:1:0", "A"),)))
        await chat.post(ChannelRef("web", "workshop", "@ada"), Reply("Reviews are due"))
        await chat.post(ChannelRef("slack", "T1", "C1"), Reply("not ours"))
        seen = {s.learner.user_id: [e.text for e in s.entries.values()]
                for s in chat.sessions if s.learner}
        assert seen == {"ada": ["**Daily quiz**", "Reviews are due"],
                        "bob": ["**Daily quiz**"]}


# --- starting it ------------------------------------------------------------------------------

def test_a_non_loopback_bind_needs_a_token():
    check_bind("127.0.0.1", web_settings())
    check_bind("::1", web_settings())
    check_bind("localhost", web_settings())
    check_bind("0.0.0.0", web_settings(token=TOKEN))
    for host in ("0.0.0.0", "192.168.1.20", "::", "tutor.example"):
        with pytest.raises(SetupError, match="Set TUTORBOT_WEB_TOKEN"):
            check_bind(host, web_settings())


def test_token_settings_are_checked_and_never_echoed():
    for values, message in (({"token": "short"}, "at least 12 characters"),
                            ({"admin_token": ADMIN_TOKEN}, "needs TUTORBOT_WEB_TOKEN"),
                            ({"token": TOKEN, "admin_token": TOKEN}, "must differ")):
        with pytest.raises(ValidationError) as err:
            WebSettings.model_validate(values)
        text = describe_errors(err.value, prefix="TUTORBOT_WEB_")
        assert message in text
        for secret in values.values():
            assert secret not in text


def test_the_cli_refuses_a_lan_bind_without_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUTORBOT_", "DATABASE"))}
    env.update(XDG_DATA_HOME=str(tmp_path), TUTORBOT_LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-m", "bot", "web", "--host", "0.0.0.0"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Refusing to listen on 0.0.0.0" in done.stderr and "Traceback" not in done.stderr
