"""The web chat on a real loopback server, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import ClientSession, web

from bot.settings import WebSettings
from bot.web.server import WebChat
from engine.services.tutor import Tutor

CHROMIUM = "/usr/bin/chromium"  # apt-get install chromium (.ci/run does)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
TOKEN = "workshop-token-1234"
ADMIN_TOKEN = "facilitator-token-5678"
CSRF = re.compile(r'<meta name="csrf" content="([^"]+)">')


def web_settings(**changes) -> WebSettings:
    """Settings from these arguments only, never from the environment of the test run."""
    return WebSettings.model_validate(changes)


@asynccontextmanager
async def serving(tutor: Tutor, settings: WebSettings,
                  host: str = "127.0.0.1") -> AsyncIterator[tuple[str, WebChat]]:
    """The web chat listening on a free loopback port: its base URL and the adapter."""
    chat = WebChat(tutor, settings, host=host)
    runner = web.AppRunner(chat.app(), shutdown_timeout=2)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://{host}:{port}", chat
    finally:
        await runner.cleanup()


async def open_page(http: ClientSession, base: str) -> str:
    """GET the page (the session cookie lands in ``http``); the page's CSRF token."""
    async with http.get(base + "/") as res:
        assert res.status == 200
        return CSRF.search(await res.text()).group(1)


def post_headers(base: str, csrf: str) -> dict[str, str]:
    return {"Origin": base, "X-CSRF-Token": csrf}


def screenshot_dir() -> Path | None:
    """Where the browser tests save README screenshots (scripts/web_screenshots.py)."""
    folder = os.environ.get("TUTORBOT_SCREENSHOTS")
    return Path(folder) if folder else None
