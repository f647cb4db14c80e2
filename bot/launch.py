"""The ``tutorbot`` entry point: caches and configuration of the libraries tutorbot uses go
into ``TUTORBOT_DATA_DIR`` before any of them is imported, then the command line runs.

matplotlib picks its config and cache folder (``MPLCONFIGDIR``, else ``~/.config`` or
``~/.cache``) the moment it is imported, and the command modules import it; so this runs
first. Worker processes are spawned from this process and inherit the environment.
"""

from __future__ import annotations

import os
from pathlib import Path


def place_caches(data_dir: Path) -> None:
    """Point every library cache we know of into ``data_dir`` (an operator's own setting of
    one of these variables wins)."""
    cache = data_dir.expanduser() / "cache"
    for name, where in (("MPLCONFIGDIR", cache / "matplotlib"),
                        ("XDG_CACHE_HOME", cache),
                        ("HF_HOME", cache / "huggingface"),
                        ("TORCH_HOME", cache / "torch"),
                        ("TIKTOKEN_CACHE_DIR", data_dir.expanduser() / "tiktoken-cache")):
        os.environ.setdefault(name, str(where))
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    from bot.settings import CoreSettings

    try:
        place_caches(CoreSettings().data_dir)
    except ValidationError:
        pass  # the command line says what is wrong with the settings
    from bot.cli import main as run  # imports matplotlib (through the command modules)

    return run(argv)
