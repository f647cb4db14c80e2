"""``tutorbot``: the console tutor, one-shot commands, the browser chat, chat platforms and
database administration."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import ValidationError

from bot import database, migrate
from bot.app import build_tutor, running_scheduler
from bot.console.adapter import ConsoleAdapter
from bot.console.simulate import SIMULATED_TZ, SimClock, simulate_day
from bot.content import content_command
from bot.settings import (
    CoreSettings,
    DiscordSettings,
    SlackSettings,
    WebSettings,
    describe_errors,
)
from engine.domain.clock import zone
from engine.domain.errors import TutorError
from engine.domain.records import LearnerRef

log = logging.getLogger("tutorbot")


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
    sim = sub.add_parser("simulate-day", help="watch a day of daily channel quizzes in a minute")
    sim.add_argument("--date", type=date.fromisoformat, help="the day, YYYY-MM-DD (default today)")
    sim.add_argument("--speed", type=float, default=1440.0,
                     help="simulated seconds per real second (default 1440: a day per minute)")
    sim.add_argument("--tz", default=SIMULATED_TZ, help="IANA time zone of the simulated day")
    content = sub.add_parser("content", help="facilitator lessons and questions (YAML files)")
    content_sub = content.add_subparsers(dest="content_cmd", required=True)
    check = content_sub.add_parser("validate", help="check files against the content schema")
    check.add_argument("files", nargs="+", metavar="FILE")
    load = content_sub.add_parser("load", help="validate files and store them for quizzes")
    load.add_argument("files", nargs="+", metavar="FILE")
    slack = sub.add_parser("slack", help="run the Slack app (Socket Mode, or --http); "
                           "`tutorbot slack manifest` prints the app manifest")
    slack.add_argument("what", nargs="?", choices=["manifest"],
                       help="manifest: print the Slack app manifest and exit")
    slack.add_argument("--http", action="store_true",
                       help="HTTP mode (SLACK_SIGNING_SECRET) instead of Socket Mode")
    slack.add_argument("--port", type=int, help="HTTP mode port (default SLACK_PORT or 3000)")
    slack.add_argument("--url", help="manifest: public https URL of /slack/events (HTTP mode)")
    slack.add_argument("--name", default="tutorbot", help="manifest: the app's name")
    slack.add_argument("--json", action="store_true", help="manifest: JSON instead of YAML")
    worker = sub.add_parser("worker", help="run a Celery demo worker for TUTORBOT_QUEUE_URL "
                            "(scale out: one per machine, or `docker compose up --scale "
                            "worker=4`)")
    worker.add_argument("--concurrency", "-c", type=int, metavar="N",
                        help="worker processes (default TUTORBOT_WORKER_CONCURRENCY, else "
                             "the machine's cores)")
    worker.add_argument("--hostname", "-n", help="this worker's name (default: unique per "
                        "process, tutorbot-PID@HOST)")
    worker.add_argument("--warm", help="comma-separated jobs whose models each process loads "
                        "at start (default: tokenize,train_demo,next_token; '' for none)")
    worker.add_argument("--ping", action="store_true", help="exit 0 if a worker on this host "
                        "is alive (its heartbeat is in Redis), else 1: a health check")
    dc = sub.add_parser("discord", help="run the Discord bot (DISCORD_TOKEN); "
                                        "`discord sync` registers its slash commands")
    dc_sub = dc.add_subparsers(dest="discord_cmd")
    sync = dc_sub.add_parser("sync", help="register the slash commands with Discord (after "
                                          "adding or changing commands; not needed per start)")
    sync.add_argument("--guild", type=int, metavar="ID",
                      help="register in this server only (instant; default DISCORD_GUILD_ID, "
                           "else globally, which Discord may take up to an hour to show)")
    web = sub.add_parser("web", help="the chat in your browser: pictures, buttons, "
                                     "live progress (http://127.0.0.1:8080/)")
    web.add_argument("--host", help="address to listen on (default TUTORBOT_WEB_HOST or "
                                    "127.0.0.1; anything else needs TUTORBOT_WEB_TOKEN)")
    web.add_argument("--port", type=int, help="port (default TUTORBOT_WEB_PORT or 8080)")
    return parser


def _web(settings: CoreSettings, args: argparse.Namespace) -> int:
    from bot.web.run import serve  # imported on demand: only this command needs it

    try:
        web = WebSettings()
    except ValidationError as err:
        print(describe_errors(err, prefix="TUTORBOT_WEB_"), file=sys.stderr)
        return 2
    port = web.port if args.port is None else args.port
    if not 0 <= port <= 65535:
        print(f"--port must be from 0 to 65535; got {port}.", file=sys.stderr)
        return 2
    return asyncio.run(serve(settings, web, host=args.host or web.host, port=port))


async def _chat(settings: CoreSettings) -> int:
    async with build_tutor(settings) as tutor:
        adapter = ConsoleAdapter(tutor, settings.images)
        async with running_scheduler(tutor, {"console": adapter.post}):
            await adapter.repl(history=settings.data_dir / "history")
    return 0


async def _simulate(settings: CoreSettings, day: date | None, speed: float, tz: str) -> int:
    """A day of daily quizzes on a simulated clock, in a throw-away database."""
    with tempfile.TemporaryDirectory(prefix="tutorbot-simulate-") as scratch:
        sandbox = settings.model_copy(update={"data_dir": Path(scratch), "database_url": None,
                                              "image_dir": settings.images})
        clock = SimClock(datetime.now(UTC))
        async with build_tutor(sandbox, workers=1, warmups=(), clock=clock,
                               prepare=False) as tutor:
            await simulate_day(tutor, clock, sys.stdout, settings.images,
                               day=day or datetime.now(UTC).date(), tz=tz, speed=speed)
    return 0


async def _run(settings: CoreSettings, line: str, user: str | None) -> int:
    async with build_tutor(settings, workers=1, warmups=(), prepare=False) as tutor:
        adapter = ConsoleAdapter(tutor, settings.images)
        if user:
            adapter.learner = LearnerRef("console", "local", user, user)
        return 0 if await adapter.answer(line) else 1


def _db(settings: CoreSettings, args: argparse.Namespace) -> int:
    url = settings.db_url
    with database.explained(settings):
        from engine.storage.db import make_engine

        engine = make_engine(url)
        try:
            if args.db_cmd != "current":  # a newer database is not ours to migrate
                database.check_known(engine, settings)
            if args.db_cmd == "upgrade":
                with database.migration_lock(settings) if settings.is_sqlite else nullcontext():
                    migrate.upgrade(url, args.revision)
            elif args.db_cmd == "downgrade":
                migrate.downgrade(url, args.revision)
            print(f"database revision: {migrate.current_revision(engine) or 'none'} "
                  f"(head {migrate.head_revision(url)})")
        finally:
            engine.dispose()
    return 0


def _slack(settings: CoreSettings, args: argparse.Namespace) -> int:
    if args.what == "manifest":
        import json

        import yaml

        from bot.slack.manifest import manifest

        data = manifest(name=args.name, url=args.url)
        print(json.dumps(data, indent=2) if args.json else
              yaml.safe_dump(data, sort_keys=False, allow_unicode=True), end="")
        return 0
    from bot.slack.run import serve

    try:
        slack = SlackSettings()
    except ValidationError as err:
        print(describe_errors(err, prefix="SLACK_"), file=sys.stderr)
        return 2
    return asyncio.run(serve(settings, slack, http=args.http, port=args.port))
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


def _worker(settings: CoreSettings, args: argparse.Namespace) -> int:
    """A Celery worker: prefork children with one BLAS thread each, models loaded once per
    child, a hard time limit per job and a memory cap per child (engine.workers.celery_app)."""
    if not settings.queue_url:
        print("tutorbot worker needs TUTORBOT_QUEUE_URL, e.g. redis://127.0.0.1:6379/0 "
              "(the same as the bot's).", file=sys.stderr)
        return 2
    import os
    import socket

    from bot.app import prepare_environment
    from engine.workers.celery_app import THREAD_ENV, alive_here, make_app

    if args.ping:
        alive = alive_here(settings.queue_url, settings.queue_prefix, socket.gethostname())
        print(f"alive: {', '.join(alive)}" if alive else "no live worker on this host")
        return 0 if alive else 1

    prepare_environment(settings)
    for name in THREAD_ENV:  # before anything loads a maths library; children inherit it
        os.environ[name] = "1"
    if args.warm is not None:
        os.environ["TUTORBOT_WORKER_WARM"] = args.warm
    app = make_app(settings.queue_url, settings.queue_prefix,
                   max_memory_mb=settings.worker_max_memory_mb)
    concurrency = args.concurrency or settings.worker_concurrency or os.cpu_count() or 1
    hostname = args.hostname or f"tutorbot-{os.getpid()}@{socket.gethostname()}"
    app.worker_main(["worker", "--pool=prefork", f"--concurrency={concurrency}",
                     f"--hostname={hostname}", f"--loglevel={settings.log_level}",
                     "--without-gossip", "--without-mingle"])
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
        if args.cmd == "simulate-day":
            return asyncio.run(_simulate(settings, args.date, max(args.speed, 1.0),
                                         zone(args.tz).key))
        if args.cmd == "content":
            return content_command(settings, args.content_cmd, args.files)
        if args.cmd == "slack":
            return _slack(settings, args)
        if args.cmd == "discord":
            return _discord(settings, args)
        if args.cmd == "web":
            return _web(settings, args)
        if args.cmd == "worker":
            return _worker(settings, args)
        return _db(settings, args)
    except TutorError as err:
        log.debug("stopped: %s", type(err).__name__, exc_info=True)
        print(err.user_message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
