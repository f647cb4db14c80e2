"""Tab completion in the console: command names, option names, and values — choices, time
zones, and the named sources of the table (topics, command names) — straight from the
command table, as Discord's autocomplete offers them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from engine import commands as table
from engine.commands import Command
from engine.commands.options import ChoiceListOption, ChoiceOption, Option, TextArg
from engine.domain.errors import TutorError

Known = Mapping[str, tuple[str, ...]]  # suggestion source -> its values (Tutor.suggestions)


def candidates(line: str, known: Known | None = None) -> list[str]:
    """What the last word of ``line`` (what is typed so far) may become, whole words."""
    known = known or {}
    head, _, word = line.rpartition(" ")
    if not head.strip():  # the command itself
        typed = word.lstrip("/")
        return [f"/{name}" for name in table.COMMANDS if name.startswith(typed)]
    command = table.COMMANDS.get(head.split()[0].lstrip("/").lower())
    if command is None:
        return []
    key, equals, value = word.partition("=")
    if equals:
        try:
            option = command.option(key.lower())
        except TutorError:
            return []
        return [f"{key}={v}" for v in _starting(_values(option, known), value)]
    names = [f"{o.name}=" for o in command.options if o.name.startswith(word.lower())]
    return names + _starting(_text_values(command, known), word)


def _values(option: Option, known: Known) -> Iterable[str]:
    if isinstance(option, ChoiceOption | ChoiceListOption):
        return option.choices
    source = getattr(option, "source", None)
    return (*option.suggestions(), *(known.get(source, ()) if source else ()))


def _text_values(command: Command, known: Known) -> Iterable[str]:
    text: TextArg | None = command.text
    if text is None:
        return ()
    return text.choices or (known.get(text.source, ()) if text.source else ())


def _starting(values: Iterable[str], typed: str) -> list[str]:
    """Values that start with ``typed`` (any case); failing that, a time zone whose city
    starts with it, when only one does (readline replaces the typed word with what the
    matches share, so several matches that do not start with it would erase it)."""
    word = typed.lower()
    unique = list(dict.fromkeys(values))
    found = [v for v in unique if v.lower().startswith(word)]
    if found:
        return found
    by_city = [v for v in unique if v.lower().split("/")[-1].startswith(word)]
    return by_city if len(by_city) == 1 else []


def sources() -> set[str]:
    """Every suggestion source the table names."""
    found = set()
    for command in table.COMMANDS.values():
        for item in (command.text, *command.options):
            source = getattr(item, "source", None)
            if source:
                found.add(source)
    return found
