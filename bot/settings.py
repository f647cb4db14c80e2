"""Deployment settings from the environment (pydantic-settings), one class per concern.

Secrets have no default and are never logged: they are ``SecretStr``. An empty variable
counts as unset (``env_ignore_empty``), so docker-compose can pass ``${VAR:-}`` for every
setting and the defaults still apply.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/tutorbot`` or ``~/.local/share/tutorbot``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tutorbot"


class CoreSettings(BaseSettings):
    """Where tutorbot keeps its data and how much work it takes on (``TUTORBOT_*``)."""

    model_config = SettingsConfigDict(env_prefix="TUTORBOT_", extra="ignore",
                                      populate_by_name=True, env_ignore_empty=True)

    database_url: str | None = Field(
        default=None, repr=False,  # the URL may hold a password
        validation_alias=AliasChoices("DATABASE_URL", "TUTORBOT_DATABASE_URL"),
        description="SQLAlchemy URL; default: a SQLite file in the data directory")
    data_dir: Path = Field(default_factory=default_data_dir)
    image_dir: Path | None = Field(default=None, description="console: where pictures go")
    workers: int = Field(default=2, ge=1, le=64,
                         description="local worker processes for demos (without a queue)")
    wait_limit: float = Field(default=60.0, ge=1, le=3600,
                              description="seconds a new demo may expect to wait in line; "
                              "beyond it the learner is told the estimate instead")
    queue_url: str | None = Field(
        default=None, repr=False,  # the URL may hold a password
        pattern=r"^rediss?://\S+$",
        description="redis://host:6379/0: run demos on Celery workers (`tutorbot worker`) "
        "instead of local processes")
    queue_prefix: str = Field(default="tutorbot", pattern=r"^[A-Za-z0-9_.-]{1,40}$",
                              description="Redis key and Celery queue prefix")
    worker_concurrency: int | None = Field(
        default=None, ge=1, le=256, description="`tutorbot worker`: processes (default: cores)")
    worker_max_memory_mb: int = Field(
        default=3072, ge=256, le=262144,
        description="`tutorbot worker`: a child using more is replaced after its job")
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


class LLMSettings(BaseSettings):
    """The optional LLM behind /ask (``TUTORBOT_LLM_*``): any OpenAI-compatible Chat
    Completions endpoint. Unset base URL or model: /ask answers from the course alone."""

    model_config = SettingsConfigDict(env_prefix="TUTORBOT_LLM_", extra="ignore",
                                      env_ignore_empty=True)

    base_url: str | None = Field(default=None, description="e.g. https://api.openai.com/v1 "
                                 "or http://localhost:11434/v1 (Ollama)")
    model: str | None = Field(default=None, description="e.g. gpt-4o-mini or llama3.1")
    api_key: SecretStr | None = Field(default=None, repr=False)
    timeout: float = Field(default=20.0, gt=0, le=300, description="seconds per request")
    deadline: float = Field(default=60.0, gt=0, le=600, description="seconds per answer")
    max_retries: int = Field(default=2, ge=0, le=10, description="on 429, 5xx, time-outs")

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)


class SlackSettings(BaseSettings):
    """The Slack app (``SLACK_*``). Which secrets are needed depends on the mode:
    Socket Mode needs the bot and app tokens, HTTP mode the bot token and signing secret,
    multi-workspace installs the client id/secret, state secret and signing secret."""

    model_config = SettingsConfigDict(env_prefix="SLACK_", extra="ignore", env_ignore_empty=True)

    bot_token: SecretStr | None = Field(default=None, description="xoxb- token (one workspace)")
    app_token: SecretStr | None = Field(default=None, description="xapp- token (Socket Mode)")
    signing_secret: SecretStr | None = Field(default=None, description="HTTP request signing")
    api_url: str = Field(default="https://slack.com/api/",
                         description="Web API base URL (GovSlack, proxies, test doubles)")
    host: str = Field(default="0.0.0.0", description="HTTP mode: address to listen on")
    port: int = Field(default=3000, ge=1, le=65535, description="HTTP mode: port")
    admin_users: str = Field(default="", description="comma-separated user ids of facilitators; "
                             "empty: workspace admins and owners")
    client_id: str | None = Field(default=None, description="OAuth installs: client id")
    client_secret: SecretStr | None = Field(default=None, description="OAuth: client secret")
    state_secret: SecretStr | None = Field(default=None, description="OAuth: signs `state`")

    @field_validator("api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.admin_users.split(",") if u.strip())

    @property
    def oauth(self) -> bool:
        """True when multi-workspace installs are configured."""
        return bool(self.client_id or self.client_secret)

    def missing(self, *, http: bool) -> list[str]:
        """The environment variables this mode needs but that are not set."""
        need = ["SLACK_SIGNING_SECRET"] if http else ["SLACK_APP_TOKEN"]
        if self.oauth:
            need += ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"]
        else:
            need.append("SLACK_BOT_TOKEN")
        return [name for name in need if not getattr(self, name[6:].lower())]


class DiscordSettings(BaseSettings):
    """The Discord bot (``DISCORD_*``). ``API_BASE`` and ``GATEWAY_URL`` default to Discord's
    own; point them at a shared rate-limit proxy (nirn-proxy) or, in tests, at loopback fakes."""

    model_config = SettingsConfigDict(env_prefix="DISCORD_", extra="ignore",
                                      env_ignore_empty=True)

    token: SecretStr = Field(description="the bot token from the Discord developer portal")
    api_base: str = Field(default="https://discord.com/api/v10",
                          pattern=r"^https?://\S+$", description="REST base URL with version")
    gateway_url: str = Field(default="wss://gateway.discord.gg/", pattern=r"^wss?://\S+$",
                             description="gateway websocket URL")
    guild_id: int | None = Field(default=None, ge=1,
                                 description="`tutorbot discord sync` registers here by default")
    shard_count: int | None = Field(default=None, ge=1, le=10_000,
                                    description="total shards over all bot instances")
    shard_ids: str = Field(default="", pattern=r"^[0-9,\s-]*$",
                           description="this instance's shards: `0,1` or `0-3` "
                           "(needs DISCORD_SHARD_COUNT)")

    @property
    def shards(self) -> list[int] | None:
        """This instance's shard ids, or None (discord.py picks, or no sharding)."""
        ids: list[int] = []
        for part in filter(None, (p.strip() for p in self.shard_ids.split(","))):
            low, _, high = part.partition("-")
            ids.extend(range(int(low), int(high or low) + 1))
        return sorted(set(ids)) or None

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSettings:
        ids = self.shards
        if ids is not None:
            if self.shard_count is None:
                raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total "
                                 "number of shards over all instances)")
            if ids[-1] >= self.shard_count:
                raise ValueError(f"DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT "
                                 f"({self.shard_count}): got {ids[-1]}")
        return self


