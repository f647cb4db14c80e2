"""The undocumented parts of discord.py tutorbot relies on (README: Architecture → Private
hooks), pinned: each test fails loudly when a discord.py upgrade moves one of them.

discord.py has no setting for its REST base or its gateway URL; ``use_endpoints`` sets the
class attributes it reads them from (``discord.http.Route.BASE``,
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``), so a proxy or the loopback fakes can
stand in for discord.com.
"""

from __future__ import annotations

import asyncio

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.discord.client import use_endpoints
from bot.settings import DiscordSettings


def test_discord_py_builds_every_rest_url_from_route_base(fake):
    assert isinstance(discord.http.Route.__dict__.get("BASE"), str), (
        "discord.http.Route.BASE is gone: use_endpoints can no longer point REST elsewhere")
    use_endpoints(DiscordSettings(token="t", api_base=fake.api_base + "/",
                                  gateway_url=fake.gateway_url))
    route = discord.http.Route("POST", "/interactions/{id}/{token}/callback", id=1, token="x")
    assert route.url == f"{fake.api_base}/interactions/1/x/callback"


def test_discord_py_opens_its_gateway_at_default_gateway(fake):
    assert isinstance(DiscordWebSocket.__dict__.get("DEFAULT_GATEWAY"), yarl.URL), (
        "DiscordWebSocket.DEFAULT_GATEWAY is gone: use_endpoints can no longer point the "
        "gateway elsewhere")
    use_endpoints(DiscordSettings(token="t", api_base=fake.api_base,
                                  gateway_url=fake.gateway_url))
    assert yarl.URL(fake.gateway_url) == DiscordWebSocket.DEFAULT_GATEWAY


async def test_a_bot_reaches_the_configured_rest_base_and_gateway_and_nothing_else(
        start_bot, fake, loopback):
    """Behaviour, not just the attributes: with both set, login and the gateway connection
    go to the fake (the loopback guard would refuse discord.com and fail the test)."""
    async with start_bot():
        await asyncio.wait_for(fake.identified.wait(), 10)
    assert fake.find("GET", r"/users/@me$"), "the login did not reach the configured REST base"
    assert loopback.refused == []
