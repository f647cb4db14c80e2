"""``tutorbot``: the console tutor, one-shot commands, and database administration."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from bot import migrate
from bot.app import build_tutor
from bot.console.adapter import ConsoleAdapter
from bot.settings import CoreSettings, describe_errors
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
        return _db(settings, args)
    except TutorError as err:
        print(err.user_message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
