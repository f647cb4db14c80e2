"""Typed command options: each knows how to read text, check a typed value and explain itself.

Every error names the option, the bad value and what is allowed, with a "did you mean"
where a close match exists. Adapters with typed inputs (Discord) call ``check`` with values
they already converted; text adapters (Slack, console) call ``parse``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from engine.domain.clock import zone, zone_names
from engine.domain.errors import BadOption, did_you_mean, one_of
from engine.learning.schedule import parse_hhmm

TRUE_WORDS = ("yes", "true", "on", "1")
FALSE_WORDS = ("no", "false", "off", "0")


@dataclass(frozen=True)
class Option:
    """Base class: a named, documented option with a default."""

    name: str
    help: str
    default: Any = None

    def parse(self, raw: str) -> Any:
        """Read the option from command text."""
        raise NotImplementedError

    def check(self, value: Any) -> Any:
        """Validate a value that arrived typed (or as text) and return it normalised."""
        return self.parse(value) if isinstance(value, str) else value

    def allowed(self) -> str:
        """What values are allowed, for help and error messages."""
        raise NotImplementedError

    def format(self, value: Any) -> str:
        """The text form of a value, such that ``parse(format(v)) == v``."""
        return str(value)

    def suggestions(self) -> tuple[str, ...]:
        """Values worth offering as the learner types (adapters with autocomplete)."""
        return ()

    def _fail(self, raw: Any, extra: str = "") -> BadOption:
        return BadOption(f"`{self.name}` must be {self.allowed()}; got '{raw}'{extra}")


@dataclass(frozen=True)
class IntOption(Option):
    """A whole number within [min, max]."""

    min: int = 0
    max: int = 100

    def parse(self, raw: str) -> int:
        try:
            value = int(raw.strip().replace("_", ""))
        except ValueError:
            raise self._fail(raw) from None
        return self.check(value)

    def check(self, value: Any) -> int:
        if isinstance(value, str):
            return self.parse(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(value)
        if not self.min <= value <= self.max:
            raise self._fail(value)
        return value

    def allowed(self) -> str:
        return f"a whole number from {self.min} to {self.max}"


@dataclass(frozen=True)
class FloatOption(Option):
    """A finite number within [min, max]."""

    min: float = 0.0
    max: float = 1.0

    def parse(self, raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise self._fail(raw) from None
        return self.check(value)

    def check(self, value: Any) -> float:
        if isinstance(value, str):
            return self.parse(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(value)
        value = float(value)
        if not math.isfinite(value) or not self.min <= value <= self.max:
            raise self._fail(value)
        return value

    def allowed(self) -> str:
        return f"a number from {self.min:g} to {self.max:g}"

    def format(self, value: Any) -> str:
        return f"{value:g}"


@dataclass(frozen=True)
class ChoiceOption(Option):
    """One of a fixed set of names (case-insensitive)."""

    choices: tuple[str, ...] = ()

    def parse(self, raw: str) -> str:
        word = raw.strip().lower()
        if word in self.choices:
            return word
        raise BadOption(
            f"`{self.name}` must be one of {', '.join(self.choices)}; "
            f"got '{raw}'{did_you_mean(word, self.choices)}"
        )

    def allowed(self) -> str:
        return f"one of {', '.join(self.choices)}"


@dataclass(frozen=True)
class BoolOption(Option):
    """yes/no, true/false, on/off."""

    default: bool = False

    def parse(self, raw: str) -> bool:
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise self._fail(raw)

    def check(self, value: Any) -> bool:
        return value if isinstance(value, bool) else self.parse(str(value))

    def allowed(self) -> str:
        return "yes or no"

    def format(self, value: Any) -> str:
        return "yes" if value else "no"


@dataclass(frozen=True)
class IntListOption(Option):
    """A comma-separated list of whole numbers, e.g. ``layers=4,2``.

    ``empty_words`` (e.g. ``("0", "none")``) spell the empty list.
    """

    default: tuple[int, ...] = ()
    min_items: int = 0
    max_items: int = 8
    item_min: int = 0
    item_max: int = 100
    empty_words: tuple[str, ...] = ()

    def parse(self, raw: str) -> tuple[int, ...]:
        text = raw.strip().lower()
        if text in self.empty_words:
            return self.check(())
        parts = text.split(",")
        if any(not p.strip() for p in parts):
            raise self._fail(raw, " (an empty item between commas)")
        try:
            items = tuple(int(p) for p in parts)
        except ValueError:
            raise self._fail(raw) from None
        return self.check(items)

    def check(self, value: Any) -> tuple[int, ...]:
        if isinstance(value, str):
            return self.parse(value)
        items = tuple(value)
        if not self.min_items <= len(items) <= self.max_items:
            raise self._fail(self.format(items), f" ({len(items)} items)")
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int):
                raise self._fail(self.format(items))
            if not self.item_min <= item <= self.item_max:
                raise self._fail(self.format(items), f" ({item} is out of range)")
        return items

    def allowed(self) -> str:
        empty = f" ({self.empty_words[0]} for none)" if self.empty_words else ""
        return (
            f"{self.min_items} to {self.max_items} comma-separated whole numbers, each from "
            f"{self.item_min} to {self.item_max}, like 4,2{empty}"
        )

    def format(self, value: Any) -> str:
        if not value and self.empty_words:
            return self.empty_words[0]
        return ",".join(str(v) for v in value)


@dataclass(frozen=True)
class ChoiceListOption(Option):
    """A comma-separated list of distinct names from a fixed set, e.g. ``features=x1,x2``."""

    default: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    min_items: int = 1
    max_items: int = 8
    aliases: tuple[tuple[str, str], ...] = ()  # (other spelling, choice), lower-case

    def parse(self, raw: str) -> tuple[str, ...]:
        parts = [p.strip().lower() for p in raw.split(",")]
        if any(not p for p in parts):
            raise self._fail(raw, " (an empty item between commas)")
        other = dict(self.aliases)
        parts = [other.get(p, p) for p in parts]
        for part in parts:
            if part not in self.choices:
                raise BadOption(
                    f"`{self.name}` items must be from {', '.join(self.choices)}; "
                    f"got '{part}'{did_you_mean(part, self.choices)}"
                )
        return self.check(tuple(parts))

    def check(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            return self.parse(value)
        other = dict(self.aliases)
        items = tuple(other.get(str(v).lower(), v) for v in value)
        if len(set(items)) != len(items):
            raise self._fail(",".join(items), " (an item appears twice)")
        if not self.min_items <= len(items) <= self.max_items:
            raise self._fail(",".join(items), f" ({len(items)} items)")
        return items

    def allowed(self) -> str:
        return f"{self.min_items} to {self.max_items} of {one_of(self.choices)}, comma-separated"

    def format(self, value: Any) -> str:
        return ",".join(value)


@dataclass(frozen=True)
class TextArg:
    """The free text a command takes (``/tokenize TEXT``)."""

    name: str
    help: str
    max_len: int = 2000
    required: bool = True
    choices: tuple[str, ...] = ()  # when set, the text must be one of these words
    source: str | None = None  # named suggestions the Tutor knows (``Tutor.suggestions``)

    def check(self, command: str, text: str) -> str:
        """Return the cleaned text or raise a message saying what is wrong."""
        text = text.strip()
        if not text and self.required:
            raise BadOption(f"`/{command}` needs {self.name}: {self.help}.")
        if text and self.choices:
            word = text.lower()
            if word not in self.choices:
                raise BadOption(f"`/{command}` takes one of {', '.join(self.choices)}; got "
                                f"'{text[:30]}'{did_you_mean(word, self.choices)}.")
            return word
        if len(text) > self.max_len:
            raise BadOption(
                f"The {self.name} is {len(text):,} characters long; `/{command}` takes at most "
                f"{self.max_len:,}. Send a shorter piece."
            )
        return text


@dataclass(frozen=True)
class WordOption(Option):
    """One word (no spaces) matching ``pattern``, e.g. ``topic=attention``."""

    pattern: str = r"^[A-Za-z0-9_./+-]{1,48}$"
    example: str = "attention"
    source: str | None = None  # named suggestions the Tutor knows (``Tutor.suggestions``)

    def parse(self, raw: str) -> str:
        word = raw.strip()
        if not re.match(self.pattern, word):
            raise self._fail(raw[:60])
        return word

    def allowed(self) -> str:
        return f"one word like {self.example}"


@dataclass(frozen=True)
class TimeOption(Option):
    """A 24-hour wall-clock time ``HH:MM`` (``09:00``, ``17:30``)."""

    def parse(self, raw: str) -> time:
        return parse_hhmm(raw, self.name)

    def check(self, value: Any) -> time:
        if isinstance(value, time):
            return value
        return self.parse(str(value))

    def allowed(self) -> str:
        return "a 24-hour time like 09:00"

    def format(self, value: Any) -> str:
        return f"{value:%H:%M}"


@dataclass(frozen=True)
class ZoneOption(Option):
    """An IANA time zone name (``Europe/Warsaw``, ``America/New_York``, ``UTC``)."""

    def parse(self, raw: str) -> str:
        try:
            return zone(raw.strip()).key
        except BadOption as err:
            raise BadOption(f"`{self.name}`: {err.user_message}") from None

    def allowed(self) -> str:
        return "an IANA time zone like Europe/Warsaw"

    def suggestions(self) -> tuple[str, ...]:
        return zone_names()
