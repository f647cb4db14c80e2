"""The command table -> Discord app commands, generated with no code per command.

Each table option becomes a typed parameter: whole numbers and numbers with their ranges,
yes/no as a boolean, short enumerations as choices, long enumerations and lists with
autocomplete, and the free text as a string. Discord hands the values over raw; the one
generated callback passes them to ``engine.commands.parsing.build`` so validation (and every error
message) is the same as on Slack and the console.
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.text import ELLIPSIS
from engine.commands import Command, Request
from engine.commands.options import (
    BoolOption,
    ChoiceListOption,
    ChoiceOption,
    FloatOption,
    IntListOption,
    IntOption,
    Option,
    TextArg,
    ZoneOption,
)
from engine.commands.parsing import CommandTable, build_request
from engine.domain.clock import zone_key, zone_names
from engine.domain.errors import TutorError
from engine.domain.text import shorten

DESCRIPTION_MAX = 100  # characters in a command or option description
OPTIONS_MAX = 25  # options per command
CHOICES_MAX = 25  # fixed choices per option; also autocomplete suggestions per keystroke
CHOICE_TEXT_MAX = 100  # characters in a choice's name and string value
STRING_MAX = 6000  # characters in a string option
INTEGER_LIMIT = 2**53  # Discord integers are doubles: |value| < 2**53
ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)
OPTION_TYPES = {  # table option type -> Discord option type, for anything not listed: string
    BoolOption: discord.AppCommandOptionType.boolean,
    IntOption: discord.AppCommandOptionType.integer,
    FloatOption: discord.AppCommandOptionType.number,
}
LIST_EXAMPLE_ITEMS = (1, 2, 3, 4, 6, 8, 16, 32)
POPULAR_ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Europe/Warsaw", "America/New_York",
                 "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata",
                 "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney")

Handler = Callable[[discord.Interaction, Command, Request], Awaitable[None]]
Suggestions = Callable[[str], Awaitable[tuple[str, ...]]]  # a source's values (Tutor.suggestions)


def plain_line(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """``text`` as one plain line cut to ``limit`` characters with an ellipsis; never empty."""
    return shorten(" ".join(_plain(text).split()) or ELLIPSIS, limit)


class OptionTransformer(app_commands.Transformer):
    """How one table option looks to Discord. Values pass through unchanged to ``build``."""

    def __init__(self, option: Option) -> None:
        self.option = option

    @property
    def type(self) -> discord.AppCommandOptionType:
        return OPTION_TYPES.get(type(self.option), discord.AppCommandOptionType.string)

    @property
    def min_value(self) -> int | float | None:
        if isinstance(self.option, IntOption):
            return max(self.option.min, -INTEGER_LIMIT + 1)
        return self.option.min if isinstance(self.option, FloatOption) else None

    @property
    def max_value(self) -> int | float | None:
        if isinstance(self.option, IntOption):
            return min(self.option.max, INTEGER_LIMIT - 1)
        if isinstance(self.option, FloatOption):
            return self.option.max
        typed = self.type != discord.AppCommandOptionType.string
        return None if typed or self.choices is not None else CHOICE_TEXT_MAX

    @property
    def choices(self) -> list[app_commands.Choice[str]] | None:
        if isinstance(self.option, ChoiceOption) and len(self.option.choices) <= CHOICES_MAX:
            return [app_commands.Choice(name=c, value=c) for c in self.option.choices]
        return None

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        return value


class SuggestingTransformer(OptionTransformer):
    """A text option Discord completes as the learner types (long enumerations, lists, time
    zones, topics, and any option type the table gains later), seeded with the values the
    command's examples use."""

    def __init__(self, option: Option, examples: tuple[str, ...] = (),
                 suggestions: Suggestions | None = None) -> None:
        super().__init__(option)
        self.examples = examples
        self.suggestions = suggestions

    async def autocomplete(self, interaction: discord.Interaction, value: Any, /,
                           ) -> list[app_commands.Choice[str]]:
        if isinstance(self.option, ZoneOption):
            return [app_commands.Choice(name=z, value=z) for z in zone_choices(str(value or ""))]
        known = self.option.suggestions()
        source = getattr(self.option, "source", None)
        if source and self.suggestions is not None:
            known += await self.suggestions(source)
        return [app_commands.Choice(name=plain_line(name, CHOICE_TEXT_MAX), value=text)
                for name, text in suggest(self.option, str(value or ""), self.examples, known)]


class TextTransformer(app_commands.Transformer):
    """The free text a command takes, as a string parameter with the table's length limit,
    or as fixed choices when the table lists the words it may be."""

    def __init__(self, arg: TextArg) -> None:
        self.arg = arg

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int | None:
        return 1 if self.arg.required and not self.choices else None

    @property
    def max_value(self) -> int | None:
        return None if self.choices else min(self.arg.max_len, STRING_MAX)

    @property
    def choices(self) -> list[app_commands.Choice[str]] | None:
        if self.arg.choices and len(self.arg.choices) <= CHOICES_MAX:
            return [app_commands.Choice(name=c, value=c) for c in self.arg.choices]
        return None

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        return value


