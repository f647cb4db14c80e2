"""Button actions, the one vocabulary of the engine and the adapters: ``run:/cmd …`` runs a
command line, ``b:<key>`` is a stored action too long for a button id, ``quiz:12:2``
answers a quiz, ``forget:<token>`` confirms a deletion (``Tutor.press`` dispatches on these).

Adapters read them before the Tutor runs them, to ask for facilitator rights only when the
answer can depend on them (Slack's check costs a rate-limited ``users.info`` call).
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.commands.table import COMMANDS, Command

RUN = "run"
STORED = "b"
QUIZ = "quiz"
FORGET = "forget"
LINK = "link"  # a link button (``Button.url``): the platform opens the URL, nothing to run


def command_of(action: str, commands: Mapping[str, Command] = COMMANDS) -> Command | None:
    """The command a ``run:`` action runs; None for other actions and unknown names."""
    verb, _, line = action.partition(":")
    if verb != RUN:
        return None
    name = line.strip().lstrip("/").split(" ", 1)[0].lower()
    return commands.get(name)


def answers_in_public(action: str) -> bool:
    """Whether pressing ``action`` most likely answers in public: demo re-runs and stored
    long actions ("run again with …") do; quiz answers and the like answer privately."""
    verb = action.partition(":")[0]
    if verb == STORED:
        return True
    command = command_of(action) if verb == RUN else None
    return command is not None and command.heavy


def needs_admin(command: Command) -> bool:
    """Whether running ``command`` depends on the caller being a facilitator."""
    return command.admin or command.admin_aware


def may_need_admin(action: str, commands: Mapping[str, Command] = COMMANDS) -> bool:
    """Whether pressing ``action`` can depend on the caller being a facilitator: a stored
    action (anything, until loaded), a ``run:`` of a command that needs it or of an unknown
    one; never a quiz answer or any other verb."""
    verb = action.partition(":")[0]
    if verb == STORED:
        return True
    if verb != RUN:
        return False
    command = command_of(action, commands)
    return command is None or needs_admin(command)
