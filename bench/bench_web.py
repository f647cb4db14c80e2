"""The web chat (`tutorbot web`): page load to interactive in a real browser, and the latency
the web adapter adds to /tokenize over calling the Tutor directly.

- page load -> interactive: navigation start until the page has its transcript (the event
  stream's first event) and its completion catalog, in a fresh browser session each time
  (Debian's chromium via Playwright, loopback). Goal <= 0.3 s.
- added latency: the same /tokenize through the Tutor directly, and through the page's path
  (POST /api/send -> 202 -> the answer's entry on the event stream, timed by a client in its
  own process, as a browser would be), interleaved on the same worker pool; the difference of the medians. Goal
  <= 0.010 s. Also each web round trip minus the Tutor's own time inside it (timed around
  the ``handle`` call the adapter makes): the adapter's share without the pool's jitter.

Run: .venv/bin/python bench/bench_web.py
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, CookieJar, web  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from bench.common import percentile, report  # noqa: E402
from bot.app import build_tutor  # noqa: E402
from bot.settings import CoreSettings, WebSettings  # noqa: E402
from bot.web.server import WebChat  # noqa: E402
from bot.web.sessions import local_learner  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LINE = "/tokenize My name is Pawel"
PAGES, LATENCY_RUNS, WARMUP = 30, 60, 5


STAGES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return [nav.responseEnd, nav.domContentLoadedEventEnd, window.tutorbotReadyAt];
}"""


