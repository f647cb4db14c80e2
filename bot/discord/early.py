"""Acknowledge interactions straight from the gateway frame.

Discord drops an interaction that is not acknowledged within 3 s, and a cohort pressing the
same button sends a hundred at once. discord.py acknowledges only after it has built the
interaction's objects, routed it through the command tree and run a full aiohttp request
(about 0.5 ms of one event loop each), so the hundredth "thinking…" waits for ninety-nine of
everything. ``EarlyDefer`` hooks the INTERACTION_CREATE parser instead: from the raw payload
it decides whether and how to defer (the same rule the bot uses, ``defer_privately``) and
writes the type-5 callback on a kept-alive connection at once, before discord.py parses the
frame. The rest runs as before; the bot then ``settle``s the interaction: if the early defer
succeeded its outbox knows it is deferred, if it failed the bot defers the usual way.

HTTP/1.1 is spoken with h11 over plain asyncio connections (TLS for https bases), to the
same REST base as discord.py (a proxy or a test double included). The hook is an
optimisation: if discord.py's parser table is not where this expects it, the bot logs a
warning and defers the usual way.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import ssl
from collections.abc import Callable
from typing import Any

import h11
import yarl

log = logging.getLogger(__name__)

EVENT = "INTERACTION_CREATE"
SETTLE_TIMEOUT = 2.0  # s to wait for Discord's answer to an early defer (3 s are allowed)
FORGET_AFTER = 60.0  # s an unclaimed early defer is kept for its interaction
MAX_CONNECTIONS = 100  # kept-alive connections to the REST base
EPHEMERAL = 64  # message flag


class CallbackConnections:
    """A small pool of HTTP/1.1 keep-alive connections for interaction callbacks (no
    authorisation needed: the interaction token in the path is the credential)."""

    def __init__(self, api_base: str, *, limit: int = MAX_CONNECTIONS) -> None:
        url = yarl.URL(api_base.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"not an http(s) URL: {api_base!r}")
        self.host = url.host
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.ssl = ssl.create_default_context() if url.scheme == "https" else None
        self.prefix = url.path.rstrip("/")
        self.host_header = url.raw_authority
        self.limit = limit
        self.idle: list[_Connection] = []
        self.open = 0
        self.queued: collections.deque[tuple[bytes, asyncio.Future]] = collections.deque()
        self._opening: set[asyncio.Task] = set()

    def post_json(self, path: str, payload: dict[str, Any]) -> asyncio.Future[int]:
        """POST ``payload`` to ``path`` under the base; a future of the response status.
        The request is written now when a connection is idle."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        request = h11.Request(method="POST", target=self.prefix + path, headers=[
            ("Host", self.host_header), ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))), ("User-Agent", "tutorbot")])
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._send((request, body), waiter)
        return waiter

    def _send(self, message: Any, waiter: asyncio.Future) -> None:
        while self.idle:
            connection = self.idle.pop()
            if connection.usable():
                connection.send(message, waiter)
                return
        if self.open < self.limit:
            self.open += 1
            task = asyncio.create_task(self._connect(message, waiter))
            self._opening.add(task)
            task.add_done_callback(self._opening.discard)
        else:
            self.queued.append((message, waiter))

    async def _connect(self, message: Any, waiter: asyncio.Future) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await loop.create_connection(
                lambda: _Connection(self), self.host, self.port, ssl=self.ssl,
                server_hostname=self.host if self.ssl else None)
        except OSError as err:
            self.open -= 1
            if not waiter.done():
                waiter.set_exception(err)
            return
        connection.send(message, waiter)

    def release(self, connection: _Connection) -> None:
        """A connection finished its exchange: give it the next queued request, or park it."""
        while self.queued:
            message, waiter = self.queued.popleft()
            if not waiter.done():
                connection.send(message, waiter)
                return
        self.idle.append(connection)

    def lost(self, connection: _Connection) -> None:
        self.open -= 1
        if connection in self.idle:
            self.idle.remove(connection)
        if self.queued and self.open < self.limit:  # queued work needs a connection
            message, waiter = self.queued.popleft()
            self._send(message, waiter)

    def close(self) -> None:
        for task in self._opening:
            task.cancel()
        for connection in self.idle:
            connection.close()
        self.idle.clear()
        for _, waiter in self.queued:
            waiter.cancel()
        self.queued.clear()