class SuggestingTextTransformer(TextTransformer):
    """Free text with suggestions from a named source (topics, command names) as the
    learner types; anything else may still be sent."""

    def __init__(self, arg: TextArg, suggestions: Suggestions) -> None:
        super().__init__(arg)
        self.suggestions = suggestions

    async def autocomplete(self, interaction: discord.Interaction, value: Any, /,
                           ) -> list[app_commands.Choice[str]]:
        assert self.arg.source is not None
        values = matching(await self.suggestions(self.arg.source), str(value or ""))
        return [app_commands.Choice(name=plain_line(v, CHOICE_TEXT_MAX), value=v)
                for v in values[:CHOICES_MAX] if len(v) <= CHOICE_TEXT_MAX]


def transformer_for(option: Option, examples: tuple[str, ...] = (),
                    suggestions: Suggestions | None = None) -> OptionTransformer:
    """The Discord shape of ``option``: fixed choices, a range, or autocomplete."""
    plain = isinstance(option, BoolOption | IntOption | FloatOption) or (
        isinstance(option, ChoiceOption) and len(option.choices) <= CHOICES_MAX)
    if plain:
        return OptionTransformer(option)
    return SuggestingTransformer(option, examples, suggestions)


def text_transformer(arg: TextArg, suggestions: Suggestions | None = None) -> TextTransformer:
    """The Discord shape of a command's free text."""
    if arg.source and suggestions is not None and not arg.choices:
        return SuggestingTextTransformer(arg, suggestions)
    return TextTransformer(arg)


def example_values(command: Command) -> dict[str, tuple[str, ...]]:
    """Per option, the non-default values the command's ``examples`` use (as text)."""
    found: dict[str, list[str]] = {o.name: [] for o in command.options}
    for example in command.examples:
        try:
            request = CommandTable([command]).parse(example)
        except TutorError:
            continue  # an example that does not parse is the table's bug, not ours
        for option in command.options:
            value = request.options.get(option.name)
            if value is not None and value != option.default:
                found[option.name].append(option.format(value))
    return {name: tuple(dict.fromkeys(values)) for name, values in found.items()}


# --- autocomplete ---------------------------------------------------------------------------

