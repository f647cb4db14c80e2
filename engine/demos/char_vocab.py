"""A character-level vocabulary: every character of the training text is one token.

The simplest tokenizer there is, which makes the tiny GPT easy to look inside: each
prediction is a single character. Text from a learner may hold characters the model never
saw (accents, curly quotes, emoji); ``encode`` folds them to the nearest known character
or to a fallback and says which ones it changed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

#: Replacements tried before giving up on a character (typographic -> plain ASCII).
_FOLDS = {
    "\u2018": "'", "\u2019": "'", "\u201c": "'", "\u201d": "'", '"': "'", "`": "'",
    "\u2013": "-", "\u2014": "-", "\u2026": ".", "\t": " ", "\r": "\n", "!": ".",
}
#: Used for a character with no sensible stand-in, when the vocabulary has it.
FALLBACK_CHARS = ("?", " ")


@dataclass(frozen=True)
class Encoded:
    """Token ids for a text, and the characters that had to be replaced to get them."""

    ids: list[int]
    text: str  # the text the ids spell (after folding)
    replaced: dict[str, str] = field(default_factory=dict)  # original char -> stand-in


@dataclass(frozen=True)
class CharVocab:
    """An ordered set of characters; a character's position is its token id."""

    chars: str

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars) or not self.chars:
            raise ValueError("a vocabulary needs at least one character and no duplicates")

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """The vocabulary of every distinct character in ``text``, sorted by code point."""
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        """Number of tokens."""
        return len(self.chars)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.chars)}

    def stand_in(self, ch: str) -> str | None:
        """The known character used for ``ch``, or None if it should be dropped."""
        if ch in self._index:
            return ch
        folded = _FOLDS.get(ch)
        if folded is None:
            decomposed = unicodedata.normalize("NFKD", ch)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        if folded and all(c in self._index for c in folded):
            return folded
        if unicodedata.combining(ch) or unicodedata.category(ch).startswith("C"):
            return None  # stray accents, control and format characters (zero-width joiners)
        return next((c for c in FALLBACK_CHARS if c in self._index), None)

    def encode(self, text: str) -> Encoded:
        """Token ids for ``text``; unknown characters are folded, replaced or dropped."""
        index = self._index
        out: list[str] = []
        replaced: dict[str, str] = {}
        for ch in unicodedata.normalize("NFC", text):
            sub = self.stand_in(ch)
            if sub != ch:
                replaced[ch] = sub or ""
            if sub:
                out.append(sub)
        spelled = "".join(out)
        return Encoded([index[c] for c in spelled], spelled, replaced)

    def decode(self, ids: list[int]) -> str:
        """The text spelled by token ids."""
        return "".join(self.chars[i] for i in ids)
