"""Acknowledge interactions straight from the gateway frame.

Discord drops an interaction that is not acknowledged within 3 s, and a cohort pressing the
same button sends a hundred at once. discord.py acknowledges only after it has built the
interaction's objects, routed it through the command tree and run a full aiohttp request
(about 0.5 ms of one event loop each), so the hundredth "thinking…" waits for ninety-nine of
everything. ``EarlyDefer`` hooks the INTERACTION_CREATE parser instead: from the raw payload
it decides whether and how to defer (``visibility.defer_privately``, the bot's own rule) and
writes the type-5 callback on a kept-alive connection at once, before discord.py parses the
frame. The rest runs as before; the bot then ``settle``s the interaction: accepted (its
outbox knows it is deferred), failed (the bot defers the usual way) or unknown (no answer in
time: the bot defers the usual way, and Discord's "already acknowledged" then means done).

HTTP/1.1 is spoken with h11 over plain asyncio connections (TLS for https bases), to the
same REST base as discord.py (a proxy or a test double included). Every request has a
deadline, idle connections expire, and a request on a reused connection that dies before
any answer is retried once on a new one. The hook is an optimisation: if discord.py's parser
table is not where this expects it, the bot logs a warning and defers the usual way.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import json
import logging
import ssl
from collections.abc import Callable
from typing import Any

import discord
import h11
import yarl

log = logging.getLogger(__name__)

EVENT = "INTERACTION_CREATE"
EPHEMERAL = discord.MessageFlags(ephemeral=True).value
DEFERRED_WITH_MESSAGE = discord.InteractionResponseType.deferred_channel_message.value  # 5
ANSWER_WITHIN = 2.0  # s from the frame to Discord's answer; then discord.py tries (3 s total)
CONNECT_TIMEOUT = 1.0  # s for TCP (and TLS) to connect
IDLE_EXPIRY = 15.0  # s a kept-alive connection may sit unused (servers close them)
FORGET_AFTER = 60.0  # s an unclaimed early defer is kept for its interaction
MAX_CONNECTIONS = 100  # kept-alive connections to the REST base

Decide = Callable[[dict[str, Any]], bool | None]  # True private, False public, None: don't


class Outcome(enum.Enum):
    ACCEPTED = "accepted"  # Discord answered 2xx: the interaction is deferred
    UNCONFIRMED = "unconfirmed"  # refused, lost or unanswered in time: defer the usual way


class CallbackConnections:
    """A pool of HTTP/1.1 keep-alive connections for interaction callbacks (they need no
    authorisation: the interaction token in the path is the credential)."""

    def __init__(self, api_base: str, *, user_agent: str = "tutorbot",
                 limit: int = MAX_CONNECTIONS, timeout: float = ANSWER_WITHIN) -> None:
        url = yarl.URL(api_base.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"not an http(s) URL: {api_base!r}")
        self.host = url.host
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.ssl = ssl.create_default_context() if url.scheme == "https" else None
        self.prefix = url.path.rstrip("/")
        self.headers = [("Host", url.raw_authority or self.host), ("User-Agent", user_agent),
                        ("Content-Type", "application/json")]
        self.limit = limit
        self.timeout = timeout
        self.closed = False
        self._all: set[_Connection] = set()
        self._idle: list[_Connection] = []
        self._opening = 0
        self._queued: collections.deque[_Exchange] = collections.deque()
        self._tasks: set[asyncio.Task] = set()

    @property
    def open(self) -> int:
        """Connections open or being opened."""
        return len(self._all) + self._opening

    def post_json(self, path: str, payload: dict[str, Any]) -> asyncio.Future[int]:
        """POST ``payload`` to ``path`` under the base; a future of the response status that
        always completes within ``timeout`` seconds (TimeoutError, OSError otherwise). The
        request is written at once when a connection is idle."""
        loop = asyncio.get_running_loop()
        body = json.dumps(payload, separators=(",", ":")).encode()
        exchange = _Exchange(
            h11.Request(method="POST", target=self.prefix + path,
                        headers=[*self.headers, ("Content-Length", str(len(body)))]),
            body, loop.create_future())
        if self.closed:
            exchange.fail(ConnectionError("the connection pool is closed"))
            return exchange.waiter
        deadline = loop.call_later(self.timeout, exchange.fail,
                                   TimeoutError(f"no answer within {self.timeout:g} s"))
        exchange.waiter.add_done_callback(lambda _: deadline.cancel())
        self._dispatch(exchange)
        return exchange.waiter

    def _dispatch(self, exchange: _Exchange) -> None:
        now = asyncio.get_running_loop().time()
        while self._idle:
            connection = self._idle.pop()
            if connection.usable() and now - connection.idle_since < IDLE_EXPIRY:
                connection.send(exchange)
                return
            connection.abort()  # expired or closing: the server may drop it any moment
        if self.open < self.limit:
            self._open_for(exchange)
        else:
            self._queued.append(exchange)

    def _open_for(self, exchange: _Exchange) -> None:
        """Open a new connection and send ``exchange`` on it (counted at once, so a burst
        never opens more than ``limit``)."""
        self._opening += 1
        task = asyncio.create_task(self._connect(exchange))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect(self, exchange: _Exchange) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                _, connection = await loop.create_connection(
                    lambda: _Connection(self), self.host, self.port, ssl=self.ssl,
                    server_hostname=self.host if self.ssl else None,
                    happy_eyeballs_delay=0.25 if self.ssl else None)
        except OSError as err:  # TimeoutError included
            exchange.fail(err if str(err) else TimeoutError(
                f"could not connect within {CONNECT_TIMEOUT:g} s"))
            self._next()
            return
        finally:
            self._opening -= 1
        self._all.add(connection)
        if self.closed:
            connection.abort()
        elif exchange.waiter.done():
            self.release(connection)  # nobody waits for this one any more: keep it
        else:
            connection.send(exchange)

    def release(self, connection: _Connection) -> None:
        """A connection finished its exchange: give it the next queued request, or park it."""
        if self.closed:
            connection.abort()
            return
        while self._queued:
            exchange = self._queued.popleft()
            if not exchange.waiter.done():
                connection.send(exchange)
                return
        connection.idle_since = asyncio.get_running_loop().time()
        self._idle.append(connection)

    def lost(self, connection: _Connection, retry: _Exchange | None) -> None:
        """A connection closed; ``retry`` is a request it lost before any answer byte."""
        self._all.discard(connection)
        if connection in self._idle:
            self._idle.remove(connection)
        if self.closed:
            if retry is not None:
                retry.fail(ConnectionError("the connection pool is closed"))
            return
        if retry is not None:
            self._open_for(retry)
        else:
            self._next()

    def _next(self) -> None:
        """Open a connection for queued work, if there is room now."""
        while self._queued and self._queued[0].waiter.done():
            self._queued.popleft()
        if self._queued and self.open < self.limit and not self.closed:
            self._open_for(self._queued.popleft())

    def close(self) -> None:
        """Abort every connection and fail what is waiting; later posts fail at once."""
        self.closed = True
        for task in self._tasks:
            task.cancel()
        for connection in list(self._all):
            connection.abort()
        self._idle.clear()
        while self._queued:
            self._queued.popleft().fail(ConnectionError("the connection pool is closed"))


class _Exchange:
    """One request, its waiter, and whether it may be retried on a fresh connection."""

    __slots__ = ("request", "body", "waiter", "retried")

    def __init__(self, request: h11.Request, body: bytes, waiter: asyncio.Future[int]) -> None:
        self.request = request
        self.body = body
        self.waiter = waiter
        self.retried = False

    def fail(self, error: BaseException) -> None:
        if not self.waiter.done():
            self.waiter.set_exception(error)


class _Connection(asyncio.Protocol):
    """One connection, one exchange at a time (no pipelining)."""

    def __init__(self, pool: CallbackConnections) -> None:
        self.pool = pool
        self.h11 = h11.Connection(h11.CLIENT)
        self.transport: asyncio.Transport | None = None
        self.exchange: _Exchange | None = None
        self.answered = False  # a byte of the current answer has arrived
        self.reused = False  # this is not the connection's first exchange
        self.idle_since = 0.0
        self._stall: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def usable(self) -> bool:
        return (self.transport is not None and not self.transport.is_closing()
                and self.h11.our_state is h11.IDLE and self.h11.their_state is h11.IDLE)

    def send(self, exchange: _Exchange) -> None:
        if self.transport is None or self.transport.is_closing():
            self.pool.lost(self, exchange)
            return
        self.exchange = exchange
        self.answered = False
        # a request given up on (settle's deadline) must not leave the connection mid-answer
        exchange.waiter.add_done_callback(self._given_up)
        self.transport.write(self.h11.send(exchange.request)
                             + self.h11.send(h11.Data(data=exchange.body))
                             + self.h11.send(h11.EndOfMessage()))

    def _given_up(self, waiter: asyncio.Future[int]) -> None:
        """The waiter is done: if it failed (deadline) or was cancelled while its answer is
        still due on this connection, the connection cannot be reused."""
        failed = waiter.cancelled() or waiter.exception() is not None
        if failed and self.exchange is not None and self.exchange.waiter is waiter:
            self.abort()

    def data_received(self, data: bytes) -> None:
        self.answered = True
        self.h11.receive_data(data)
        self._read()

    def eof_received(self) -> bool | None:
        if self.answered:  # an answer that ends with the connection (no length)
            self.h11.receive_data(b"")
            self._read()
        return None  # closed; connection_lost retries an unanswered request if it may

    def _read(self) -> None:
        try:
            while (event := self.h11.next_event()) not in (h11.NEED_DATA, h11.PAUSED):
                if isinstance(event, h11.Response):  # the status is all we need
                    exchange = self.exchange
                    if exchange is not None and not exchange.waiter.done():
                        exchange.waiter.set_result(event.status_code)
                    # the rest of the answer must come too, or the connection is dropped
                    self._stall = asyncio.get_running_loop().call_later(
                        self.pool.timeout, self.abort)
                elif isinstance(event, h11.EndOfMessage):
                    self._finished()
                    return
                elif isinstance(event, h11.ConnectionClosed):
                    self.abort()
                    return
        except h11.RemoteProtocolError as err:
            if self.exchange is not None:
                self.exchange.fail(ConnectionError(f"bad HTTP answer: {err}"))
            self.abort()

    def _finished(self) -> None:
        if self._stall is not None:
            self._stall.cancel()
        self.exchange = None
        self.reused = True
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
            self.pool.release(self)
        else:  # the server will close (Connection: close)
            self.abort()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._stall is not None:
            self._stall.cancel()
        self.transport = None
        exchange, self.exchange = self.exchange, None
        retry = None
        if exchange is not None and not exchange.waiter.done():
            if self.reused and not self.answered and not exchange.retried:
                exchange.retried = True  # a kept-alive connection the server had dropped
                retry = exchange
            else:
                exchange.fail(exc or ConnectionError("connection closed before the answer"))
        self.pool.lost(self, retry)


class EarlyDefer:
    """Sends the type-5 callback from the raw INTERACTION_CREATE payload (module doc)."""

    def __init__(self, api_base: str, decide: Decide, *, user_agent: str = "tutorbot",
                 on_sent: Callable[[asyncio.Future], None] | None = None,
                 answer_within: float = ANSWER_WITHIN) -> None:
        self.decide = decide
        self.connections = CallbackConnections(api_base, user_agent=user_agent,
                                               timeout=answer_within)
        self.on_sent = on_sent
        self.frames = 0  # interactions seen by the hook (0 with interactions: a dead hook)
        self.sent: dict[int, tuple[asyncio.Future[int], bool]] = {}

    def install(self, parsers: dict[str, Callable[[Any], None]]) -> bool:
        """Wrap discord.py's INTERACTION_CREATE parser; False if it is not there."""
        original = parsers.get(EVENT)
        if original is None:
            log.warning("discord.py has no %s parser to hook; deferring the usual way", EVENT)
            return False

        def parse(data: dict[str, Any]) -> None:
            self.frames += 1
            try:
                self.defer(data)
            except Exception:  # never let the shortcut break the normal path
                log.exception("early defer failed; the interaction is deferred the usual way")
            original(data)

        parsers[EVENT] = parse
        return True

    def defer(self, data: dict[str, Any]) -> None:
        """Write the callback for one raw interaction, if ``decide`` says so."""
        private = self.decide(data)
        if private is None:
            return
        payload: dict[str, Any] = {"type": DEFERRED_WITH_MESSAGE}
        if private:
            payload["data"] = {"flags": EPHEMERAL}
        sent = self.connections.post_json(
            f"/interactions/{data['id']}/{data['token']}/callback", payload)
        interaction_id = int(data["id"])
        self.sent[interaction_id] = (sent, private)
        loop = asyncio.get_running_loop()
        sent.add_done_callback(  # the deadline makes sure this runs
            lambda _: loop.call_later(FORGET_AFTER, self.sent.pop, interaction_id, None))
        if self.on_sent is not None:
            self.on_sent(sent)

    async def settle(self, interaction_id: int) -> tuple[Outcome, bool] | None:
        """For an interaction the bot is about to answer: whether Discord accepted its early
        defer, and the privacy it asked for; None if there was none. Returns by the deadline
        counted from the frame, so discord.py's own defer still has time. Claimed once."""
        entry = self.sent.pop(interaction_id, None)
        if entry is None:
            return None
        sent, private = entry
        await asyncio.wait([sent])  # done by its deadline; never raises for the request
        if not sent.cancelled() and sent.exception() is None and 200 <= sent.result() < 300:
            return Outcome.ACCEPTED, private
        why = ("cancelled" if sent.cancelled() else sent.exception()
               or f"answered {sent.result()}")
        log.info("early defer of %s not confirmed (%s); deferring the usual way",
                 interaction_id, why)
        return Outcome.UNCONFIRMED, private

    def close(self) -> None:
        self.connections.close()
