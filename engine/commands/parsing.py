"""Parsing command text (Slack, console) and typed values (Discord) into a Request.

Every adapter goes through here, so validation and its messages are the same everywhere.
A ``CommandTable`` holds the commands it parses; ``TABLE`` is tutorbot's own
(``engine.commands.table.COMMANDS``) and the module functions use it. Tests and other
products build their own table and hand it to the Tutor and the adapters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from engine.commands.table import COMMANDS, Command, Request
from engine.domain.errors import BadInput, BadOption, UnknownCommand, did_you_mean, one_of

_OPTION_TOKEN = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)=(.*)$", re.S)


class CommandTable(Mapping[str, Command]):
    """A set of commands by name, and the parser for them."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self._commands = MappingProxyType({c.name: c for c in commands})

    def __getitem__(self, name: str) -> Command:
        return self._commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)

    def with_commands(self, *extra: Command) -> CommandTable:
        """This table plus ``extra`` (replacing commands of the same name)."""
        return CommandTable([*self._commands.values(), *extra])

    def parse(self, line: str) -> Request:
        """Parse ``/name text opt=value ...`` into a validated Request."""
        stripped = line.strip()
        if not stripped:
            raise BadInput("Type a command, for example `/tokenize My name is Pawel`, "
                           "or `/help`.")
        if not stripped.startswith("/"):
            raise BadInput("Commands start with `/`, for example `/tokenize My name is Pawel`. "
                           "Type `/help` to see them all.")
        name, _, rest = stripped[1:].partition(" ")
        return self.parse_args(name, rest)

    def find(self, name: str) -> Command:
        """The command called ``name``; unknown names raise a message with a suggestion."""
        key = name.strip().lower().lstrip("/")
        if key in self._commands:
            return self._commands[key]
        shown = key[:40] + ("…" if len(key) > 40 else "")
        raise UnknownCommand(
            f"There is no command `/{shown}`{did_you_mean(key, self._commands)}. "
            f"Commands: {one_of('/' + c for c in self._commands)}. Type `/help` for details."
        )

    def parse_args(self, name: str, args: str) -> Request:
        """Parse the text after a command name (Slack hands the two over separately)."""
        command = self.find(name)
        tokens = args.split()
        if command.text is None:
            lead, trail = len(tokens), 0  # every token must be an option
        else:
            lead = _leading_options(command, tokens)
            trail = _trailing_options(command, tokens[lead:])
        raw: dict[str, str] = {}
        for token in tokens[:lead] + tokens[len(tokens) - trail:]:
            key, value = _split_option(command, token)
            if key in raw:
                raise BadOption(f"`{key}` is given twice; give it once.")
            raw[key] = value
        text = _middle_text(args, tokens, lead, trail) if command.text else ""
        return self.build(command.name, raw, text)

    def build(self, name: str, values: Mapping[str, Any], text: str | None = None) -> Request:
        """Validate typed or textual option values (Discord, buttons) into a Request."""
        return build_request(self.find(name), values, text)


def build_request(command: Command, values: Mapping[str, Any],
                  text: str | None = None) -> Request:
    """Validate option values for ``command`` (typed, as Discord sends them, or textual)."""
    options: dict[str, Any] = {}
    for key, value in values.items():
        opt = command.option(key)
        options[key] = opt.check(value)
    for opt in command.options:
        options.setdefault(opt.name, opt.default)
    clean = command.text.check(command.name, text or "") if command.text else ""
    return Request(command.name, options, clean)


TABLE = CommandTable(COMMANDS.values())
parse = TABLE.parse
find_command = TABLE.find
parse_args = TABLE.parse_args
build = TABLE.build


def _split_option(command: Command, token: str) -> tuple[str, str]:
    match = _OPTION_TOKEN.match(token)
    if match is None:
        raise BadOption(_no_text_message(command, token))
    key = match.group(1).lower()
    command.option(key)  # raises with a suggestion when unknown
    return key, match.group(2)


def _is_option(command: Command, token: str) -> bool:
    """True for ``key=value`` tokens whose key is an option, or close enough to be a typo."""
    match = _OPTION_TOKEN.match(token)
    if match is None:
        return False
    key = match.group(1).lower()
    if command.text is None or key in command.option_names:
        return True
    return bool(did_you_mean(key, command.option_names))


def _leading_options(command: Command, tokens: list[str]) -> int:
    count = 0
    while count < len(tokens) and _is_option(command, tokens[count]):
        count += 1
    return count


def _trailing_options(command: Command, tokens: list[str]) -> int:
    count = 0
    while count < len(tokens) and _is_option(command, tokens[len(tokens) - 1 - count]):
        count += 1
    return count


def _middle_text(args: str, tokens: list[str], lead: int, trail: int) -> str:
    """The free text between the option runs, with its inner whitespace kept as typed."""
    middle = tokens[lead:len(tokens) - trail]
    if not middle:
        return ""
    start = 0
    for token in tokens[:lead]:
        start = args.index(token, start) + len(token)
    begin = args.index(middle[0], start)
    end = begin
    for token in middle:
        end = args.index(token, end) + len(token)
    return args[begin:end]


def _no_text_message(command: Command, token: str) -> str:
    shown = token[:40] + ("…" if len(token) > 40 else "")
    if command.options:
        return (f"`/{command.name}` takes options as name=value, not '{shown}'. "
                f"Usage: `{command.usage_invocation().mark()}`")
    return f"`/{command.name}` takes no text or options; got '{shown}'."
