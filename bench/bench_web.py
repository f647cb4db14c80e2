"""The web chat (`tutorbot web`): page load to interactive in a real browser, and the latency
the web adapter adds to /tokenize over calling the Tutor directly.

- page load -> interactive: navigation start until the page has its transcript (the event
  stream's first event) and its completion catalog, in a fresh browser session each time
  (Debian's chromium via Playwright, loopback). Goal <= 0.3 s.
- added latency: the same /tokenize through the Tutor directly, and through the page's path
  (POST /api/send -> 202 -> the answer's entry on the event stream), interleaved on the same
  worker pool; the difference of the medians. Goal <= 0.010 s.

Run: .venv/bin/python bench/bench_web.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, CookieJar, web  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from bench.common import report  # noqa: E402
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


async def page_loads(base: str) -> list[list[float]]:
    """Per fresh page: [the HTML received, DOMContentLoaded (script run), interactive], s."""
    times = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for run in range(WARMUP + PAGES):
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(base + "/")
            await page.wait_for_selector("html[data-ready]")  # (the CSP forbids eval)
            stages = await page.evaluate(STAGES)  # ms since navigation start
            if run >= WARMUP:
                times.append([ms / 1000 for ms in stages])
            await context.close()
        await browser.close()
    return times


async def latencies(base: str, tutor) -> tuple[list[float], list[float]]:
    direct, through_web = [], []
    learner = local_learner()
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:  # an IP's cookie
        async with http.get(base + "/") as res:
            csrf = (await res.text()).split('name="csrf" content="')[1].split('"')[0]
        async with http.get(base + "/api/events") as stream:
            lines = stream.content

            async def answer(entry_id: int) -> dict:
                async for raw in lines:
                    if raw.startswith(b"data: "):
                        data = json.loads(raw[6:])
                        if data.get("id") == entry_id and data.get("state") == "done":
                            return data
                raise RuntimeError("the event stream ended")

            headers = {"Origin": base, "X-CSRF-Token": csrf}
            for run in range(WARMUP + LATENCY_RUNS):
                start = time.perf_counter()
                reply = await tutor.handle(learner, LINE)
                took_direct = time.perf_counter() - start
                assert reply.images
                start = time.perf_counter()
                async with http.post(base + "/api/send", json={"line": LINE},
                                     headers=headers) as res:
                    entry_id = (await res.json())["id"]
                done = await answer(entry_id)
                took_web = time.perf_counter() - start
                assert done["images"]
                if run >= WARMUP:
                    direct.append(took_direct)
                    through_web.append(took_web)
    return direct, through_web


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        core = CoreSettings(database_url=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp))
        settings = WebSettings.model_validate({"rate_per_minute": 6000, "rate_burst": 1000})
        async with build_tutor(core, workers=1, warmups=("tokenize",)) as tutor:
            chat = WebChat(tutor, settings, host="127.0.0.1")
            runner = web.AppRunner(chat.app(), access_log=None, shutdown_timeout=1)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            base = f"http://127.0.0.1:{runner.addresses[0][1]}"
            try:
                stages = await page_loads(base)
                report("page: navigation -> HTML received", [s[0] for s in stages])
                report("page: navigation -> script run (DOMContentLoaded)", [s[1] for s in stages])
                report("page load -> interactive (transcript and completion ready; fresh "
                       "browser session)", [s[2] for s in stages], goal=0.3)
                direct, through_web = await latencies(base, tutor)
            finally:
                await runner.cleanup()
    report("/tokenize through the Tutor directly", direct)
    report("/tokenize through the web chat (post -> answer on the stream)", through_web)
    added = statistics.median(through_web) - statistics.median(direct)
    paired = statistics.median(w - d for w, d in zip(through_web, direct, strict=True))
    verdict = "met" if added <= 0.010 else "MISSED"
    print(f"web adapter's added latency: {added * 1000:.1f} ms (difference of medians; "
          f"median of paired differences {paired * 1000:.1f} ms) "
          f"(goal <= 10 ms: {verdict})")


if __name__ == "__main__":
    asyncio.run(main())
