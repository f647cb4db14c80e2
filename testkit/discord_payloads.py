"""INTERACTION_CREATE payloads as Discord sends them (slash commands and button clicks)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from testkit.fake_discord import (
    APP_ID,
    BOT_USER,
    CHANNEL_ID,
    FILE_LIMIT,
    GUILD_ID,
    snowflake,
    user,
)

OPTION_TYPES = {bool: 5, int: 4, float: 10, str: 3}
LEARNER_ID = "1400000000000000004"


def _where(guild: bool, user_id: str, permissions: int) -> dict[str, Any]:
    learner = user(user_id, "pawel")
    if not guild:
        return {"user": learner, "context": 1,
                "channel": {"id": CHANNEL_ID, "type": 1, "recipients": [learner],
                            "last_message_id": None}}
    return {
        "guild_id": GUILD_ID, "guild_locale": "en-US", "context": 0,
        "channel": {"id": CHANNEL_ID, "type": 0, "guild_id": GUILD_ID, "name": "cohort-1",
                    "position": 0, "permission_overwrites": [], "nsfw": False,
                    "parent_id": None, "topic": None, "last_message_id": None,
                    "rate_limit_per_user": 0, "flags": 0},
        "member": {"user": learner, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00",
                   "deaf": False, "mute": False, "flags": 0, "nick": None, "avatar": None,
                   "pending": False, "premium_since": None, "permissions": str(permissions)},
    }


def _base(kind: int, *, guild: bool, user_id: str, permissions: int,
          created: datetime | None, size_limit: int = FILE_LIMIT) -> dict[str, Any]:
    interaction_id = snowflake(created or datetime.now(UTC))
    return {
        "id": interaction_id, "application_id": APP_ID, "type": kind,
        "token": f"token-{interaction_id}", "version": 1, "locale": "en-US",
        "app_permissions": str((1 << 46) - 1), "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID} if guild else {"1": user_id},
        "attachment_size_limit": size_limit, "channel_id": CHANNEL_ID,
        **_where(guild, user_id, permissions),
    }


def slash(name: str, options: dict[str, Any] | None = None, *, guild: bool = True,
          user_id: str = LEARNER_ID, permissions: int = 0, created: datetime | None = None,
          size_limit: int = FILE_LIMIT) -> dict[str, Any]:
    """A slash command (type 2) with typed option values."""
    payload = _base(2, guild=guild, user_id=user_id, permissions=permissions, created=created,
                    size_limit=size_limit)
    payload["data"] = {
        "id": snowflake(), "name": name, "type": 1,
        "options": [{"name": k, "type": OPTION_TYPES[type(v)], "value": v}
                    for k, v in (options or {}).items()],
    }
    if guild:
        payload["data"]["guild_id"] = GUILD_ID
    return payload


def click(message: dict[str, Any], custom_id: str, *, guild: bool = True,
          user_id: str = LEARNER_ID, permissions: int = 0) -> dict[str, Any]:
    """A button click (type 3) on ``message`` as the fake recorded it."""
    payload = _base(3, guild=guild, user_id=user_id, permissions=permissions, created=None)
    payload["message"] = dict(message, author=BOT_USER)
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    return payload


def custom_ids(message: dict[str, Any]) -> list[str]:
    """The custom_ids of every button in a recorded message."""
    return [c["custom_id"] for row in message["components"] for c in row["components"]
            if "custom_id" in c]  # link buttons have a url instead
