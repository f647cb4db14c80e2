"""Multi-workspace installs: slack-bolt's OAuth flow with slack_sdk's SQLAlchemy installation
store on tutorbot's own database, and a signed (stateless) OAuth ``state``.

slack_sdk's SQLAlchemy store is used through a thread (``asyncio.to_thread``) on the same
engine as the rest of tutorbot, so no async database driver is needed for SQLite or Postgres.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.stateless import StatelessOAuthStateStore
from sqlalchemy import Engine

from bot.settings import SlackSettings
from bot.slack.manifest import BOT_SCOPES

STATE_SECONDS = 300  # a captured `state` is replayable only this long


class ThreadedInstallationStore(AsyncInstallationStore):
    """The async interface Bolt wants, over slack_sdk's SQLAlchemy store, run in threads."""

    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return self.store.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(self, **kwargs: Any) -> Bot | None:
        return await asyncio.to_thread(lambda: self.store.find_bot(**kwargs))

    async def async_find_installation(self, **kwargs: Any) -> Installation | None:
        return await asyncio.to_thread(lambda: self.store.find_installation(**kwargs))

    async def async_delete_bot(self, **kwargs: Any) -> None:
        await asyncio.to_thread(lambda: self.store.delete_bot(**kwargs))

    async def async_delete_installation(self, **kwargs: Any) -> None:
        await asyncio.to_thread(lambda: self.store.delete_installation(**kwargs))


def authorization_url(api_url: str) -> str:
    """``https://slack.com/api/`` -> ``https://slack.com/oauth/v2/authorize`` (GovSlack too)."""
    root = api_url.rstrip("/").removesuffix("/api")
    return f"{root}/oauth/v2/authorize"


def installation_store(client_id: str, engine: Engine) -> ThreadedInstallationStore:
    """The installation store on the app's database (its tables come from Alembic: 0006)."""
    return ThreadedInstallationStore(SQLAlchemyInstallationStore(client_id=client_id,
                                                                 engine=engine))


def oauth_settings(settings: SlackSettings, store: AsyncInstallationStore) -> AsyncOAuthSettings:
    """Install at ``/slack/install``; Slack redirects back to ``/slack/oauth_redirect``."""
    if not (settings.client_id and settings.client_secret and settings.state_secret):
        raise ValueError("OAuth needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
                         "SLACK_STATE_SECRET")
    return AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=store,
        state_store=StatelessOAuthStateStore(
            expiration_seconds=STATE_SECONDS,
            signing_secret=settings.state_secret.get_secret_value()),
        state_expiration_seconds=STATE_SECONDS,
        authorization_url=authorization_url(settings.api_url),
    )
