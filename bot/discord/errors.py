"""The one error handler for the Discord adapter (app commands and buttons alike).

A ``TutorError`` is the learner's own business: its message, privately. Anything else is a
bug: logged with a short correlation id, apologised for quoting it (``bot.errors``).
Delivery failures are logged, never retried in a loop (Discord bans IPs that keep failing).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot import errors
from bot.discord.outbox import Outbox
from bot.discord.syntax import present

log = logging.getLogger(__name__)

FACILITATORS = "Facilitators are members with the Manage Server permission in this server."
STALE = ("Discord's copy of this command is out of date, so I can't read it. A facilitator "
         "can fix that with `tutorbot discord sync`; meanwhile try `/help`.")


def user_message(interaction: discord.Interaction, error: BaseException) -> str:
    """What to tell the learner about ``error`` (and log it when it is a bug)."""
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        log.warning("stale app command from Discord (%s): run `tutorbot discord sync`", error)
        return STALE
    original = getattr(error, "original", None) or error  # CommandInvokeError wraps
    return present(errors.user_message(original, describe(interaction), log, FACILITATORS))


def describe(interaction: discord.Interaction) -> str:
    """A log-friendly summary of an interaction (never its token)."""
    what = (f"/{interaction.command.qualified_name}" if interaction.command
            else f"component {(interaction.data or {}).get('custom_id', '?')!r}")
    return (f"{what} (interaction {interaction.id}, guild {interaction.guild_id or 'dm'}, "
            f"user {interaction.user.id if interaction.user else '?'})")


async def report(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the learner privately what went wrong."""
    text = user_message(interaction, error)
    try:
        await Outbox.of(interaction).send_private(text)
    except discord.HTTPException as err:
        log.warning("could not deliver an error message for %s (%s %s)",
                    describe(interaction), err.status, err.code)


def install(tree: app_commands.CommandTree) -> None:
    """Make ``report`` the tree's global error handler."""

    async def on_error(interaction: discord.Interaction, error: BaseException) -> None:
        await report(interaction, error)

    tree.error(on_error)