def suggest(option: Option, current: str, examples: tuple[str, ...] = (),
            known: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Up to 25 (label, value) suggestions for what the learner has typed so far, from the
    option's own values, the command's examples and ``known`` values (time zones, topics).

    A complete valid value comes first; an invalid one is shown with the reason it fails,
    so the learner sees the problem before sending.
    """
    current = current.strip()[:CHOICE_TEXT_MAX]
    candidates = list(dict.fromkeys(_candidates(option, current, examples, known)))
    found: list[tuple[str, str]] = []
    if current:
        try:
            found.append((option.format(option.check(current)), current))
        except TutorError as err:
            if not any(current.lower() in c.lower() for c in candidates):
                found.append((err.user_message, current))  # a mistake, not a partial value
    found += [(c, c) for c in candidates if c != current]
    return found[:CHOICES_MAX]


def zone_choices(current: str) -> list[str]:
    """Up to 25 distinct, valid IANA zones for what was typed: any case, spaces for
    underscores, matching a city (``new york``, ``los angeles``) or any part of the name;
    an exact name first, then zones whose city starts with it, then names that do."""
    word = zone_key(current)
    names = zone_names()
    if not word:
        return list(POPULAR_ZONES)

    def rank(name: str) -> tuple[int, str]:
        key = name.casefold()
        city = key.rsplit("/", 1)[-1]
        if word == key:
            return (0, name)
        if word == city:
            return (1, name)
        if city.startswith(word):
            return (2, name)
        return (3, name) if key.startswith(word) else (4, name)

    return sorted((n for n in names if word in n.casefold()), key=rank)[:CHOICES_MAX]


def matching(values: Iterable[str], current: str) -> list[str]:
    """``values`` containing what was typed (any case), those starting with it first."""
    word = current.strip().lower()
    found = [v for v in dict.fromkeys(values) if word in v.lower()]
    return sorted(found, key=lambda v: not v.lower().startswith(word)
                  and not v.lower().split("/")[-1].startswith(word))


def _candidates(option: Option, current: str, examples: tuple[str, ...],
                known: tuple[str, ...] = ()) -> Iterable[str]:
    if isinstance(option, ChoiceOption):
        word = current.lower()
        return sorted((c for c in option.choices if word in c), key=lambda c: not c.startswith(word))
    if isinstance(option, ChoiceListOption):
        done, _, last = current.lower().rpartition(",")
        used = {p.strip() for p in done.split(",")} if done else set()
        prefix = done + "," if done else ""
        if len(used) >= option.max_items:
            return []
        return [prefix + c for c in option.choices if c.startswith(last.strip()) and c not in used]
    seeds = [option.format(option.default)] if option.default not in (None, ()) else []
    seeds += examples
    if isinstance(option, IntListOption):
        seeds += _list_examples(option)
    if known:  # a long list of real values: what matches, the command's examples first
        return matching([*seeds, *known], current)
    return [e for e in dict.fromkeys(seeds) if e.startswith(current)] or seeds


def _list_examples(option: IntListOption) -> list[str]:
    sizes = [v for v in LIST_EXAMPLE_ITEMS if option.item_min <= v <= option.item_max]
    examples = list(option.empty_words[:1]) if option.min_items == 0 else []
    for count in range(max(option.min_items, 1), min(option.max_items, 3) + 1):
        examples += [",".join([str(v)] * count) for v in sizes]
    return examples


def _plain(message: str) -> str:
    return message.replace("`", "")


# --- generation -----------------------------------------------------------------------------

def _python_name(name: str, taken: set[str]) -> str:
    """A keyword-safe, unique Python parameter name for a Discord option name."""
    safe = name + "_" if keyword.iskeyword(name) else name
    while safe in taken or safe == "interaction":
        safe += "_"
    return safe


@dataclass(frozen=True)
class Signature:
    """A command's generated parameters, and how Python names map back to table names."""

    params: tuple[inspect.Parameter, ...]
    described: dict[str, str]  # python name -> description
    renamed: dict[str, str]  # python name -> Discord name, where they differ
    table_name: dict[str, str]  # python name -> table name
    text: str | None  # the python name of the free text, if any


def signature(command: Command, suggestions: Suggestions | None = None) -> Signature:
    """Typed parameters for a table entry: the free text first, then the options."""
    shapes: list[tuple[str, Any, bool, str]] = []
    if command.text:
        shapes.append((command.text.name, text_transformer(command.text, suggestions),
                       command.text.required,
                       command.text.help))
    examples = example_values(command)
    shapes += [(o.name, transformer_for(o, examples[o.name], suggestions), False, o.help)
               for o in command.options]
    if len({name for name, *_ in shapes}) != len(shapes):
        raise ValueError(f"/{command.name}: its text and an option share a name")
    if len(shapes) > OPTIONS_MAX:
        raise ValueError(f"/{command.name} has {len(shapes)} options; Discord allows "
                         f"{OPTIONS_MAX}")
    params, described, renamed, table_name = [], {}, {}, {}
    for name, shape, required, help_text in shapes:
        py = _python_name(name, set(table_name))
        table_name[py] = name
        default = inspect.Parameter.empty if required else None
        params.append(inspect.Parameter(py, inspect.Parameter.KEYWORD_ONLY, annotation=shape,
                                        default=default))
        described[py] = plain_line(help_text)
        if py != name:
            renamed[py] = name
    text = next(iter(table_name)) if command.text else None
    return Signature(tuple(params), described, renamed, table_name, text)


def app_command(command: Command, handler: Handler,
                suggestions: Suggestions | None = None) -> app_commands.Command:
    """One Discord app command for a table entry; its callback builds the Request through
    ``engine.commands.parsing.build_request`` (the same validation as Slack and the console)."""
    sig = signature(command, suggestions)

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        raw = {sig.table_name[k]: v for k, v in values.items()
               if v is not None and k != sig.text}
        request = build_request(command, raw, values.get(sig.text) if sig.text else None)
        await handler(interaction, command, request)

    first = inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              annotation=discord.Interaction)
    callback.__signature__ = inspect.Signature([first, *sig.params])  # type: ignore[attr-defined]
    callback.__qualname__ = callback.__name__ = command.name.replace("-", "_")
    callback.__discord_app_commands_param_description__ = sig.described  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_rename__ = sig.renamed  # type: ignore[attr-defined]
    result = app_commands.Command(name=command.name, description=plain_line(command.help),
                                  callback=callback, extras={"table": command})
    if command.admin:  # a hint server admins can override: the server checks too (client.py)
        result.default_permissions = ADMIN_PERMISSIONS
        result.guild_only = True
        result.allowed_contexts = app_commands.AppCommandContext(guild=True)
    return result


def app_commands_for(table: Iterable[Command], handler: Handler,
                     suggestions: Suggestions | None = None) -> list[app_commands.Command]:
    """Every table entry as an app command, in table order (``suggestions`` feeds the
    autocomplete of values from named sources: topics, command names)."""
    return [app_command(command, handler, suggestions) for command in table]
