"""Which HTTP proxy a URL goes through: ``HTTPS_PROXY`` / ``HTTP_PROXY`` (either case), and
``NO_PROXY`` naming hosts that go direct -- the same rules as curl, requests and aiohttp's
``trust_env``. Every Slack and Discord call follows them (README, "Proxies")."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

WEBSOCKET_SCHEMES = {"ws": "http", "wss": "https"}  # a websocket uses its HTTP(S) proxy


def proxy_for(url: str) -> str | None:
    """The proxy the environment chooses for ``url``, or None to connect directly."""
    parts = urlsplit(url)
    scheme = WEBSOCKET_SCHEMES.get(parts.scheme, parts.scheme)
    if parts.hostname and urllib.request.proxy_bypass_environment(parts.hostname):
        return None
    return urllib.request.getproxies_environment().get(scheme)
