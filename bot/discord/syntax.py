"""Commands written the way Discord's slash-command box reads them.

Pasted into Discord, ``/next-token text:The cat sat seed:5754`` fills the ``text`` and
``seed`` options of the app command; the Slack form (``/next-token The cat sat seed=5754``)
would land whole in ``text``. Option names are the table's (the app commands are generated
with them, ``commands.py``); yes/no options are Discord booleans, written True/False.
"""

from __future__ import annotations

from engine import commands as table
from engine.commands.options import TRUE_WORDS, BoolOption
from engine.domain.replies import Invocation, render_invocations

REPRODUCE_TEXT_MAX = 200  # characters of free text kept in a reproduce line (then "…")


class DiscordSyntax:
    """``/name text:… option:value``; optional parts in brackets (usage lines)."""

    def invocation(self, invocation: Invocation) -> str:
        parts = [f"/{invocation.command}"]
        if invocation.text:
            parts.append(self._part(invocation, invocation.text_name or "text",
                                    invocation.text.replace("`", "ˋ")))
        for name, value in invocation.options:
            parts.append(self._part(invocation, name, self._value(invocation.command, name,
                                                                  value)))
        return " ".join(parts)

    @staticmethod
    def _part(invocation: Invocation, name: str, value: str) -> str:
        part = f"{name}:{value}"
        return f"[{part}]" if name in invocation.optional else part

    @staticmethod
    def _value(command: str, name: str, value: str) -> str:
        spec = table.COMMANDS.get(command)
        option = next((o for o in spec.options if o.name == name), None) if spec else None
        if isinstance(option, BoolOption) and value != "…":
            return "True" if value.lower() in TRUE_WORDS else "False"
        return value


DISCORD = DiscordSyntax()


def present(text: str) -> str:
    """Reply text with every command the engine mentions written in Discord's syntax."""
    return render_invocations(text, DISCORD)


def reproduce_line(invocation: Invocation) -> str:
    """The reproduce line of an answer: long free text shortened (``…``), every option and
    the seed kept, so it fits one message and never needs splitting."""
    return DISCORD.invocation(invocation.clipped(REPRODUCE_TEXT_MAX))
