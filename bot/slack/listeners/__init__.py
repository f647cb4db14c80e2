"""Bolt listeners, one Slack feature per module, each wired by its ``register``."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.core import SlackCore
from bot.slack.dedupe import EventDedupe
from bot.slack.listeners import actions, commands, events, home


def register(app: AsyncApp, core: SlackCore, dedupe: EventDedupe) -> None:
    """Register every listener on ``app``."""
    commands.register(app, core)
    actions.register(app, core)
    events.register(app, core, dedupe)
    home.register(app, core)