async def page_loads(base: str) -> tuple[list[list[float]], list[float], list[float]]:
    """Per fresh browser session: [the HTML received, DOMContentLoaded (script run),
    interactive] in s; interactive again on reloading that page (script and style cached,
    the session known); and DOMContentLoaded of a one-line page from the same server, the
    floor any page pays on this machine at the time."""
    times, reloads = [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for run in range(WARMUP + PAGES):
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(base + "/")
            await page.wait_for_selector("html[data-ready]")  # (the CSP forbids eval)
            stages = await page.evaluate(STAGES)  # ms since navigation start
            await page.reload()
            await page.wait_for_selector("html[data-ready]")
            again = await page.evaluate(STAGES)
            if run >= WARMUP:
                times.append([ms / 1000 for ms in stages])
                reloads.append(again[2] / 1000)
            await context.close()
        floor = []  # the same, for a one-line page: what any page costs on this machine now
        for run in range(WARMUP + PAGES):
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(base + "/floor")
            if run >= WARMUP:
                floor.append((await page.evaluate(STAGES))[1] / 1000)
            await context.close()
        await browser.close()
    return times, reloads, floor


def _browser(base: str, conn) -> None:
    """The browser's driver in its own process: Playwright's client work never delays the
    server's answers (they share no event loop)."""
    conn.send(asyncio.run(page_loads(base)))


async def page_loads_elsewhere(base: str) -> tuple[list[list[float]], ...]:
    ours, theirs = multiprocessing.Pipe()
    driver = multiprocessing.get_context("spawn").Process(target=_browser, args=(base, theirs))
    driver.start()
    try:
        return await asyncio.get_running_loop().run_in_executor(None, ours.recv)
    finally:
        driver.join(30)
        if driver.is_alive():
            driver.kill()


class Stopwatch:
    """The Tutor the web chat calls, timing each ``handle`` it serves (everything else goes
    straight through): what is left of a web round trip is the adapter's own cost."""

    def __init__(self, tutor) -> None:
        self.tutor = tutor
        self.took: list[float] = []

    async def handle(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return await self.tutor.handle(*args, **kwargs)
        finally:
            self.took.append(time.perf_counter() - start)

    def __getattr__(self, name: str):
        return getattr(self.tutor, name)


def _client(base: str, conn) -> None:
    """A separate process stands in for the browser: the client's own work (HTTP, reading
    the stream, JSON) does not run on the server's event loop. On "go" it sends /tokenize
    and answers with the seconds until the answer arrived on the stream."""

    async def run() -> None:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:  # an IP's cookie
            async with http.get(base + "/") as res:
                csrf = (await res.text()).split('name="csrf" content="')[1].split('"')[0]
            headers = {"Origin": base, "X-CSRF-Token": csrf}
            async with http.get(base + "/api/events") as stream:
                loop = asyncio.get_running_loop()
                conn.send("ready")
                while await loop.run_in_executor(None, conn.recv) == "go":
                    start = time.perf_counter()
                    async with http.post(base + "/api/send", json={"line": LINE},
                                         headers=headers) as res:
                        entry_id = (await res.json())["id"]
                    async for raw in stream.content:
                        if raw.startswith(b"data: "):
                            data = json.loads(raw[6:])
                            if data.get("id") == entry_id and data.get("state") == "done":
                                assert data["images"]
                                break
                    conn.send(time.perf_counter() - start)

    asyncio.run(run())


async def latencies(base: str, tutor, watch: Stopwatch) -> tuple[list[float], ...]:
    """Interleaved: /tokenize through the Tutor directly, then through the web chat."""
    direct, through_web, inside = [], [], []
    learner = local_learner()
    loop = asyncio.get_running_loop()
    ours, theirs = multiprocessing.Pipe()
    client = multiprocessing.get_context("spawn").Process(target=_client, args=(base, theirs))
    client.start()
    try:
        assert await loop.run_in_executor(None, ours.recv) == "ready"
        for run in range(WARMUP + LATENCY_RUNS):
            start = time.perf_counter()
            reply = await tutor.handle(learner, LINE)
            took_direct = time.perf_counter() - start
            assert reply.images
            ours.send("go")
            took_web = await loop.run_in_executor(None, ours.recv)
            if run >= WARMUP:
                direct.append(took_direct)
                through_web.append(took_web)
                inside.append(took_web - watch.took[-1])
        ours.send("stop")
    finally:
        client.join(10)
        if client.is_alive():
            client.kill()
    return direct, through_web, inside


async def floor_page(request: web.Request) -> web.Response:
    return web.Response(text="<!doctype html><title>floor</title><p>hello</p>",
                        content_type="text/html")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        core = CoreSettings(database_url=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp))
        settings = WebSettings.model_validate({"rate_per_minute": 6000, "rate_burst": 1000})
        async with build_tutor(core, workers=1, warmups=("tokenize",)) as tutor:
            watch = Stopwatch(tutor)
            chat = WebChat(watch, settings, host="127.0.0.1")
            app = chat.app()
            app.router.add_get("/floor", floor_page)
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            base = f"http://127.0.0.1:{runner.addresses[0][1]}"
            try:
                stages, reloads, floor = await page_loads_elsewhere(base)
                report("page: navigation -> HTML received", [s[0] for s in stages])
                report("page: navigation -> script run (DOMContentLoaded)", [s[1] for s in stages])
                report("page load -> interactive (transcript and completion ready; fresh "
                       "browser session)", [s[2] for s in stages], goal=0.3)
                report("page reload -> interactive (script and style cached)", reloads,
                       goal=0.3)
                report("floor: a one-line page from the same server, fresh browser session",
                       floor)
                direct, through_web, overhead = await latencies(base, tutor, watch)
            finally:
                await runner.cleanup()
    report("/tokenize through the Tutor directly", direct)
    report("/tokenize through the web chat (post -> answer on the stream)", through_web)
    added = statistics.median(through_web) - statistics.median(direct)
    paired = statistics.median(w - d for w, d in zip(through_web, direct, strict=True))
    own = statistics.median(overhead)
    print(f"web adapter's added latency: {added * 1000:.1f} ms (difference of medians; "
          f"median of paired differences {paired * 1000:.1f} ms) "
          f"(goal <= 10 ms: {'met' if added <= 0.010 else 'MISSED'})")
    print(f"the adapter's own share of each web round trip (round trip minus the Tutor's "
          f"time inside it): median {own * 1000:.1f} ms, p90 "
          f"{percentile(overhead, 0.9) * 1000:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
