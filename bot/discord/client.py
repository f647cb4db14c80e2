"""The Discord bot: the fewest gateway intents (``intents.py``), app commands generated from the command table,
persistent buttons, one error handler; ``sync_commands`` registers the commands explicitly.

Every command and button follows one path: defer at once with discord.py's own
``interaction.response.defer()`` (the 3-second rule) -> the Tutor (worker pool, database) ->
the outbox.
Once connected, the daily-quiz scheduler runs beside the bot (``TutorBot.serve``) and posts
through ``ChannelPoster``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Iterable
from functools import partial

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.app import running_scheduler, settle_heap
from bot.discord import errors
from bot.discord.buttons import ActionButton
from bot.discord.commands import app_commands_for
from bot.discord.intents import intents_for
from bot.discord.messages import addressed_to, answer_message
from bot.discord.outbox import Outbox
from bot.discord.poster import PLATFORM, ChannelPoster
from bot.discord.priority import AckFirst
from bot.discord.scope import scoped, split_scope
from bot.discord.visibility import private_first
from bot.proxies import proxy_for
from bot.settings import DiscordSettings
from bot.shutdown import InFlight, ShutdownBudget, on_stop_signals
from engine.commands import COMMANDS, Command, Request
from engine.domain.errors import TutorError
from engine.domain.records import LearnerRef
from engine.services.scheduler import SchedulerConfig
from engine.services.tutor import Tutor

log = logging.getLogger(__name__)

RESTARTING = ("tutorbot is restarting and takes no new work for a moment. Please try again "
              "in a minute.")
STOPPED = ("⚠️ tutorbot had to restart before this was finished, so it stopped. Please run "
           "it again in a minute.")

MISSING_COMPONENT = ("That button is no longer on this message, so it does nothing now. "
                     "Type the command again instead.")


def component_ids(message: discord.Message | None) -> set[str]:
    """The custom_ids of the components on ``message`` (none when it is unknown)."""
    if message is None:
        return set()
    found: set[str] = set()
    for row in message.components:
        for child in getattr(row, "children", (row,)):
            custom_id = getattr(child, "custom_id", None)
            if custom_id:
                found.add(custom_id)
    return found


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
                 commands: Iterable[Command] | None = None,
                 intents: discord.Intents | None = None, **options) -> None:
        use_endpoints(settings)
        if "proxy" not in options:  # REST and the gateway through HTTPS_PROXY unless NO_PROXY
            options["proxy"] = proxy_for(settings.api_base)
        # answering (a tutor): /ask answers @mentions and DMs, so MESSAGE_CREATE is needed
        super().__init__(intents=intents or intents_for(messages=tutor is not None),
                         allowed_mentions=discord.AllowedMentions.none(), **options)
        self.settings = settings
        self.tutor = tutor
        self.acks = AckFirst()
        self.connected = asyncio.Event()  # set on the first READY (serve starts the scheduler)
        self.in_flight = InFlight()  # answers being worked on (shutdown waits for them)
        self.stopping = False
        self.tree = app_commands.CommandTree(self)
        if commands is None:
            commands = tutor.commands.values() if tutor is not None else COMMANDS.values()
        self.commands = {c.name: c for c in commands}
        for command in app_commands_for(self.commands.values(), self.answer_command,
                                        self.suggestions):
            self.tree.add_command(command)
        errors.install(self.tree)

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
        self._take_work()
        outbox = await self._acknowledge(interaction, private=not command.heavy)
        async with self._finishing(outbox):
            reply = await tutor.run(learner_of(interaction), request,
                                    on_progress=outbox.progress,
                                    request_key=f"discord:{interaction.id}",
                                    admin=is_admin(interaction),
                                    channel=channel_of(interaction))
            await outbox.send(reply)

    async def press(self, interaction: discord.Interaction, action: str) -> None:
        """A button click (``ActionButton``): the same path as a command."""
        try:
            tutor = self._tutor()
            self._take_work()
            server, action = split_scope(action)
            outbox = await self._acknowledge(interaction, private=private_first(action, self.commands))
            async with self._finishing(outbox):
                await self._press(tutor, interaction, outbox, server, action)
        except Exception as err:  # discord.py would only log it: same handler as commands
            await errors.report(interaction, err)

    async def _press(self, tutor: Tutor, interaction: discord.Interaction, outbox: Outbox,
                     server: str | None, action: str) -> None:
        reply = await tutor.press(learner_of(interaction, server), action,
                                  on_progress=outbox.progress,
                                  request_key=f"discord:{interaction.id}",
                                  admin=is_admin(interaction), channel=channel_of(interaction))
        if server and interaction.guild_id is None:  # the conversation stays in it
            reply = await scoped(reply, server, partial(
                tutor.store.actions.save_action, learner=learner_of(interaction, server)))
        await outbox.send(reply)

    # --- stopping ---------------------------------------------------------------------------

    def _take_work(self) -> None:
        """Refuse new work once stopping; otherwise track this answer until it is delivered."""
        if self.stopping:
            raise TutorError(RESTARTING)
        self.in_flight.add()

    @contextlib.asynccontextmanager
    async def _finishing(self, outbox: Outbox) -> AsyncIterator[None]:
        """An answer cut short at shutdown says so in its live message (not "⏳ … 10%")."""
        try:
            yield
        except asyncio.CancelledError:
            await outbox.stopped(STOPPED)
            raise

    async def stop_gracefully(self, budget: ShutdownBudget) -> None:
        """Stop taking work, give the answers in progress what is left of ``budget`` to
        finish (those still running then are cancelled and say so), then disconnect."""
        if self.stopping:
            return
        self.stopping = True
        budget.start()
        log.info("stopping: no new work; %d answer(s) in progress", len(self.in_flight.tasks))
        await self.in_flight.drain(budget.left())
        await self.close()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A click on a component that is not on its message (an edited or stale message):
        discord.py drops it without a word, so log it and tell the learner."""
        data = interaction.data or {}
        custom_id = data.get("custom_id")
        if interaction.type is not discord.InteractionType.component or not custom_id:
            return
        if custom_id in component_ids(interaction.message):
            return
        log.warning("a click on component %r, which is not on message %s: %s", custom_id,
                    interaction.message.id if interaction.message else "?",
                    errors.describe(interaction))
        try:
            outbox = Outbox.of(interaction)
            await outbox.send_private(MISSING_COMPONENT)
        except discord.HTTPException as err:
            log.warning("could not answer a click on a missing component (%s %s)",
                        err.status, err.code)

    async def _acknowledge(self, interaction: discord.Interaction, *, private: bool) -> Outbox:
        """Defer, then wait until the burst of acknowledgements in flight has gone out:
        answers must not delay other learners' defers."""
        outbox = Outbox.of(interaction)
        if not outbox.is_deferred():
            async with self.acks.acknowledging():
                await outbox.defer(private=private)
        await self.acks.wait_turn()
        return outbox

    async def on_message(self, message: discord.Message) -> None:
        """A message mentioning the bot, or a DM: a command by name, else a question
        (``/ask``), answered in a reply to it (``messages.py``)."""
        if self.tutor is None or not addressed_to(message, self.user):
            return
        await answer_message(self.tutor, message)

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


