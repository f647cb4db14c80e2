"""What the page completes from, straight from the command table: command names, their
options, each option's values (choices, yes/no, time zones, the Tutor's suggestion sources
such as topics) and the help shown beside them. The page completes as the learner types
without asking the server again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.commands import Command
from engine.commands.options import (
    BoolOption,
    ChoiceListOption,
    IntListOption,
    Option,
    TextArg,
)

Known = Mapping[str, tuple[str, ...]]  # suggestion source -> its values (Tutor.suggestions)
YES_NO = ("yes", "no")


Commands = Mapping[str, Command]  # the Tutor's command table (``Tutor.commands``)


def sources(commands: Commands) -> set[str]:
    """Every suggestion source the table names (``Tutor.suggestions`` answers them)."""
    found = set()
    for command in commands.values():
        for item in (command.text, *command.options):
            source = getattr(item, "source", None)
            if source:
                found.add(source)
    return found


class _Lists:
    """Value lists, each sent once however many options share it (the ~600 time zones)."""

    def __init__(self) -> None:
        self.lists: dict[str, list[str]] = {}
        self._keys: dict[tuple[str, ...], str] = {}

    def key(self, values: Iterable[str], name: str | None = None) -> str | None:
        items = tuple(dict.fromkeys(values))
        if not items:
            return None
        if items not in self._keys:
            key = name if name and name not in self.lists else f"list{len(self.lists)}"
            self._keys[items] = key
            self.lists[key] = list(items)
        return self._keys[items]


def _option_values(option: Option, known: Known) -> tuple[Iterable[str], str | None]:
    choices = getattr(option, "choices", ())
    if choices:
        return choices, None
    if isinstance(option, BoolOption):
        return YES_NO, None
    targets = getattr(option, "targets", ())  # compare=OPTION:VALUES
    if targets:
        return [f"{target.name}:" for target in targets], None
    source = getattr(option, "source", None)
    values = (*option.suggestions(), *(known.get(source, ()) if source else ()))
    return values, source or ("zones" if len(values) > 100 else None)


def _option(option: Option, lists: _Lists, known: Known) -> dict[str, Any]:
    values, name = _option_values(option, known)
    default = "" if option.default in (None, ()) else option.format(option.default)
    return {"name": option.name, "help": option.help, "allowed": option.allowed(),
            "default": default, "values": lists.key(values, name),
            "list": isinstance(option, ChoiceListOption | IntListOption)}


def _text(text: TextArg | None, lists: _Lists, known: Known) -> dict[str, Any] | None:
    if text is None:
        return None
    values = text.choices or (known.get(text.source, ()) if text.source else ())
    return {"name": text.name, "help": text.help, "required": text.required,
            "values": lists.key(values, text.source)}


def _command(command: Command, lists: _Lists, known: Known) -> dict[str, Any]:
    return {"name": command.name, "help": command.help, "usage": command.usage,
            "admin": command.admin, "examples": list(command.examples),
            "text": _text(command.text, lists, known),
            "options": [_option(o, lists, known) for o in command.options]}


def catalog(commands: Commands, known: Known, *, admin: bool) -> dict[str, Any]:
    """The completion catalog for one learner: facilitators' commands for facilitators."""
    lists = _Lists()
    shown = [_command(c, lists, known) for c in commands.values() if admin or not c.admin]
    return {"commands": shown, "lists": lists.lists}
