"""The Slack app manifest, generated from the command table: installing the app is one paste.

``tutorbot slack manifest`` prints it (Socket Mode), or with ``--url`` for HTTP mode.
"""

from __future__ import annotations

from typing import Any

from engine.commands import COMMANDS, Command

BOT_SCOPES = (
    "commands",  # slash commands
    "chat:write",  # answers, progress updates, ephemeral errors
    "files:write",  # pictures (files_upload_v2)
    "im:write",  # open a DM when the bot is not in the channel
    "users:read",  # is the asker a workspace admin/owner (facilitator commands)
    "app_mentions:read",  # @tutorbot in channels
    "im:history",  # the message.im event (DMs to the bot) requires it; no channel history
)
BOT_EVENTS = ("app_mention", "message.im", "app_home_opened")
USAGE_HINT_MAX = 1000
DESCRIPTION = "Learn how neural networks, transformers and LLMs work, with real demos."
LONG_DESCRIPTION = (
    "tutorbot is a tutor for product managers and their teams. It runs real demos in the "
    "conversation: a TensorFlow-Playground-style network trainer, GPT-4's tokenizer, attention "
    "of a real pretrained transformer, positional encodings, embeddings and next-token "
    "prediction, and posts the pictures here. It quizzes the channel and tracks progress. "
    "Type /help to see every command."
)


def usage_hint(command: Command) -> str:
    """``/tokenize TEXT [seed=…]`` -> ``TEXT [seed=…]`` (Slack shows it after the name)."""
    hint = command.usage.removeprefix(f"/{command.name}").strip()
    return hint if len(hint) <= USAGE_HINT_MAX else hint[:USAGE_HINT_MAX - 1] + "…"


def slash_command(command: Command, url: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"command": f"/{command.name}", "description": command.help,
                             "should_escape": False}
    hint = usage_hint(command)
    if hint:
        entry["usage_hint"] = hint
    if url:
        entry["url"] = url
    return entry


def manifest(*, name: str = "tutorbot", url: str | None = None) -> dict[str, Any]:
    """The manifest; ``url`` (``https://host/slack/events``) means HTTP mode, else Socket Mode."""
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": url is None,
        "token_rotation_enabled": False,
    }
    if url:
        settings["event_subscriptions"]["request_url"] = url
        settings["interactivity"]["request_url"] = url
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if url:
        oauth["redirect_urls"] = [url.rsplit("/slack/", 1)[0] + "/slack/oauth_redirect"]
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": name, "description": DESCRIPTION,
                                "long_description": LONG_DESCRIPTION,
                                "background_color": "#1d2b53"},
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [slash_command(c, url) for c in COMMANDS.values()],
        },
        "oauth_config": oauth,
        "settings": settings,
    }
