"""Early defers: the type-5 callback written from the raw gateway frame, its HTTP/1.1
connections, and the fallback to discord.py's own defer when the early one fails."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket

import pytest
from aiohttp import web

from bot.discord import visibility
from bot.discord.early import CallbackConnections, EarlyDefer, Outcome
from bot.discord.priority import AckFirst
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


async def test_an_early_defer_answered_too_late_is_followed_up_not_answered_twice(
        start_bot, fake):
    fake.delay_next("POST", r"/callback$", 1.0)  # Discord takes it, its answer is slow
    async with start_bot() as bot:
        assert bot.early is not None
        bot.early.connections.timeout = 0.3  # the 2 s budget, shortened for the test
        payload = slash("help")
        await fake.dispatch("INTERACTION_CREATE", payload)
        [answer] = await fake.wait_for("POST", FOLLOW_UP)
    early, usual = sorted(callbacks_of(fake, payload), key=lambda c: c.at)
    assert early.status == 204 and early.json["data"]["flags"] == EPHEMERAL
    assert usual.status == 400  # discord.py's defer: "already acknowledged" (40060)
    assert answer.json["flags"] == EPHEMERAL and "Commands:" in answer.json["content"]


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
    def defer_privately(payload):
        return visibility.defer_privately(payload, table)

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


async def test_an_unreachable_api_leaves_the_defer_to_discord_py_and_frees_the_turn():
    acks = AckFirst()
    early = EarlyDefer(f"http://127.0.0.1:{unused_port()}/api/v10", lambda _: True,
                       on_sent=acks.hold)
    early.defer({"id": "42", "token": "t", "type": 2})
    assert acks.pending == 1  # answers elsewhere wait for this acknowledgement...
    assert await early.settle(42) == (Outcome.UNCONFIRMED, True)  # refused: defer again
    assert acks.pending == 0  # ...but not any longer once it failed
    assert await early.settle(42) is None  # an early defer is claimed only once
    early.close()


async def test_a_hook_on_a_missing_parser_is_refused_and_changes_nothing():
    early = EarlyDefer("http://127.0.0.1:9/api", lambda _: True)
    parsers = {"READY": print}
    assert early.install(parsers) is False and parsers == {"READY": print}
    early.close()


@contextlib.asynccontextmanager
async def raw_server(answer):
    """A loopback TCP server whose ``answer(reader, writer, connection_number)`` speaks
    HTTP by hand: for answers aiohttp would never give."""
    count = itertools.count()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await answer(reader, writer, next(count))
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api", count
    finally:
        server.close()


async def read_request(reader: asyncio.StreamReader) -> bool:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return False
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    await reader.readexactly(length)
    return True


async def test_an_api_that_never_answers_fails_in_time_and_frees_its_connection():
    calls = []

    async def first_hangs(reader, writer, number):
        while await read_request(reader):
            calls.append(number)
            if len(calls) == 1:
                await asyncio.sleep(60)  # never answers the first request
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            await writer.drain()

    async with raw_server(first_hangs) as (base, _):
        pool = CallbackConnections(base, limit=1, timeout=0.3)
        with pytest.raises(TimeoutError):
            await pool.post_json("/a", {})
        # the hung connection was dropped, so the only slot is free for the next request
        assert await pool.post_json("/b", {}) == 204
        assert pool.open == 1 and calls == [0, 1]
        pool.close()


async def test_an_answer_without_a_length_ends_with_the_connection():
    async def old_style(reader, writer, number):
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{}")
        await writer.drain()

    async with raw_server(old_style) as (base, _):
        pool = CallbackConnections(base)
        assert [await pool.post_json("/a", {}) for _ in range(2)] == [200, 200]
        pool.close()


async def test_a_kept_alive_connection_dropped_by_the_server_is_retried_once_on_a_new_one():
    async def drops_second(reader, writer, number):
        served = 0
        while await read_request(reader):
            if number == 0 and served == 1:
                return  # the server had timed the idle connection out: closed, no answer
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            await writer.drain()
            served += 1

    async with raw_server(drops_second) as (base, connections):
        pool = CallbackConnections(base)
        assert await pool.post_json("/a", {}) == 204
        assert await pool.post_json("/b", {}) == 204  # lost on the old connection, retried
        assert next(connections) == 2  # two connections were made, no more
        pool.close()


async def test_closing_the_pool_fails_waiting_requests_and_refuses_new_ones():
    async def silent(reader, writer, number):
        await read_request(reader)
        await asyncio.sleep(60)

    async with raw_server(silent) as (base, _):
        pool = CallbackConnections(base, timeout=30)
        waiting = pool.post_json("/a", {})
        await asyncio.sleep(0.1)  # connected and sent
        pool.close()
        with pytest.raises(ConnectionError):
            await asyncio.wait_for(waiting, 1)
        with pytest.raises(ConnectionError):
            await pool.post_json("/b", {})
        await asyncio.sleep(0.05)
        assert pool.open == 0
