"""A minimal HTTP/1.1 load generator for latency benches, in the spirit of wrk: raw
non-blocking sockets and one epoll loop, so the harness spends microseconds per request
rather than the ~0.5 ms an asyncio HTTP client spends. It runs in a process of its own.

``burst(address, requests)`` sends every prepared request at once (one connection each,
opened as part of the measured time unless ``keep_alive`` connections were opened before)
and returns, per request, the seconds from just before its connect (or its send) until its
whole response has arrived, with the status code: 0 when the request failed (connection
refused or reset, or closed before a whole response), for the bench to count as a failure.
"""

from __future__ import annotations

import errno
import os
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

    __slots__ = ("sock", "request", "sent", "started", "received", "finished", "status")

    def __init__(self, request: bytes) -> None:
        self.sock: socket.socket | None = None
        self.request = request
        self.sent = False
        self.started = 0.0
        self.received = b""
        self.finished = 0.0
        self.status = 0  # stays 0 unless a whole response arrives (0: the request failed)

    def complete(self, closed: bool = False) -> bool:
        """Whether a whole response has arrived: its Content-Length bytes, its chunks up to
        the last (``Transfer-Encoding: chunked``), or, with neither, everything until the
        server ``closed`` the connection."""
        head, sep, rest = self.received.partition(HEADER_END)
        if not sep:
            return False
        status_line, *lines = head.split(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        fields = {}
        for line in lines:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip().lower()
        if status in (204, 304):
            whole = True  # never a body
        elif b"chunked" in fields.get(b"transfer-encoding", b""):
            whole = _chunks_end(rest)
        elif b"content-length" in fields:
            whole = len(rest) >= int(fields[b"content-length"])
        else:
            whole = closed
        if whole:
            self.status = status
        return whole


def _chunks_end(body: bytes) -> bool:
    """Whether a chunked body is whole: every chunk, the last (size 0) one, any trailer
    lines and the blank line that ends them."""
    at = 0
    while (line_end := body.find(b"\r\n", at)) >= 0:
        size = int(body[at:line_end].split(b";")[0], 16)
        if size == 0:
            return body.find(HEADER_END, line_end) >= 0  # "0\r\n" [trailers] "\r\n"
        at = line_end + 2 + size + 2  # the size line, the data, its CRLF
    return False


def _connect(address: tuple[str, int], *, wait: bool) -> socket.socket:
    """A TCP connection to ``address``; with ``wait=False`` the connect is only started
    (non-blocking), so a slow accept never holds up the rest of the burst. OSError when it
    fails at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if wait:
            sock.connect(address)
        sock.setblocking(False)
        if not wait:
            code = sock.connect_ex(address)
            if code not in (0, errno.EINPROGRESS):
                raise OSError(code, f"connect to {address}: {os.strerror(code)}")
    except OSError:
        sock.close()
        raise
    return sock


def _warm(address: tuple[str, int]) -> socket.socket | None:
    """An open keep-alive connection, or None if it could not be opened."""
    try:
        return _connect(address, wait=True)
    except OSError:
        return None


def _step(exchange: _Exchange) -> bool:
    """Move ``exchange`` on after its socket became ready: send once connected, else read.
    Whether it has ended (whole, or failed: a refused or reset connection, or one closed
    before a whole response, leaves status 0)."""
    sock = exchange.sock
    assert sock is not None
    try:
        if not exchange.sent:  # the connect has ended, one way or the other
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
            _send_all(sock, exchange.request)
            exchange.sent = True
            return False
        chunk = sock.recv(65536)
    except BlockingIOError:
        return False
    except OSError:
        return True
    exchange.received += chunk
    return exchange.complete(closed=not chunk) or not chunk


def burst(address: tuple[str, int], requests: list[bytes], *, keep_alive: bool = False,
          rate: float | None = None, timeout: float = 30.0) -> list[tuple[float, int]]:
    """Send ``requests`` (all at once, or ``rate`` per second without waiting for answers);
    (latency in seconds, HTTP status or 0 for a failure) for each, in order.

    With ``keep_alive`` the connections are opened (and accepted by the server) before the
    clock starts, as a client with a warm connection pool would; otherwise each request's
    time includes its TCP connect, started without blocking: the request goes out once the
    socket is writable. Between starts, whatever is ready is sent or read at once, so an
    early answer is stamped when it arrives, not after the last request has gone out."""
    poller = select.epoll()
    exchanges: dict[int, _Exchange] = {}
    ordered: list[_Exchange] = []
    warm = [_warm(address) for _ in requests] if keep_alive else []
    if keep_alive:
        time.sleep(0.2)  # let the server accept them all before the burst

    def drain(wait: float) -> int:
        """Handle the sockets that are ready (waiting up to ``wait`` s); how many ended."""
        done = 0
        for fd, _ in poller.poll(wait):
            exchange = exchanges[fd]
            connecting = not exchange.sent
            if _step(exchange):
                exchange.finished = time.perf_counter()
                poller.unregister(fd)
                done += 1
            elif connecting and exchange.sent:  # sent: now wait for the answer
                poller.modify(fd, select.EPOLLIN)
        return done

    try:
        pending = 0
        first = time.perf_counter()
        for i, request in enumerate(requests):
            if rate:
                while (due := first + i / rate - time.perf_counter()) > 0:
                    pending -= drain(due)
            else:
                pending -= drain(0)
            exchange = _Exchange(request)
            ordered.append(exchange)
            exchange.started = time.perf_counter()
            try:
                exchange.sock = warm[i] if keep_alive else _connect(address, wait=False)
                if exchange.sock is None:
                    raise ConnectionRefusedError("no keep-alive connection")
                if keep_alive:
                    _send_all(exchange.sock, request)
                    exchange.sent = True
            except OSError:
                exchange.finished = time.perf_counter()  # failed: status 0
                continue
            fd = exchange.sock.fileno()
            exchanges[fd] = exchange
            poller.register(fd, select.EPOLLIN if exchange.sent else select.EPOLLOUT)
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
        for sock in warm:
            if sock is not None:
                sock.close()
        for exchange in ordered:
            if exchange.sock is not None:
                exchange.sock.close()


def answered(results: list[tuple[float, int]], ok: int = 200) -> tuple[list[float], int]:
    """The latencies of the requests answered ``ok``, and how many were not (failures)."""
    times = [seconds for seconds, status in results if status == ok]
    return times, len(results) - len(times)


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
