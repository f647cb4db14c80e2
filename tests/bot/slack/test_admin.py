"""Facilitators: an allow-list, else Slack admins/owners from users.info (cached)."""

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.admin import AdminCheck


async def test_workspace_admins_are_asked_once_and_cached(fake):
    fake.admins.add("UADMIN")
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    now = [0.0]
    check = AdminCheck(ttl=600, clock=lambda: now[0])
    assert await check.is_admin(client, "T1", "UADMIN") is True
    assert await check.is_admin(client, "T1", "UADMIN") is True
    assert await check.is_admin(client, "T1", "UPLAIN") is False
    assert len(fake.named("users.info")) == 2
    now[0] = 601.0  # the cache expires
    assert await check.is_admin(client, "T1", "UADMIN") is True
    assert len(fake.named("users.info")) == 3


async def test_allow_list_replaces_users_info(fake):
    fake.admins.add("UADMIN")
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    check = AdminCheck(frozenset({"UFAC", "T2:UOTHER"}))
    assert await check.is_admin(client, "T1", "UFAC") is True
    assert await check.is_admin(client, "T1", "UADMIN") is False
    assert await check.is_admin(client, "T1", "UOTHER") is False
    assert await check.is_admin(client, "T2", "UOTHER") is True
    assert fake.named("users.info") == []


async def test_a_failing_users_info_means_not_admin(fake):
    fake.fail_next("users.info", 500, times=5)
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    assert await AdminCheck().is_admin(client, "T1", "UADMIN") is False
