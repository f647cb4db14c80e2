"""``tutorbot web``: the browser chat on the same Tutor, worker pool, database and daily-quiz
scheduler as every other adapter, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from aiohttp import web

from bot.app import build_tutor, running_scheduler, settle_heap
from bot.errors import SetupError
from bot.settings import CoreSettings, WebSettings
from bot.web.guard import is_loopback
from bot.web.server import WebChat

log = logging.getLogger(__name__)


def check_bind(host: str, settings: WebSettings) -> None:
    """Anywhere but loopback needs a token: the page would be open to the whole network."""
    if not is_loopback(host) and settings.token is None:
        raise SetupError(
            f"Refusing to listen on {host}: anyone on the network could use tutorbot as you. "
            "Set TUTORBOT_WEB_TOKEN (at least 12 characters) so people sign in with it, or "
            "leave --host at 127.0.0.1.")


async def serve(core: CoreSettings, settings: WebSettings, *, host: str, port: int) -> int:
    check_bind(host, settings)
    async with build_tutor(core) as tutor:
        chat = WebChat(tutor, settings, host=host)
        runner = web.AppRunner(chat.app(), access_log=None, shutdown_timeout=5)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as err:
            await runner.cleanup()
            raise SetupError(f"Cannot listen on {host}:{port} ({err.strerror}); choose "
                             "another --port.") from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        shown = f"[{host}]" if ":" in host else host
        bound = runner.addresses[0][1] if runner.addresses else port
        how = ("sign in with TUTORBOT_WEB_TOKEN" if settings.token else
               "you are the only learner, and the facilitator")
        print(f"tutorbot web: open http://{shown}:{bound}/ in your browser ({how}). "
              "Ctrl-C stops it.", file=sys.stderr, flush=True)
        settle_heap()
        try:
            async with running_scheduler(tutor, {"web": chat.post}):
                await stop.wait()
        finally:
            await runner.cleanup()
    return 0
