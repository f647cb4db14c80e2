"""Discord shards: each instance identifies with its own shard ids (DISCORD_SHARD_*)."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from bot.discord.client import ShardedTutorBot, TutorBot, make_bot
from bot.settings import DiscordSettings


def settings_for(fake, **shards) -> DiscordSettings:
    return DiscordSettings(token="fake-token", api_base=fake.api_base,
                           gateway_url=fake.gateway_url, **shards)


async def test_an_instance_with_one_shard_identifies_with_it(fake):
    bot = make_bot(settings_for(fake, shard_count=3, shard_ids="2"), guild_ready_timeout=0.05)
    assert type(bot) is TutorBot
    runner = asyncio.create_task(bot.serve("fake-token"))
    try:
        await asyncio.wait_for(fake.identified.wait(), 30)
        assert fake.identify["shard"] == [2, 3]
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)


async def test_unsharded_by_default_and_several_shards_in_one_process(fake):
    async with make_bot(settings_for(fake)) as plain:
        assert type(plain) is TutorBot and plain.shard_count is None
    async with make_bot(settings_for(fake, shard_count=4, shard_ids="0-1, 3")) as several:
        assert isinstance(several, ShardedTutorBot)
        assert several.shard_ids == [0, 1, 3] and several.shard_count == 4
    async with make_bot(settings_for(fake, shard_count=2)) as every:
        assert every.shard_ids == [0, 1]


def test_shard_settings_are_checked_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "1")
    with pytest.raises(ValidationError, match="needs DISCORD_SHARD_COUNT"):
        DiscordSettings()
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "2")
    assert DiscordSettings().shards == [1]
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0,2")
    with pytest.raises(ValidationError, match="below DISCORD_SHARD_COUNT"):
        DiscordSettings()
    monkeypatch.setenv("DISCORD_SHARD_IDS", "x")
    with pytest.raises(ValidationError):
        DiscordSettings()
