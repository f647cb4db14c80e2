"""Early defers: the type-5 callback written from the raw gateway frame, its HTTP/1.1
connections, and the fallback to discord.py's own defer when the early one fails."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web

from bot.discord.client import defer_privately
from bot.discord.early import CallbackConnections, EarlyDefer
from tests.bot.discord.payloads import click, custom_ids, slash

FOLLOW_UP = r"^/webhooks/\d+/[^/]+$"
EPHEMERAL = 64


def callbacks_of(fake, payload):
    return [c for c in fake.calls if c.path.startswith(f"/interactions/{payload['id']}/")]


# --- through the real bot -----------------------------------------------------------------

async def test_a_slash_command_is_deferred_from_the_frame_then_answered(start_bot, fake):
    async with start_bot():
        payload = slash("tokenize", {"text": "deferred early"})
        await fake.dispatch("INTERACTION_CREATE", payload)
        [answer] = await fake.wait_for("POST", FOLLOW_UP)
    [defer] = callbacks_of(fake, payload)
    assert defer.json == {"type": 5}  # public "thinking…": /tokenize is a demo
    assert defer.status == 204 and "with_response" not in defer.query  # the early path's call
    assert defer.at < answer.at
    assert "deferred early" in answer.json["content"]


async def test_a_private_command_and_a_button_are_deferred_privately_from_the_frame(
        start_bot, fake):
    async with start_bot():
        payload = slash("quiz")
        await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for("POST", FOLLOW_UP)
        question = next(m for m in fake.messages.values() if m["components"])
        button = click(question, custom_ids(question)[0])
        await fake.dispatch("INTERACTION_CREATE", button)
        await fake.wait_for("POST", FOLLOW_UP, count=2)
    [defer] = callbacks_of(fake, payload)
    assert defer.json == {"type": 5, "data": {"flags": EPHEMERAL}} and defer.status == 204
    [pressed] = callbacks_of(fake, button)
    assert pressed.json == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert pressed.status == 204 and "with_response" not in pressed.query


async def test_a_failed_early_defer_falls_back_to_discord_pys_defer(start_bot, fake):
    fake.fail_next("POST", r"/callback$", 500, {"message": "500: Internal Server Error",
                                                "code": 0})
    async with start_bot():
        payload = slash("tokenize", {"text": "second try"})
        await fake.dispatch("INTERACTION_CREATE", payload)
        [answer] = await fake.wait_for("POST", FOLLOW_UP)
    early, usual = callbacks_of(fake, payload)
    assert early.status == 500 and "with_response" not in early.query
    assert usual.status == 200 and usual.query.get("with_response") == "1"  # discord.py's
    assert usual.json == {"type": 5}
    assert "second try" in answer.json["content"]


async def test_a_bug_after_an_early_defer_is_apologised_for_in_a_follow_up(start_bot, fake):
    async with start_bot():
        payload = slash("bug-test")
        await fake.dispatch("INTERACTION_CREATE", payload)
        [apology] = await fake.wait_for("POST", FOLLOW_UP)
    [defer] = callbacks_of(fake, payload)  # no second, refused, type-4 response
    assert defer.json["type"] == 5
    assert apology.json["flags"] == EPHEMERAL and "Sorry" in apology.json["content"]


# --- the decision -------------------------------------------------------------------------

def test_the_frame_decision_follows_the_bots_own_rules(table):
    assert defer_privately(slash("tokenize", {"text": "hi"})) is False  # demo: public
    assert defer_privately(slash("help")) is True
    assert defer_privately(slash("no-such-command")) is None
    assert defer_privately(slash("echo-test", {"noise": 99})) is None  # refused at once
    assert defer_privately(slash("tokenize", {"text": "x" * 5000})) is None
    autocomplete = slash("echo-test", {"layers": "4,"})
    autocomplete["type"] = 4
    assert defer_privately(autocomplete) is None
    message = {"id": "1", "channel_id": "2", "content": "", "components": []}
    assert defer_privately(click(message, "quiz:12:2")) is True
    assert defer_privately(click(message, "run:/tokenize hi")) is False
    assert defer_privately(click(message, "b:abc")) is False


# --- the connections ----------------------------------------------------------------------

@pytest.fixture
async def server():
    """A loopback HTTP server that counts connections and answers in several styles."""
    peers: list[tuple[str, int]] = []

    async def answer(request: web.Request) -> web.StreamResponse:
        peers.append(request.transport.get_extra_info("peername"))
        body = await request.json()
        style = request.match_info["style"]
        if style == "chunked":
            response = web.StreamResponse(status=200)
            response.enable_chunked_encoding()
            await response.prepare(request)
            await response.write(b'{"got":')
            await response.write(str(body["n"]).encode() + b"}")
            await response.write_eof()
            return response
        if style == "close":
            return web.Response(status=204, headers={"Connection": "close"})
        if style == "slow":
            await asyncio.sleep(0.05)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/api/{style}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/api", peers
    await runner.cleanup()


async def test_requests_reuse_one_kept_alive_connection(server):
    base, peers = server
    pool = CallbackConnections(base)
    statuses = [await pool.post_json("/plain", {"n": n}) for n in range(5)]
    assert statuses == [204] * 5
    assert len(set(peers)) == 1 and pool.open == 1
    pool.close()


async def test_chunked_answers_are_read_whole_and_the_connection_reused(server):
    base, peers = server
    pool = CallbackConnections(base)
    assert [await pool.post_json("/chunked", {"n": n}) for n in range(3)] == [200] * 3
    assert len(set(peers)) == 1
    pool.close()


async def test_a_server_closing_the_connection_gets_a_new_one_next_time(server):
    base, peers = server
    pool = CallbackConnections(base)
    assert [await pool.post_json("/close", {"n": n}) for n in range(3)] == [204] * 3
    assert len(set(peers)) == 3
    pool.close()


async def test_past_the_limit_requests_queue_for_a_free_connection(server):
    base, peers = server
    pool = CallbackConnections(base, limit=2)
    statuses = await asyncio.gather(*(pool.post_json("/slow", {"n": n}) for n in range(6)))
    assert statuses == [204] * 6
    assert len(set(peers)) == 2 and pool.open <= 2
    pool.close()


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_an_unreachable_api_leaves_the_defer_to_discord_py():
    early = EarlyDefer(f"http://127.0.0.1:{unused_port()}/api/v10", lambda _: True)
    early.defer({"id": "42", "token": "t", "type": 2})
    assert await early.settle(42) is None  # refused connection: the bot defers itself
    assert await early.settle(42) is None  # and an early defer is claimed only once
    early.close()


async def test_a_hook_on_a_missing_parser_is_refused_and_changes_nothing():
    early = EarlyDefer("http://127.0.0.1:9/api", lambda _: True)
    parsers = {"READY": print}
    assert early.install(parsers) is False and parsers == {"READY": print}
    early.close()


async def test_an_api_that_never_answers_leaves_the_defer_to_discord_py_in_time():
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # take the request, never answer

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    early = EarlyDefer(f"http://127.0.0.1:{port}/api", lambda _: False, settle_timeout=0.2)
    early.defer({"id": "7", "token": "t", "type": 2})
    assert await asyncio.wait_for(early.settle(7), 2) is None
    early.close()
    server.close()
