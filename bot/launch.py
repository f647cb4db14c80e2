"""The ``tutorbot`` entry point: caches and configuration of the libraries tutorbot uses go
into ``TUTORBOT_DATA_DIR`` before any of them is imported, then the command line runs.

matplotlib picks its config and cache folder (``MPLCONFIGDIR``, else ``~/.config`` or
``~/.cache``) the moment it is imported, and the command modules import it; so this runs
first. Worker processes are spawned from this process and inherit the environment.
"""

from __future__ import annotations

import contextlib

from bot.environment import place_caches


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    from bot.settings import CoreSettings

    with contextlib.suppress(ValidationError):  # the command line then says what is wrong
        place_caches(CoreSettings().data_dir)
    from bot.cli import main as run  # imports matplotlib (through the command modules)

    return run(argv)