TOKEN_MIN = 12  # characters of a web sign-in token


class WebSettings(BaseSettings):
    """The browser chat (``TUTORBOT_WEB_*``). Without a token it is one local learner (the
    person at the keyboard, a facilitator) and binds to loopback only; with ``TOKEN`` set the
    page asks for it and a name, so several people can use it (a workshop on a LAN), and
    whoever signs in with ``ADMIN_TOKEN`` instead is a facilitator (``/cohort``)."""

    model_config = SettingsConfigDict(env_prefix="TUTORBOT_WEB_", extra="ignore",
                                      env_ignore_empty=True)

    host: str = Field(default="127.0.0.1", description="address to listen on")
    port: int = Field(default=8080, ge=0, le=65535, description="port (0: any free port)")
    token: SecretStr | None = Field(default=None, description="learners sign in with it")
    admin_token: SecretStr | None = Field(default=None,
                                          description="facilitators sign in with it")
    rate_per_minute: int = Field(default=30, ge=1, le=6000,
                                 description="commands and presses per learner per minute")
    rate_burst: int = Field(default=10, ge=1, le=1000,
                            description="commands a learner may send at once before pacing")
    max_request_bytes: int = Field(default=16_384, ge=1024, le=1_048_576,
                                   description="largest request body accepted")
    max_sessions: int = Field(default=1000, ge=1, le=100_000,
                              description="browser sessions kept (the oldest idle one goes)")
    history: int = Field(default=200, ge=10, le=5000,
                         description="transcript entries kept per browser session")
    image_memory_mb: int = Field(default=256, ge=8, le=16_384,
                                 description="pictures kept in memory (the oldest go first)")

    @field_validator("token", "admin_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < TOKEN_MIN:
            raise ValueError(f"must be at least {TOKEN_MIN} characters; make one with "
                             "python3 -c 'import secrets; print(secrets.token_urlsafe(16))'")
        return value

    @field_validator("admin_token")
    @classmethod
    def _distinct(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or "token" not in info.data:  # no admin token, or a bad token
            return value
        token = info.data["token"]
        if token is None:
            raise ValueError("needs TUTORBOT_WEB_TOKEN too (the learners' token)")
        if token.get_secret_value() == value.get_secret_value():
            raise ValueError("must differ from TUTORBOT_WEB_TOKEN")
        return value


SECRET_WORDS = ("token", "secret", "password", "database_url")


def describe_errors(err: ValidationError, prefix: str = "TUTORBOT_") -> str:
    """Turn a settings ValidationError into lines naming the variable and what is allowed."""
    lines = ["Bad setting(s) in the environment:"]
    for item in err.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        secret = any(word in field for word in SECRET_WORDS)  # never echo a secret
        got = "" if item["type"] == "missing" or secret else f" (got {item.get('input')!r})"
        lines.append(f"- {prefix}{field.upper()}: {item['msg']}{got}")
    return "\n".join(lines)
