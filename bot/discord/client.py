"""The Discord bot: default intents only, app commands generated from the command table,
persistent buttons, one error handler; ``sync_commands`` registers the commands explicitly.

Every command and button follows one path: defer at once (the 3-second rule) -> the Tutor
(worker pool, database) -> the outbox. The defer is written from the gateway frame itself
(``early.py``) before discord.py builds the interaction; if that failed, the bot defers the
usual way.
Once connected, the daily-quiz scheduler runs beside the bot (``TutorBot.serve``) and posts
through ``ChannelPoster``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Iterable

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.app import running_scheduler, settle_heap
from bot.discord import errors
from bot.discord.buttons import ActionButton
from bot.discord.commands import app_commands_for
from bot.discord.early import EarlyDefer, Outcome
from bot.discord.outbox import Outbox
from bot.discord.poster import PLATFORM, ChannelPoster
from bot.discord.priority import AckFirst
from bot.discord.scope import scoped, split_scope
from bot.discord.visibility import defer_privately, private_first
from bot.settings import DiscordSettings
from engine.commands import COMMANDS, Command, Request
from engine.domain.errors import TutorError
from engine.domain.records import LearnerRef
from engine.services.scheduler import SchedulerConfig
from engine.services.tutor import Tutor

log = logging.getLogger(__name__)


def use_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at the configured REST base and gateway (a proxy, or test fakes).

    discord.py keeps both as class attributes, so this is process-wide."""
    discord.http.Route.BASE = settings.api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def learner_of(interaction: discord.Interaction, server: str | None = None) -> LearnerRef:
    """(discord, guild id or "dm", user id) plus the display name; in a DM, a button that
    acts for a ``server`` (``scope.py``) makes the learner that server's."""
    user = interaction.user
    workspace = str(interaction.guild_id) if interaction.guild_id else (server or "dm")
    return LearnerRef(PLATFORM, workspace, str(user.id), display_name=user.display_name)


def channel_of(interaction: discord.Interaction) -> str | None:
    """The id of the channel (or DM) the interaction came from: where ``/quiz-schedule``
    and ``/cohort digest=here`` take effect."""
    return str(interaction.channel_id) if interaction.channel_id else None


