"""``tutorbot``: the console tutor, one-shot commands, chat platforms and database
administration."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from bot import migrate
from bot.app import build_tutor
from bot.console.adapter import ConsoleAdapter
from bot.settings import CoreSettings, DiscordSettings, describe_errors
from engine.errors import TutorError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tutorbot", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("chat", help="open the console tutor (the embedded default)")
    run = sub.add_parser("run", help='answer one command and exit: tutorbot run "/tokenize hi"')
    run.add_argument("line", help="the command, e.g. '/tokenize My name is Pawel'")
    run.add_argument("--as", dest="user", help="learner id to record the run under")
    db = sub.add_parser("db", help="database migrations (Postgres needs `db upgrade` first)")
    db_sub = db.add_subparsers(dest="db_cmd", required=True)
    up = db_sub.add_parser("upgrade", help="upgrade the schema")
    up.add_argument("revision", nargs="?", default="head")
    down = db_sub.add_parser("downgrade", help="downgrade the schema")
    down.add_argument("revision")
    db_sub.add_parser("current", help="show the schema revision")
    dc = sub.add_parser("discord", help="run the Discord bot (DISCORD_TOKEN); "
                                        "`discord sync` registers its slash commands")
    dc_sub = dc.add_subparsers(dest="discord_cmd")
    sync = dc_sub.add_parser("sync", help="register the slash commands with Discord (after "
                                          "adding or changing commands; not needed per start)")
    sync.add_argument("--guild", type=int, metavar="ID",
                      help="register in this server only (instant; default DISCORD_GUILD_ID, "
                           "else globally, which Discord may take up to an hour to show)")
    return parser


async def _chat(settings: CoreSettings) -> int:
    async with build_tutor(settings) as tutor:
        adapter = ConsoleAdapter(tutor, settings.images)
        await adapter.repl(history=settings.data_dir / "history")
    return 0


async def _run(settings: CoreSettings, line: str, user: str | None) -> int:
    async with build_tutor(settings, workers=1) as tutor:
        adapter = ConsoleAdapter(tutor, settings.images)
        if user:
            adapter.learner = adapter.learner.__class__("console", "local", user, user)
        return 0 if await adapter.answer(line) else 1


def _db(settings: CoreSettings, args: argparse.Namespace) -> int:
    url = settings.db_url
    if args.db_cmd == "upgrade":
        migrate.upgrade(url, args.revision)
    elif args.db_cmd == "downgrade":
        migrate.downgrade(url, args.revision)
    from engine.storage.db import make_engine

    engine = make_engine(url)
    print(f"database revision: {migrate.current_revision(engine) or 'none'} "
          f"(head {migrate.head_revision(url)})")
    engine.dispose()
    return 0


def _discord(settings: CoreSettings, args: argparse.Namespace) -> int:
    import discord

    from bot.discord.client import sync_commands  # imported on demand: discord.py is big

    try:
        discord_settings = DiscordSettings()
    except ValidationError as err:
        print(describe_errors(err, prefix="DISCORD_"), file=sys.stderr)
        print("Create a bot at https://discord.com/developers/applications and put its token "
              "in DISCORD_TOKEN (see README, section Discord).", file=sys.stderr)
        return 2
    try:
        if args.discord_cmd == "sync":
            guild = args.guild or discord_settings.guild_id
            synced = asyncio.run(sync_commands(discord_settings, guild))
            where = f"server {guild}" if guild else "every server (global; may take up to 1 h)"
            print(f"registered {len(synced)} commands in {where}: "
                  + ", ".join(f"/{c.name}" for c in synced))
            return 0
        return asyncio.run(_run_discord(settings, discord_settings))
    except discord.LoginFailure:
        print("Discord refused DISCORD_TOKEN: copy the bot token again from the developer "
              "portal (Bot -> Reset Token).", file=sys.stderr)
        return 2


async def _run_discord(settings: CoreSettings, discord_settings: DiscordSettings) -> int:
    from bot.discord.client import run_bot

    async with build_tutor(settings) as tutor:
        await run_bot(discord_settings, tutor)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = CoreSettings()
    except ValidationError as err:
        print(describe_errors(err), file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        if args.cmd == "chat":
            return asyncio.run(_chat(settings))
        if args.cmd == "run":
            return asyncio.run(_run(settings, args.line, args.user))
        if args.cmd == "discord":
            return _discord(settings, args)
        return _db(settings, args)
    except TutorError as err:
        print(err.user_message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
