"""The harness floor for the Slack ack bench: a bare aiohttp server that only answers 200,
hit by the same raw load generator (`rawload.py`) with the same burst of 200 requests. Whatever
`bench_slack_ack.py` measures cannot beat this on the same machine; the difference between
the two is tutorbot's own share (signature check, routing, ack).

Run: .venv/bin/python bench/bench_http_floor.py
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web  # noqa: E402

from bench import rawload  # noqa: E402
from bench.common import percentile  # noqa: E402

BODY = (b"token=x&team_id=T1&user_id=U1&command=%2Ftokenize&text=hello+world"
        b"&response_url=http%3A%2F%2F127.0.0.1%2Fr&trigger_id=1.2.3")


def serve(ports) -> None:
    """Child process: the bare server on a free port, which it hands back through ``ports``
    once it is listening."""

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    async def run() -> None:
        app = web.Application()
        app.add_routes([web.post("/x", answer)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
        ports.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(run())


def main() -> None:
    ctx = mp.get_context("spawn")
    ports = ctx.Queue()
    server = ctx.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    address = ("127.0.0.1", ports.get(timeout=60))  # listening from here on
    request = rawload.post("/x", BODY, {"Content-Type": "application/x-www-form-urlencoded"})
    try:
        for keep_alive in (False, True, False, True):
            times, failed = rawload.answered(rawload.burst(address, [request] * 200,
                                                           keep_alive=keep_alive))
            kind = "open connections" if keep_alive else "new connections"
            failures = f", {failed} of 200 FAILED" if failed else ""
            figures = (f"p50 {statistics.median(times) * 1000:.1f} ms, "
                       f"p99 {percentile(times, 0.99) * 1000:.1f} ms" if times else "no answer")
            print(f"bare server, burst of 200 ({kind}): {figures}{failures}")
            time.sleep(0.5)
    finally:
        server.kill()


if __name__ == "__main__":
    main()
