"""Opening the database at start-up, and what to say when that fails.

SQLite upgrades itself (one process at a time: a file lock beside the database, so twenty
``tutorbot run`` started together on a new file all succeed); Postgres must already be at
the code's revision (``tutorbot db upgrade``). Every way this can fail -- nothing listening,
a file that is not a database, a file we may not read, a database newer than the code, a
malformed URL -- becomes one ``SetupError`` line naming the setting and the fix; the
traceback goes to the log at DEBUG only.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from bot import migrate
from bot.errors import SetupError
from bot.settings import CoreSettings
from engine.storage.db import make_engine, normalise_url

log = logging.getLogger(__name__)


def setting_name(settings: CoreSettings) -> str:
    """The environment variable that chose the database."""
    return "DATABASE_URL" if settings.database_url else "TUTORBOT_DATA_DIR"


def where(url: str) -> str:
    """The database a URL points at, without its password."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return "(an unreadable URL)"
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite file {parsed.database}"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.get_backend_name()} at {parsed.host or 'localhost'}{port}/{parsed.database}"


def explain(err: BaseException, settings: CoreSettings) -> str:
    """One line for an error met while opening the database: what, where, and the fix."""
    name, url = setting_name(settings), settings.db_url
    lines = str(getattr(err, "orig", None) or err).strip().splitlines()
    text = lines[0] if lines else type(err).__name__
    if isinstance(err, SetupError):
        return err.user_message
    if isinstance(err, ArgumentError | NoSuchModuleError | ValueError):
        return (f"{name} is not a database URL tutorbot can use ({text}). Use e.g. "
                "postgresql://user:password@host:5432/tutorbot or sqlite:////path/to/file.db.")
    if settings.is_sqlite:
        if "not a database" in text or "malformed" in text:
            place = where(url)
            return (f"{place[0].upper()}{place[1:]} is not a SQLite database or is damaged "
                    f"({text}). Move it aside, or point {name} elsewhere.")
        if "unable to open" in text or "readonly" in text or "permission" in text.lower():
            return (f"tutorbot cannot open {where(url)} ({text}). Check that the file and its "
                    f"folder are readable and writable by this user, or point {name} elsewhere.")
    elif isinstance(err, DBAPIError | SQLAlchemyError):
        return (f"tutorbot cannot reach the database at {name} ({where(url)}): {text}. "
                "Start the database or fix the URL, host, port and credentials.")
    return f"tutorbot cannot open the database at {name} ({where(url)}): {text}."


@contextlib.contextmanager
def explained(settings: CoreSettings) -> Iterator[None]:
    """Turn any failure to open, check or migrate the database into a one-line SetupError
    (the traceback logged at DEBUG)."""
    try:
        yield
    except SetupError:
        raise
    except (SQLAlchemyError, CommandError, ValueError, OSError) as err:
        log.debug("opening the database failed", exc_info=True)
        raise SetupError(explain(err, settings)) from None


def check_known(engine: Engine, settings: CoreSettings) -> str | None:
    """The database's revision; a revision this code does not know means the database was
    upgraded by a newer tutorbot, and nothing here may touch it."""
    current = migrate.current_revision(engine)
    script = ScriptDirectory.from_config(migrate.alembic_config(settings.db_url))
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        raise SetupError(
            f"The database at {setting_name(settings)} is at revision {current}, newer than "
            f"this tutorbot knows (its newest is {script.get_current_head()}). Run the newer "
            "tutorbot, or point the setting at another database.")
    return current


@contextlib.contextmanager
def migration_lock(settings: CoreSettings) -> Iterator[None]:
    """One process at a time migrates a SQLite file (a lock file beside it)."""
    database = make_url(normalise_url(settings.db_url)).database
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_database(settings: CoreSettings) -> Engine:
    """An Engine at the code's schema revision, or a SetupError saying what to fix."""
    with explained(settings):
        engine = make_engine(settings.db_url)
        try:
            head = migrate.head_revision(settings.db_url)
            if settings.is_sqlite:
                if check_known(engine, settings) != head:
                    with migration_lock(settings):  # another process may have done it meanwhile
                        if check_known(engine, settings) != head:
                            migrate.upgrade(settings.db_url)
            else:
                current = check_known(engine, settings)
                if current != head:
                    raise SetupError(
                        f"The database at {setting_name(settings)} is at revision "
                        f"{current or 'none'} but tutorbot needs {head}. "
                        "Run `tutorbot db upgrade` first.")
        except BaseException:
            engine.dispose()
            raise
        return engine
