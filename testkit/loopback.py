"""A guard for the chat adapters' tests: every DNS look-up and every connection must stay on
loopback, where the fakes listen. It patches the environment (the ``socket`` module), never
the system under test, so a client that ignored SLACK_API_URL or DISCORD_API_BASE and went to
the real slack.com or discord.com would be refused here and named at the test's end."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class OffLoopback(OSError):
    """A look-up or connection to a host other than loopback (an OSError, as a real network
    failure would be, so clients fail the way they would without a network)."""


def is_loopback(host: Any) -> bool:
    """True for loopback addresses and names; also for ``None`` (the local host) and Unix
    socket paths, which never leave the machine."""
    if host is None or host == "":
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).split("%", 1)[0]  # an IPv6 scope id
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackOnly:
    """Records every look-up and TCP/UDP connection; refuses those off loopback."""

    def __init__(self) -> None:
        self.looked_up: list[str] = []
        self.connected: list[tuple[str, int]] = []
        self.refused: list[str] = []

    def check(self, what: str, host: Any, port: Any) -> None:
        if not is_loopback(host):
            self.refused.append(f"{what} {host}:{port}")
            raise OffLoopback(f"tests stay on loopback; refused {what} {host}:{port}")

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_getaddrinfo = socket.getaddrinfo
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        guard = self

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            guard.check("look-up of", host, port)
            guard.looked_up.append(str(host))
            return real_getaddrinfo(host, port, *args, **kwargs)

        def destination(sock: socket.socket, address: Any) -> None:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                guard.check("connection to", address[0], address[1])
                guard.connected.append((str(address[0]), int(address[1])))

        def connect(sock: socket.socket, address: Any) -> None:
            destination(sock, address)
            return real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            destination(sock, address)
            return real_connect_ex(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@contextmanager
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackOnly]:
    """Guard a test; fail it at the end if anything tried to leave loopback (even when the
    code under test caught the refusal and carried on)."""
    guard = LoopbackOnly()
    guard.install(monkeypatch)
    yield guard
    if guard.refused:
        pytest.fail("left loopback: " + "; ".join(guard.refused), pytrace=False)