def is_admin(interaction: discord.Interaction) -> bool:
    """Server-side facilitator check: Manage Server (or Administrator) in a server.

    ``default_member_permissions`` only hides commands and server admins can override it, so
    the permissions Discord resolved for this very interaction decide."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    return permissions.administrator or permissions.manage_guild


class TutorBot(discord.Client):
    """tutorbot on Discord. ``tutor`` may be None for ``sync`` (no commands are answered)."""

    def __init__(self, settings: DiscordSettings, tutor: Tutor | None = None, *,
                 commands: Iterable[Command] | None = None, **options) -> None:
        use_endpoints(settings)
        super().__init__(intents=discord.Intents.default(),
                         allowed_mentions=discord.AllowedMentions.none(), **options)
        self.settings = settings
        self.tutor = tutor
        self.acks = AckFirst()
        self._warned_hook = False
        self.connected = asyncio.Event()  # set on the first READY (serve starts the scheduler)
        self.tree = app_commands.CommandTree(self)
        if commands is None:
            commands = tutor.commands.values() if tutor is not None else COMMANDS.values()
        self.commands = {c.name: c for c in commands}
        for command in app_commands_for(self.commands.values(), self.answer_command,
                                        self.suggestions):
            self.tree.add_command(command)
        errors.install(self.tree, self.settle)
        self.early: EarlyDefer | None = None
        # answering: acknowledge from the gateway frame (early.py) — unless REST goes
        # through an HTTP proxy discord.py knows of and the early path would not
        if tutor is not None and not options.get("proxy"):
            self.early = EarlyDefer(settings.api_base,
                                    functools.partial(defer_privately, commands=self.commands),
                                    user_agent=self.http.user_agent, on_sent=self.acks.hold)
            state = getattr(self, "_connection", None)  # discord.py's ConnectionState
            if not self.early.install(getattr(state, "parsers", {})):
                self.early = None

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)

    def _tutor(self) -> Tutor:
        if self.tutor is None:
            raise TutorError("tutorbot is not answering commands right now; try again soon.")
        return self.tutor

    async def suggestions(self, source: str) -> tuple[str, ...]:
        """Autocomplete values from a named source (topics, command names)."""
        return await self._tutor().suggestions(source)

    async def answer_command(self, interaction: discord.Interaction, command: Command,
                             request: Request) -> None:
        """A slash command: defer, run the use case, deliver. Errors reach ``errors.report``."""
        tutor = self._tutor()
        outbox = await self._acknowledge(interaction, private=not command.heavy)
        reply = await tutor.run(learner_of(interaction), request, on_progress=outbox.progress,
                                request_key=f"discord:{interaction.id}",
                                admin=is_admin(interaction), channel=channel_of(interaction))
        await outbox.send(reply)

    async def press(self, interaction: discord.Interaction, action: str) -> None:
        """A button click (``ActionButton``): the same path as a command."""
        try:
            tutor = self._tutor()
            server, action = split_scope(action)
            outbox = await self._acknowledge(interaction, private=private_first(action, self.commands))
            reply = await tutor.press(learner_of(interaction, server), action,
                                      on_progress=outbox.progress,
                                      request_key=f"discord:{interaction.id}",
                                      admin=is_admin(interaction),
                                      channel=channel_of(interaction))
            if server and interaction.guild_id is None:  # the conversation stays in it
                reply = await scoped(reply, server, tutor.store.actions.save_action)
            await outbox.send(reply)
        except Exception as err:  # discord.py would only log it: same handler as commands
            await errors.report(interaction, err, self.settle)

    async def settle(self, interaction: discord.Interaction) -> Outbox:
        """The interaction's outbox, knowing what became of the gateway hook's defer."""
        outbox = Outbox.of(interaction)
        if self.early is None or outbox.is_deferred():
            return outbox
        if self.early.frames == 0 and not self._warned_hook:
            self._warned_hook = True  # discord.py no longer calls the parser we wrapped
            log.warning("interactions arrive but the early-defer hook saw none; "
                        "deferring the usual way")
        settled = await self.early.settle(interaction.id)
        if settled is not None:
            outcome, private = settled
            if outcome is Outcome.ACCEPTED:
                outbox.deferred(private=private)
            else:  # maybe deferred after all: "already acknowledged" then means it was
                outbox.assume(private=private)
        return outbox

    async def _acknowledge(self, interaction: discord.Interaction, *, private: bool) -> Outbox:
        """Defer (unless the gateway hook did), then wait until the burst of acknowledgements
        in flight has gone out: answers must not delay other learners' defers."""
        outbox = await self.settle(interaction)
        if not outbox.is_deferred():
            async with self.acks.acknowledging():
                await outbox.defer(private=private)
        await self.acks.wait_turn()
        return outbox

    async def close(self) -> None:
        await super().close()
        if self.early is not None:
            self.early.close()

    async def on_ready(self) -> None:
        self.connected.set()
        log.info("connected to Discord as %s in %d server(s); slash commands are registered "
                 "with `tutorbot discord sync`", self.user, len(self.guilds))

    async def serve(self, token: str, *, scheduler: SchedulerConfig | None = None) -> None:
        """Connect and answer until closed; once ready, run the daily-quiz scheduler beside
        the bot, posting through ``ChannelPoster`` (claims in the database make every
        instance safe to run one)."""
        connection = asyncio.create_task(self.start(token), name="discord-connection")
        try:
            if not await self._until_connected(connection) or self.tutor is None:
                await connection  # a failed login raises here
                return
            poster = ChannelPoster(self, self.tutor.store.actions.save_action)
            async with running_scheduler(self.tutor, {PLATFORM: poster}, config=scheduler):
                await connection
        finally:
            if not connection.done():
                connection.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await connection

    async def _until_connected(self, connection: asyncio.Task[None]) -> bool:
        """Wait until the client is ready (True) or the connection ended first (False)."""
        ready = asyncio.create_task(self.connected.wait())
        try:
            await asyncio.wait({connection, ready}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        return not connection.done()


async def run_bot(settings: DiscordSettings, tutor: Tutor) -> None:
    """Connect and answer, with the daily-quiz scheduler, until stopped."""
    bot = TutorBot(settings, tutor)
    settle_heap()
    async with bot:
        await bot.serve(settings.token.get_secret_value())


async def sync_commands(settings: DiscordSettings, guild_id: int | None = None, *,
                        commands: Iterable[Command] | None = None,
                        ) -> list[app_commands.AppCommand]:
    """Register the app commands (the table's, or ``commands``) globally, or in one server
    (immediate; for development).

    Explicit, not on every start: Discord allows 200 command creations a day per server."""
    bot = TutorBot(settings, commands=commands)
    async with bot:
        await bot.login(settings.token.get_secret_value())
        if guild_id is None:
            return await bot.tree.sync()
        guild = discord.Object(id=guild_id)
        bot.tree.copy_global_to(guild=guild)
        return await bot.tree.sync(guild=guild)
