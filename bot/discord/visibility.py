"""How a button click is acknowledged: privately ("only you can see this") or in public."""

from __future__ import annotations

from collections.abc import Mapping

from engine.commands import COMMANDS, Command, actions


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
