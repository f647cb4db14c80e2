"""Where the libraries tutorbot uses keep their caches and configuration: in
``TUTORBOT_DATA_DIR``, set before any of them is imported (``bot.launch``) and inherited by
the worker processes."""

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