class _Connection(asyncio.Protocol):
    """One connection, one exchange at a time (no pipelining)."""

    def __init__(self, pool: CallbackConnections) -> None:
        self.pool = pool
        self.h11 = h11.Connection(h11.CLIENT)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[int] | None = None
        self.status = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def usable(self) -> bool:
        return (self.transport is not None and not self.transport.is_closing()
                and self.h11.our_state is h11.IDLE)

    def send(self, message: tuple[h11.Request, bytes], waiter: asyncio.Future[int]) -> None:
        request, body = message
        assert self.transport is not None
        self.waiter = waiter
        self.status = 0
        self.transport.write(self.h11.send(request) + self.h11.send(h11.Data(data=body))
                             + self.h11.send(h11.EndOfMessage()))

    def data_received(self, data: bytes) -> None:
        self.h11.receive_data(data)
        try:
            while (event := self.h11.next_event()) is not h11.NEED_DATA:
                if isinstance(event, h11.Response):
                    self.status = event.status_code
                elif isinstance(event, h11.EndOfMessage):
                    self._finish()
                    return
                elif isinstance(event, h11.ConnectionClosed):
                    break
        except h11.RemoteProtocolError as err:
            self._fail(ConnectionError(f"bad HTTP answer: {err}"))

    def _finish(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(self.status)
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
            self.pool.release(self)
        else:  # the server will close (Connection: close)
            self.close()

    def _fail(self, error: BaseException) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc or ConnectionError("connection closed before the answer"))
        self.transport = None
        self.pool.lost(self)


Decide = Callable[[dict[str, Any]], bool | None]


class EarlyDefer:
    """Sends the type-5 callback from the raw INTERACTION_CREATE payload (module doc)."""

    def __init__(self, api_base: str, decide: Decide, *,
                 on_sent: Callable[[asyncio.Future], None] | None = None,
                 settle_timeout: float = SETTLE_TIMEOUT) -> None:
        self.decide = decide  # payload -> True (private), False (public), None (don't)
        self.settle_timeout = settle_timeout
        self.connections = CallbackConnections(api_base)
        self.on_sent = on_sent
        self.sent: dict[int, tuple[asyncio.Future[int], bool]] = {}

    def install(self, parsers: dict[str, Callable[[Any], None]]) -> bool:
        """Wrap discord.py's INTERACTION_CREATE parser; False if it is not there."""
        original = parsers.get(EVENT)
        if original is None:
            log.warning("discord.py has no %s parser to hook; deferring the usual way", EVENT)
            return False

        def parse(data: dict[str, Any]) -> None:
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
        payload: dict[str, Any] = {"type": 5}
        if private:
            payload["data"] = {"flags": EPHEMERAL}
        sent = self.connections.post_json(
            f"/interactions/{data['id']}/{data['token']}/callback", payload)
        interaction_id = int(data["id"])
        self.sent[interaction_id] = (sent, private)
        loop = asyncio.get_running_loop()
        sent.add_done_callback(
            lambda _: loop.call_later(FORGET_AFTER, self.sent.pop, interaction_id, None))
        if self.on_sent is not None:
            self.on_sent(sent)

    async def settle(self, interaction_id: int) -> bool | None:
        """For an interaction the bot is about to answer: its privacy (True: private) if it
        was deferred early and Discord accepted that, else None (the bot defers itself).
        Each early defer is claimed once."""
        entry = self.sent.pop(interaction_id, None)
        if entry is None:
            return None
        sent, private = entry
        await asyncio.wait([sent], timeout=self.settle_timeout)  # never raises for the request
        if not sent.done():  # no answer in time: let discord.py try before the 3 s are up
            sent.cancel()
        if sent.cancelled() or sent.exception() is not None:
            log.info("early defer of %s did not arrive (%s); deferring again", interaction_id,
                     "cancelled" if sent.cancelled() else sent.exception())
            return None
        if 200 <= sent.result() < 300:
            return private
        log.info("early defer of %s answered %s; deferring the usual way", interaction_id,
                 sent.result())
        return None

    def close(self) -> None:
        self.connections.close()
