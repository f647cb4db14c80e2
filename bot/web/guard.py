"""The web chat's gate: every request must name a host this server answers for (on a loopback
bind, a loopback name: no DNS rebinding), every post must come from the page itself (the same
Origin, a JSON body within the size limit and the session's CSRF token in a header), and
every answer carries the security headers (a Content-Security-Policy that allows no inline
script, no framing, no sniffing). Refusals are JSON the page shows as they are."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable

from aiohttp import web
from yarl import URL

from bot.web.sessions import same_secret

CSRF_HEADER = "X-CSRF-Token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CsrfOf = Callable[[web.Request], str | None]  # the CSRF token of the request's session


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is only reachable from this machine."""
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


REFUSALS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest, 401: web.HTTPUnauthorized, 403: web.HTTPForbidden,
    404: web.HTTPNotFound, 413: web.HTTPRequestEntityTooLarge,
    415: web.HTTPUnsupportedMediaType, 421: web.HTTPMisdirectedRequest,
    429: web.HTTPTooManyRequests}


def refuse(status: int, message: str) -> web.HTTPException:
    """An error the page shows as it is: ``{"error": message}``."""
    body = json.dumps({"error": message})
    if status == 413:
        return web.HTTPRequestEntityTooLarge(max_size=0, actual_size=0, text=body,
                                             content_type="application/json")
    return REFUSALS[status](text=body, content_type="application/json")


class Guard:
    """The aiohttp middleware that applies the checks above."""

    def __init__(self, *, loopback_only: bool, max_bytes: int, csrf_of: CsrfOf) -> None:
        self.loopback_only = loopback_only
        self.max_bytes = max_bytes
        self.csrf_of = csrf_of

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Every request: a Host this server answers for, size limits, and for posts the
        same Origin, a JSON body and the session's CSRF token. Security headers on every
        answer."""
        try:
            self._check_host(request)
            if request.method not in ("GET", "HEAD"):
                self._check_post(request)
            response = await handler(request)
        except web.HTTPException as err:
            if err.status in REFUSALS and not (err.text or "").startswith("{"):
                err = refuse(err.status, err.reason)  # aiohttp's own: JSON like ours
            err.headers.update(SECURITY_HEADERS)
            raise err from None
        if not response.prepared:  # a stream (events) set its own before it started
            response.headers.update(SECURITY_HEADERS)
        return response

    def _check_host(self, request: web.Request) -> None:
        if not self.loopback_only:
            return
        host = URL(f"http://{request.host}").host or ""
        if host.lower() not in LOOPBACK_NAMES and not is_loopback(host):
            raise refuse(421, "This tutorbot only answers at localhost (127.0.0.1).")

    def _check_post(self, request: web.Request) -> None:
        size = request.content_length
        if size is not None and size > self.max_bytes:
            raise refuse(413, f"That request is {size:,} bytes; the most accepted is "
                              f"{self.max_bytes:,}.")
        origin = request.headers.get("Origin")
        if not origin or URL(origin).raw_authority.lower() != request.host.lower():
            raise refuse(403, "Requests must come from the tutorbot page itself.")
        if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
            raise refuse(403, "Requests must come from the tutorbot page itself.")
        if request.content_type != "application/json":
            raise refuse(415, "Send JSON (Content-Type: application/json).")
        expected = self.csrf_of(request)
        token = request.headers.get(CSRF_HEADER, "")
        if expected is None or not same_secret(token, expected):
            raise refuse(403, "This page is out of date: reload it and try again.")
