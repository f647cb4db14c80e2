"""A minimal HTTP/1.1 load generator for latency benches, in the spirit of wrk: raw
non-blocking sockets and one epoll loop, so the harness spends microseconds per request
rather than the ~0.5 ms an asyncio HTTP client spends. It runs in a process of its own.

``burst(address, requests)`` sends every prepared request at once (one connection each,
opened as part of the measured time unless ``keep_alive`` connections were opened before)
and returns, per request, the seconds from just before its connect (or its send) until its
whole response has arrived, with the status code.
"""

from __future__ import annotations

import errno
import select
import socket
import time

HEADER_END = b"\r\n\r\n"


def post(path: str, body: bytes, headers: dict[str, str], host: str = "127.0.0.1") -> bytes:
    """The bytes of one HTTP/1.1 POST."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}",
             *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Exchange:
    """One request on one socket: what has been read so far and when it started."""

    __slots__ = ("sock", "request", "started", "received", "finished", "status")

    def __init__(self, sock: socket.socket, request: bytes) -> None:
        self.sock = sock
        self.request = request
        self.started = 0.0
        self.received = b""
        self.finished = 0.0
        self.status = 0

    def complete(self) -> bool:
        """Whether a whole response (headers and Content-Length bytes) has arrived."""
        head, sep, rest = self.received.partition(HEADER_END)
        if not sep:
            return False
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if len(rest) < length:
            return False
        self.status = int(head.split(b" ", 2)[1])
        return True


def _connect(address: tuple[str, int], *, wait: bool) -> socket.socket:
    """A TCP connection to ``address``; with ``wait=False`` the connect is only started
    (non-blocking), so a slow accept never holds up the rest of the burst."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if wait:
        sock.connect(address)
    sock.setblocking(False)
    if not wait:
        code = sock.connect_ex(address)
        if code not in (0, errno.EINPROGRESS):
            raise OSError(code, f"connect to {address}: {errno.errorcode.get(code, code)}")
    return sock


def burst(address: tuple[str, int], requests: list[bytes], *, keep_alive: bool = False,
          rate: float | None = None, timeout: float = 30.0) -> list[tuple[float, int]]:
    """Send ``requests`` (all at once, or ``rate`` per second without waiting for answers);
    (latency in seconds, HTTP status) for each, in order.

    With ``keep_alive`` the connections are opened (and accepted by the server) before the
    clock starts, as a client with a warm connection pool would; otherwise each request's
    time includes its TCP connect, started without blocking: the request goes out once the
    socket is writable."""
    poller = select.epoll()
    exchanges: dict[int, _Exchange] = {}
    ordered: list[_Exchange] = []
    socks = [_connect(address, wait=True) for _ in requests] if keep_alive else []
    if keep_alive:
        time.sleep(0.2)  # let the server accept them all before the burst

    def drain(wait: float) -> int:
        done = 0
        for fd, events in poller.poll(wait):
            exchange = exchanges[fd]
            if events & select.EPOLLOUT:  # connected: send, then wait for the answer
                _send_all(exchange.sock, exchange.request)
                poller.modify(fd, select.EPOLLIN)
                continue
            try:
                chunk = exchange.sock.recv(65536)
            except BlockingIOError:
                continue
            exchange.received += chunk
            if exchange.complete() or not chunk:
                exchange.finished = time.perf_counter()
                poller.unregister(fd)
                done += 1
        return done

    try:
        pending = 0
        first = time.perf_counter()
        for i, request in enumerate(requests):
            if rate:
                while (due := first + i / rate - time.perf_counter()) > 0:
                    pending -= drain(due)
            started = time.perf_counter()
            sock = socks[i] if keep_alive else _connect(address, wait=False)
            exchange = _Exchange(sock, request)
            exchange.started = started
            exchanges[sock.fileno()] = exchange
            ordered.append(exchange)
            if keep_alive:
                _send_all(sock, request)
                poller.register(sock.fileno(), select.EPOLLIN)
            else:
                poller.register(sock.fileno(), select.EPOLLOUT)
            pending += 1
        deadline = time.perf_counter() + timeout
        while pending and time.perf_counter() < deadline:
            pending -= drain(0.5)
        if pending:
            raise TimeoutError(f"{pending} of {len(requests)} requests got no whole answer "
                               f"within {timeout:.0f} s")
        return [(e.finished - e.started, e.status) for e in ordered]
    finally:
        poller.close()
        for sock in socks:
            sock.close()
        for exchange in ordered:
            exchange.sock.close()


def _send_all(sock: socket.socket, data: bytes) -> None:
    """sendall for a non-blocking socket (a request is small: this rarely loops)."""
    view = memoryview(data)
    while view:
        try:
            view = view[sock.send(view):]
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                raise
            select.select([], [sock], [], 1.0)