class ShardedTutorBot(TutorBot, discord.AutoShardedClient):
    """tutorbot holding several gateway shards in one process (``DISCORD_SHARD_IDS=0-3``)."""


def make_bot(settings: DiscordSettings, tutor: Tutor | None = None, **options) -> TutorBot:
    """The client for this instance's shards: one shard (``DISCORD_SHARD_IDS=2``), several,
    every shard (``DISCORD_SHARD_COUNT`` alone), or none (a single, unsharded connection).
    Discord delivers each server's interactions to one shard only, so instances holding
    different shards answer each command exactly once."""
    ids, count = settings.shards, settings.shard_count
    if count is None:
        return TutorBot(settings, tutor, **options)
    if ids is not None and len(ids) == 1:
        return TutorBot(settings, tutor, shard_id=ids[0], shard_count=count, **options)
    return ShardedTutorBot(settings, tutor, shard_ids=ids or list(range(count)),
                           shard_count=count, **options)


async def run_bot(settings: DiscordSettings, tutor: Tutor,
                  budget: ShutdownBudget | None = None) -> None:
    """Connect and answer, with the daily-quiz scheduler, until stopped. SIGTERM or SIGINT
    stops gracefully, within ``budget`` (the Slack adapter's: 25 s)."""
    budget = budget or ShutdownBudget()
    bot = make_bot(settings, tutor)
    settle_heap()
    loop = asyncio.get_running_loop()
    stopping: set[asyncio.Task] = set()

    def stop() -> None:
        stopping.add(loop.create_task(bot.stop_gracefully(budget)))

    with on_stop_signals(stop):
        async with bot:
            await bot.serve(settings.token.get_secret_value())
        if stopping:
            await asyncio.gather(*stopping)
            print("tutorbot discord: stopped", file=sys.stderr)


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
