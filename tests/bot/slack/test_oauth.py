"""Multi-workspace installs on Postgres: installations saved in tutorbot's own database by
slack_sdk's SQLAlchemy store; each workspace's commands are answered with its own token."""

import re
import time

import aiohttp
import pytest
from slack_sdk.oauth.installation_store.models import Installation

from bot.slack.app import build_app
from bot.slack.oauth import authorization_url, installation_store, oauth_settings
from bot.slack.server import start_http
from engine.domain.records import LearnerRef
from engine.storage.db import make_engine
from engine.storage.deliveries import ClaimLog
from testkit.fake_slack import INSTALLED_TEAM, INSTALLED_TOKEN, OAUTH_CODE
from testkit.slack_requests import slack_settings
from tests.bot.slack.conftest import Harness


@pytest.fixture
async def oauth_server(fake, tutor, slack_db_url):
    """The app in multi-workspace mode over HTTP: (app, installation store, base URL)."""
    settings = slack_settings(fake, bot_token=None, client_id="111.222",
                              client_secret="client-secret", state_secret="state-secret")
    store = installation_store(settings.client_id, make_engine(slack_db_url))
    engine = make_engine(slack_db_url)
    app = build_app(settings, tutor, claims=ClaimLog(engine),
                    oauth=oauth_settings(settings, store))
    runner = await start_http(app, "127.0.0.1", 0)
    yield app, store, f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()
    engine.dispose()
    store.store.engine.dispose()


@pytest.mark.parametrize("slack_db_url", ["postgres"], indirect=True)
async def test_each_installed_workspace_is_answered_with_its_own_token(fake, tutor,
                                                                       slack_db_url,
                                                                       oauth_server):
    app, store, base = oauth_server
    await store.async_save(Installation(
        app_id="A1", team_id="T2", user_id="UINSTALLER", bot_token="xoxb-team-two",
        bot_id="B2", bot_user_id="UBOT2", bot_scopes=["commands", "chat:write"],
        installed_at=time.time()))
    async with aiohttp.ClientSession() as http:
        harness = Harness(fake, tutor, app, f"{base}/slack/events", http, slack_db_url)
        status, _, _ = await harness.command("tokenize", "workspace two", team="T2")
        assert status == 200
        await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
        (complete,) = fake.named("files.completeUploadExternal")
        assert complete.headers["Authorization"] == "Bearer xoxb-team-two"
        learner_runs = tutor.store.learners.runs(LearnerRef("slack", "T2", "U1"))
        assert [r.canonical for r in learner_runs] == ["/tokenize workspace two"]
        async with http.get(f"{base}/slack/install", allow_redirects=False) as resp:
            page = await resp.text()
        assert resp.status == 200 and "oauth/v2/authorize" in page
        assert "client_id=111.222" in page and "state=" in page


@pytest.mark.parametrize("slack_db_url", ["sqlite", "postgres"], indirect=True)
async def test_installing_through_the_oauth_pages_then_using_the_new_workspace(
        fake, tutor, slack_db_url, oauth_server):
    app, store, base = oauth_server
    async with aiohttp.ClientSession() as browser:
        for code, ok in (("stolen-code", False), (OAUTH_CODE, True)):
            async with browser.get(f"{base}/slack/install") as resp:
                state = re.search(r"state=([^&\"']+)", await resp.text())[1]
                cookie = resp.cookies  # Secure: a browser sends it back over https
            headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in cookie.items())}
            async with browser.get(f"{base}/slack/oauth_redirect", headers=headers,
                                   params={"code": code, "state": state}) as resp:
                page = await resp.text()
                assert (resp.status == 200) is ok, page  # a refused code installs nothing
                if not ok:
                    assert not await store.async_find_bot(enterprise_id=None,
                                                          team_id=INSTALLED_TEAM)
    exchanges = fake.named("oauth.v2.access", ok_only=False)  # through SLACK_API_URL
    assert [e.params["code"] for e in exchanges] == ["stolen-code", OAUTH_CODE]
    installed = await store.async_find_bot(enterprise_id=None, team_id=INSTALLED_TEAM)
    assert installed is not None and installed.bot_token == INSTALLED_TOKEN
    async with aiohttp.ClientSession() as http:
        harness = Harness(fake, tutor, app, f"{base}/slack/events", http, slack_db_url)
        status, _, _ = await harness.command("tokenize", "fresh install",
                                             team=INSTALLED_TEAM)
        assert status == 200
        await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    (complete,) = fake.named("files.completeUploadExternal")
    assert complete.headers["Authorization"] == f"Bearer {INSTALLED_TOKEN}"


def test_authorization_url_follows_the_api_url():
    assert authorization_url("https://slack.com/api/") == "https://slack.com/oauth/v2/authorize"
    assert authorization_url("https://slack-gov.com/api/") == (
        "https://slack-gov.com/oauth/v2/authorize")
