"""A forward HTTP proxy on loopback that records what passes through it: CONNECT tunnels
(https, wss) and plain requests in absolute form (http, ws), as HTTPS_PROXY/HTTP_PROXY
clients send them. Each plain request is forwarded on a connection of its own
(``Connection: close``), so every request is seen."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class RecordingProxy:
    seen: list[tuple[str, str]] = field(default_factory=list)  # (method, target)
    port: int = 0
    _server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def targets(self, method: str | None = None) -> list[str]:
        return [t for m, t in self.seen if method is None or m == method]

    async def __aenter__(self) -> RecordingProxy:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        self.seen.append((method, target))
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
        else:
            url = urlsplit(target)
            up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            headers = [h for h in lines[1:] if h and not h.lower().startswith(
                ("proxy-", "connection:", "keep-alive:"))]
            websocket = any(h.lower().startswith("upgrade:") for h in headers)
            extra = ["Connection: Upgrade"] if websocket else ["Connection: close"]
            up_writer.write(("\r\n".join([f"{method} {path} {version}", *headers, *extra])
                             + "\r\n\r\n").encode("latin-1"))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
