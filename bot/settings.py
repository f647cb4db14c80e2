"""Deployment settings from the environment (pydantic-settings), one class per concern.

Secrets have no default and are never logged: they are ``SecretStr``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/tutorbot`` or ``~/.local/share/tutorbot``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tutorbot"


class CoreSettings(BaseSettings):
    """Where tutorbot keeps its data and how much work it takes on (``TUTORBOT_*``)."""

    model_config = SettingsConfigDict(env_prefix="TUTORBOT_", extra="ignore",
                                      populate_by_name=True)

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "TUTORBOT_DATABASE_URL"),
        description="SQLAlchemy URL; default: a SQLite file in the data directory")
    data_dir: Path = Field(default_factory=default_data_dir)
    image_dir: Path | None = Field(default=None, description="console: where pictures go")
    workers: int = Field(default=2, ge=1, le=64, description="worker processes for demos")
    queue_limit: int = Field(default=8, ge=0, le=1000, description="jobs waiting beyond workers")
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tutorbot.db').expanduser()}"

    @property
    def images(self) -> Path:
        return (self.image_dir or self.data_dir / "images").expanduser()

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")


class DiscordSettings(BaseSettings):
    """The Discord bot (``DISCORD_*``). ``API_BASE`` and ``GATEWAY_URL`` default to Discord's
    own; point them at a shared rate-limit proxy (nirn-proxy) or, in tests, at loopback fakes."""

    model_config = SettingsConfigDict(env_prefix="DISCORD_", extra="ignore")

    token: SecretStr = Field(description="the bot token from the Discord developer portal")
    api_base: str = Field(default="https://discord.com/api/v10",
                          pattern=r"^https?://\S+$", description="REST base URL with version")
    gateway_url: str = Field(default="wss://gateway.discord.gg/", pattern=r"^wss?://\S+$",
                             description="gateway websocket URL")
    guild_id: int | None = Field(default=None, ge=1,
                                 description="`tutorbot discord sync` registers here by default")


def describe_errors(err: ValidationError, prefix: str = "TUTORBOT_") -> str:
    """Turn a settings ValidationError into lines naming the variable and what is allowed."""
    lines = ["Bad setting(s) in the environment:"]
    for item in err.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        got = "" if item["type"] == "missing" else f" (got {item.get('input')!r})"
        lines.append(f"- {prefix}{field.upper()}: {item['msg']}{got}")
    return "\n".join(lines)
