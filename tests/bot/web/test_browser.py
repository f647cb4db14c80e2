"""`tutorbot web` in a real browser: Debian's chromium driven by Playwright, against the real
server, the real Tutor, worker pool and SQLite database. Each test has a fresh browser
context (a fresh browser session: its own cookie, transcript and learner-scoped pictures)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.app import build_tutor
from bot.settings import CoreSettings
from engine.services.tutor import Tutor
from tests.bot.web.conftest import (
    ADMIN_TOKEN,
    CHROMIUM,
    CHROMIUM_FLAGS,
    TOKEN,
    screenshot_dir,
    serving,
    web_settings,
)

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]
WAIT = 60_000  # ms: a demo on a loaded CI machine
PHONE = {"width": 390, "height": 844}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def tutor(tmp_path_factory) -> AsyncIterator[Tutor]:
    data = tmp_path_factory.mktemp("web-data")
    settings = CoreSettings(database_url=f"sqlite:///{data / 'tutorbot.db'}", data_dir=data)
    async with build_tutor(settings, workers=1, warmups=("tokenize", "train_demo")) as tutor:
        yield tutor


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def local_url(tutor) -> AsyncIterator[str]:
    async with serving(tutor, web_settings()) as (base, _):
        yield base


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def workshop_url(tutor) -> AsyncIterator[str]:
    settings = web_settings(token=TOKEN, admin_token=ADMIN_TOKEN)
    async with serving(tutor, settings) as (base, _):
        yield base


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                    args=CHROMIUM_FLAGS, headless=True)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1000, "height": 800})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    yield page
    await context.close()
    assert not errors, f"the page's script failed: {errors}"


async def open_chat(page: Page, base: str) -> None:
    await page.goto(base + "/")
    await expect(page.locator("html[data-ready]")).to_have_count(1, timeout=WAIT)


async def send(page: Page, line: str) -> None:
    await page.locator("#line").fill(line)
    await page.locator("#line").press("Enter")


def last_answer(page: Page):
    return page.locator("#transcript > li.entry.tutor").last


async def shoot(page: Page, name: str) -> None:
    folder = screenshot_dir()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(folder / name))


async def test_tokenize_shows_its_picture_inline_and_enlarged(page, local_url, browser):
    await open_chat(page, local_url)
    await send(page, "/tokenize My name is Pawel")
    answer = last_answer(page)
    await expect(answer).to_have_class("entry tutor done", timeout=WAIT)
    await expect(answer).to_contain_text("5 tokens")
    await expect(answer.locator(".text strong").first).to_have_text("5 tokens")  # **5 tokens**
    assert await answer.locator(".text em").count() > 0  # _What to notice_ lines
    picture = answer.locator(".pictures img")
    await expect(picture).to_have_count(1)
    await picture.evaluate("img => img.decode()")  # loaded and decodable
    assert await picture.evaluate("img => img.naturalWidth") > 0
    assert await picture.get_attribute("alt")
    await expect(page.locator("#transcript > li.entry.you")).to_have_text(
        "/tokenize My name is Pawel")
    await shoot(page, "web-tokenize.png")

    await answer.locator(".pictures .thumb").click()  # click to enlarge
    viewer = page.locator("#viewer")
    await expect(viewer).to_be_visible()
    assert await page.locator("#viewer-img").evaluate("img => img.naturalWidth") > 0
    await page.keyboard.press("Escape")
    await expect(viewer).to_be_hidden()

    # the picture's URL works for this learner only: another browser session gets 404
    url = local_url + await picture.get_attribute("src")
    assert (await page.request.get(url)).status == 200
    stranger = await browser.new_context()
    try:
        assert (await stranger.request.get(url)).status == 404
    finally:
        await stranger.close()

    # the transcript is kept per browser session, and ↑ recalls what was sent
    await page.reload()
    await expect(page.locator("html[data-ready]")).to_have_count(1, timeout=WAIT)
    await expect(last_answer(page)).to_contain_text("5 tokens")
    await page.locator("#line").press("ArrowUp")
    await expect(page.locator("#line")).to_have_value("/tokenize My name is Pawel")


async def test_a_quiz_button_press_shows_the_feedback(page, local_url):
    await open_chat(page, local_url)
    await send(page, "/quiz")
    await expect(last_answer(page)).to_have_class("entry tutor done", timeout=WAIT)
    question = page.locator(
        f'#transcript > li[data-id="{await last_answer(page).get_attribute("data-id")}"]')
    choices = question.locator(".actions button")
    assert await choices.count() >= 2
    await shoot(page, "web-quiz.png")
    await choices.first.click()
    await expect(page.locator("#transcript > li.entry.press")).to_have_count(1)
    feedback = last_answer(page)
    await expect(feedback).to_have_class("entry tutor done", timeout=WAIT)
    text = await feedback.inner_text()
    assert "Right!" in text or "Not quite." in text, text
    await expect(question.locator(".actions button").first).to_have_attribute(
        "aria-pressed", "true")


async def test_a_long_demo_shows_live_progress_then_its_answer_in_its_place(page, local_url):
    await open_chat(page, local_url)
    # batch=3: 84 updates an epoch, seconds even on a quiet machine, so progress
    # reports (every 0.5 s) are surely shown before the answer replaces them
    await send(page, "/train-demo dataset=spiral layers=8,8,8 epochs=1000 batch=3 seed=3")
    await expect(page.locator("#transcript > li.entry.tutor")).to_have_count(1)
    answer = page.locator(
        f'#transcript > li[data-id="{await last_answer(page).get_attribute("data-id")}"]')
    progress = answer.locator(".progress progress")
    await expect(progress).to_have_count(1, timeout=WAIT)  # live progress in the entry
    await expect(answer.locator(".progress")).to_contain_text("Training")
    await shoot(page, "web-progress.png")
    await expect(answer).to_have_class("entry tutor done", timeout=WAIT)
    # the same entry now holds the answer; the progress is gone
    await expect(page.locator("#transcript > li.entry.tutor")).to_have_count(1)
    await expect(answer.locator(".progress")).to_have_count(0)
    await expect(answer.locator(".pictures img")).to_have_count(1)
    assert await answer.locator(".pictures img").evaluate(
        "async img => { await img.decode(); return img.naturalWidth; }") > 0
    await expect(answer.locator(".reproduce code")).to_have_text(
        "/train-demo dataset=spiral layers=8,8,8 batch=3 epochs=1000 seed=3")
    await shoot(page, "web-train-demo.png")


async def test_completion_offers_commands_options_and_choices(page, local_url):
    await open_chat(page, local_url)
    line, suggestions = page.locator("#line"), page.locator("#suggest li .value")
    await line.press_sequentially("/tra")
    await expect(suggestions).to_have_text(["/train-demo"])
    await line.press("Tab")
    await expect(line).to_have_value("/train-demo ")
    offered = await suggestions.all_inner_texts()
    for option in ("dataset=", "layers=", "activation=", "epochs=", "model=", "seed="):
        assert option in offered, offered
    await line.press_sequentially("act")
    await expect(suggestions).to_have_text(["activation="])
    await line.press("Tab")
    await expect(suggestions).to_contain_text(["relu", "tanh"])
    await line.press_sequentially("re")
    await expect(suggestions).to_have_text(["relu"])
    await line.press("Tab")
    await expect(line).to_have_value("/train-demo activation=relu ")
    await line.press_sequentially("features=x1,")  # a list: completes the next item
    values = await suggestions.all_inner_texts()
    assert "x2" in values and "x1" not in values, values
    await shoot(page, "web-completion.png")
    await line.fill("/settings timezone=warsaw")  # time zones by city
    await line.press("Tab")
    await expect(line).to_have_value("/settings timezone=Europe/Warsaw ")


XSS = ('<img src=x onerror="window.pwned=1"> <script>window.pwned=2</script> '
       '**<b onmouseover="window.pwned=3">bold</b>** `</code><svg onload="window.pwned=4">`')


async def test_an_xss_payload_stays_inert_text(page, local_url):
    await open_chat(page, local_url)
    await send(page, f"/tokenize {XSS}")
    answer = last_answer(page)
    await expect(answer).to_have_class("entry tutor done", timeout=WAIT)
    await send(page, XSS)  # plain words too (a question)
    await expect(page.locator("#transcript > li.entry.tutor")).to_have_count(2)
    await expect(last_answer(page)).not_to_have_class("entry tutor working", timeout=WAIT)
    await page.wait_for_timeout(300)
    transcript = page.locator("#transcript")
    assert await page.evaluate("() => window.pwned") is None
    for tag in ("script", "svg", "b", "img[src='x']", "[onerror]", "[onload]",
                "[onmouseover]"):
        assert await transcript.locator(tag).count() == 0, tag
    await expect(page.locator("#transcript > li.entry.you").first).to_have_text(f"/tokenize {XSS}")
    # the transcript also comes inside the page when it loads: still text, still inert
    html = await (await page.request.get(local_url + "/")).text()
    assert html.count("</script>") == 2 and "<svg" not in html and "<img src=x" not in html
    await page.reload()
    await expect(page.locator("html[data-ready]")).to_have_count(1, timeout=WAIT)
    await expect(page.locator("#transcript > li.entry.you").first).to_have_text(f"/tokenize {XSS}")
    assert await page.evaluate("() => window.pwned") is None
    for tag in ("script", "svg", "b", "img[src='x']"):
        assert await transcript.locator(tag).count() == 0, tag
    # the markdown subset still works: the help's **tutorbot** is bold, `/help x` is code
    await send(page, "/help")
    await expect(last_answer(page).locator("strong").first).to_have_text("tutorbot",
                                                                          timeout=WAIT)
    await expect(last_answer(page).locator("li code").first).to_have_text("/help")


async def test_a_wrong_token_is_refused_and_the_right_one_signs_in(page, workshop_url):
    await page.goto(workshop_url + "/")
    await expect(page.locator("#signin-form")).to_be_visible()
    await expect(page.locator("#composer")).to_be_hidden()
    await page.locator("#token").fill("not-the-token-at-all")
    await page.locator("#name").fill("Ada")
    await page.locator("#signin-form button").click()
    await expect(page.locator("#signin-error")).to_contain_text("That token is not right")
    assert (await page.request.get(workshop_url + "/api/events")).status == 401

    await page.locator("#token").fill(TOKEN)
    await page.locator("#signin-form button").click()
    await expect(page.locator("html[data-ready]")).to_have_count(1, timeout=WAIT)
    await expect(page.locator("#who")).to_have_text("Ada")
    await expect(page.locator("#nav-cohort")).to_be_hidden()  # not a facilitator
    await send(page, "/cohort")
    await expect(last_answer(page)).to_contain_text("facilitators", timeout=WAIT)


async def test_the_facilitator_sees_the_cohort_view_on_a_phone(browser, workshop_url):
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    try:
        await page.goto(workshop_url + "/")
        await page.locator("#token").fill(ADMIN_TOKEN)
        await page.locator("#name").fill("Grace")
        await page.locator("#signin-form button").click()
        await expect(page.locator("#who")).to_have_text("Grace · facilitator", timeout=WAIT)
        await page.locator("#nav-cohort").click()
        body = page.locator("#cohort-body")
        await expect(body.locator(".pictures img")).to_have_count(1, timeout=WAIT)
        assert await body.locator(".pictures img").evaluate(
            "async img => { await img.decode(); return img.naturalWidth; }") > 0
        await expect(body).to_contain_text("Weekly digest")
        # readable on a phone: nothing wider than the screen
        assert await page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        await shoot(page, "web-cohort-phone.png")
    finally:
        await context.close()
