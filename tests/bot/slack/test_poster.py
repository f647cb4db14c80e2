"""The scheduler's Slack poster against the fake Slack: the message ts, DMs, per-workspace bot
tokens from the installation store (OAuth installs), and failures left to the scheduler."""

import time

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.models import Installation

from bot.slack.app import build_client
from bot.slack.oauth import installation_store
from bot.slack.poster import NotInstalled, SlackPoster
from engine.domain.records import ChannelRef
from engine.domain.replies import Button, Reply
from engine.storage.db import make_engine
from testkit.fake_slack import TEAM
from testkit.slack_requests import slack_settings

QUIZ = Reply("**Daily quiz**: what is a token?",
             buttons=(Button("quiz:7:0", "A word"), Button("quiz:7:1", "A piece of text")))


async def test_posts_into_the_channel_and_returns_the_message_ts(fake):
    poster = SlackPoster(build_client(slack_settings(fake)))
    ts = await poster.post(ChannelRef("slack", TEAM, "C1"), QUIZ)
    (post,) = fake.named("chat.postMessage")
    assert ts == post.answer["ts"] and post.params["channel"] == "C1"
    assert post.params["text"].startswith("*Daily quiz*")
    blocks = fake.blocks(post)
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["quiz:7:0", "quiz:7:1"]
    assert post.headers["Authorization"] == "Bearer xoxb-test"


async def test_a_user_channel_is_a_dm_opened_once(fake):
    poster = SlackPoster(build_client(slack_settings(fake)))
    dm = ChannelRef("slack", TEAM, "@U5")
    await poster.post(dm, Reply("2 questions are due", ephemeral=True))  # still posted
    await poster.post(dm, Reply("1 question is due"))
    assert [c.params["users"] for c in fake.named("conversations.open")] == ["U5"]
    assert [c.params["channel"] for c in fake.named("chat.postMessage")] == ["DU5", "DU5"]
    assert not fake.named("chat.postEphemeral", "response")


async def test_a_channel_without_the_bot_fails_the_post_and_dms_nobody(fake):
    fake.not_member.add("C9")
    poster = SlackPoster(build_client(slack_settings(fake)))
    with pytest.raises(SlackApiError):
        await poster.post(ChannelRef("slack", TEAM, "C9"), QUIZ)
    assert not fake.named("conversations.open")  # the scheduler logs it and retries later


async def test_multi_workspace_posts_with_the_workspace_bot_token(fake, slack_db_url):
    settings = slack_settings(fake, bot_token=None, client_id="111.222",
                              client_secret="client-secret", state_secret="state-secret")
    store = installation_store(settings.client_id, make_engine(slack_db_url))
    try:
        for team, token in (("T2", "xoxb-team-two"), ("T3", "xoxb-team-three")):
            await store.async_save(Installation(
                app_id="A1", team_id=team, user_id="UINSTALLER", bot_token=token,
                bot_id=f"B{team}", bot_user_id=f"UBOT{team}", installed_at=time.time(),
                bot_scopes=["commands", "chat:write"]))
        poster = SlackPoster(build_client(settings), store)
        await poster.post(ChannelRef("slack", "T2", "C1"), QUIZ)
        await poster.post(ChannelRef("slack", "T3", "@U7"), Reply("a reminder"))
        await poster.post(ChannelRef("slack", "T2", "C1"), QUIZ)
        tokens = [c.headers["Authorization"] for c in fake.calls]
        assert tokens == ["Bearer xoxb-team-two", "Bearer xoxb-team-three",  # open, post
                          "Bearer xoxb-team-three", "Bearer xoxb-team-two"]
        with pytest.raises(NotInstalled, match="T4"):
            await poster.post(ChannelRef("slack", "T4", "C1"), QUIZ)
        assert len(fake.calls) == 4
    finally:
        store.store.engine.dispose()


async def test_a_rejected_token_is_looked_up_again(fake, slack_db_url):
    settings = slack_settings(fake, bot_token=None, client_id="111.222",
                              client_secret="client-secret", state_secret="state-secret")
    store = installation_store(settings.client_id, make_engine(slack_db_url))
    try:
        install = dict(app_id="A1", team_id="T2", user_id="UINSTALLER", bot_id="B2",
                       bot_user_id="UBOT2", bot_scopes=["chat:write"])
        await store.async_save(Installation(bot_token="xoxb-old", installed_at=time.time(),
                                            **install))
        poster = SlackPoster(build_client(settings), store)
        await poster.post(ChannelRef("slack", "T2", "C1"), QUIZ)
        await store.async_save(Installation(bot_token="xoxb-new", installed_at=time.time() + 1,
                                            **install))  # reinstalled: a new token
        fake.revoked.add("xoxb-old")
        with pytest.raises(SlackApiError):
            await poster.post(ChannelRef("slack", "T2", "C1"), QUIZ)  # the cached token
        await poster.post(ChannelRef("slack", "T2", "C1"), QUIZ)
        tokens = [c.headers["Authorization"] for c in fake.named("chat.postMessage")]
        assert tokens == ["Bearer xoxb-old", "Bearer xoxb-new"]
    finally:
        store.store.engine.dispose()
