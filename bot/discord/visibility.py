"""How each interaction is acknowledged: privately ("only you can see this") or in public.

One rule for both paths: ``TutorBot`` applies it to discord.py's interactions, ``early.py``
to the raw gateway payload before discord.py has parsed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import discord

from bot.discord.scope import split_scope
from engine.commands import COMMANDS, Command, actions
from engine.commands.parsing import build_request
from engine.domain.errors import TutorError

APPLICATION_COMMAND = discord.InteractionType.application_command.value
COMPONENT = discord.InteractionType.component.value
CHAT_INPUT = discord.AppCommandType.chat_input.value


def private_first(action: str, commands: Mapping[str, Command] = COMMANDS) -> bool:
    """Whether to defer a button click privately (a guess that saves calls; the outbox
    copes either way): demo re-runs and stored long actions ("run again with …") answer in
    public, anything else (quiz answers) privately."""
    verb = action.partition(":")[0]
    if verb == actions.STORED:
        return False
    if verb != actions.RUN:
        return True
    command = actions.command_of(action, commands)
    return command is None or not command.heavy


def defer_privately(payload: dict[str, Any],
                    commands: Mapping[str, Command] = COMMANDS) -> bool | None:
    """From a raw INTERACTION_CREATE payload: how the bot will defer it — True privately,
    False publicly — or None when it is not deferred (autocomplete, unknown commands, and
    values the table refuses: those are answered at once, without a "thinking…" first).
    The same rule as ``answer_command`` and ``press``; ``early.py`` applies it to frames."""
    data = payload.get("data") or {}
    kind = payload.get("type")
    if kind == APPLICATION_COMMAND and data.get("type", CHAT_INPUT) == CHAT_INPUT:
        command = commands.get(data.get("name", ""))
        if command is None or not _valid(command, data.get("options") or ()):
            return None
        return not command.heavy
    if kind == COMPONENT and data.get("custom_id"):
        return private_first(split_scope(data["custom_id"])[1], commands)
    return None


def _valid(command: Command, options: Iterable[dict[str, Any]]) -> bool:
    """Whether the table accepts a slash command's raw option values."""
    values = {o["name"]: o["value"] for o in options if "value" in o}
    text = values.pop(command.text.name, None) if command.text else None
    try:
        build_request(command, values, text)
    except TutorError:
        return False
    return True
