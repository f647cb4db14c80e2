"""Commands in the text syntax Slack and the console read: ``/next-token The cat seed=5``.

The engine mentions commands as structures (``engine.replies.Invocation``); this writes them
for the adapters whose learners type command lines (Discord has its own: ``bot.discord.syntax``).
"""

from __future__ import annotations

from engine.commands import LineSyntax
from engine.domain.replies import Invocation, render_invocations

REPRODUCE_TEXT_MAX = 200  # characters of free text kept in a reproduce line (then "…")
LINE = LineSyntax(display=True)


def present(text: str) -> str:
    """Reply text with every command the engine mentions written as a command line."""
    return render_invocations(text, LINE)


def command_line(invocation: Invocation, text_max: int = REPRODUCE_TEXT_MAX) -> str:
    """The reproduce line of an answer; long free text shortened (``…``), the seed kept."""
    return LINE.invocation(invocation.clipped(text_max))
