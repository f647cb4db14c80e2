"""The raw load generator against a tiny threaded HTTP server on loopback: chunked answers
are timed to their last chunk, and a refused or reset connection is a failed request
(status 0), not a crash."""

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from bench import rawload

HEADER_END = b"\r\n\r\n"


class Handler(socketserver.BaseRequestHandler):
    """Reads each request (headers and Content-Length body), then answers as the server's
    ``mode`` says, as many times as the client asks on the connection."""

    def handle(self) -> None:
        sock: socket.socket = self.request
        data = b""
        while True:
            while HEADER_END not in data:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    return
                data += chunk
            head, _, data = data.partition(HEADER_END)
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            while len(data) < length:
                data += sock.recv(1 << 20)
            data = data[length:]
            if not self.answer(sock):
                return

    def answer(self, sock: socket.socket) -> bool:
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode == "reset":  # an RST instead of an answer (closed here: no FIN first)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return False
        if mode == "chunked":  # the headers at once, the body 0.3 s later
            sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            time.sleep(0.3)
            sock.sendall(b"5\r\nhello\r\n0\r\n\r\n")
            return True
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        return True


@pytest.fixture
def server() -> Iterator[socketserver.ThreadingTCPServer]:
    socketserver.ThreadingTCPServer.daemon_threads = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as srv:
        srv.mode = "ok"  # type: ignore[attr-defined]
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        yield srv
        srv.shutdown()


def request(body: bytes = b"x") -> bytes:
    return rawload.post("/x", body, {"Content-Type": "text/plain"})


def address(srv: socketserver.ThreadingTCPServer) -> tuple[str, int]:
    return srv.server_address[0], srv.server_address[1]


def test_a_chunked_answer_is_whole_only_with_its_last_chunk(server):
    server.mode = "chunked"
    ((seconds, status),) = rawload.burst(address(server), [request()])
    assert status == 200 and seconds >= 0.3


def test_a_refused_connection_is_a_failed_request():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nobody = sock.getsockname()
    for keep_alive in (False, True):
        results = rawload.burst(nobody, [request()] * 3, keep_alive=keep_alive, timeout=5)
        assert [status for _, status in results] == [0, 0, 0]


def test_a_reset_connection_is_a_failed_request(server):
    server.mode = "reset"
    results = rawload.burst(address(server), [request()] * 3, timeout=5)
    assert [status for _, status in results] == [0, 0, 0]
