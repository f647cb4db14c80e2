"""`compare=OPTION:V1,V2[,V3,V4]`: run a demo once per value of one of its other options.

The values are read by the compared option itself, so they are checked exactly as if typed
alone (`compare=activation:relu,tahn` gets "did you mean tanh?"). List-valued options
(layers, features) contain commas, so their values are separated by `/` instead:
`compare=layers:0/4/4,4`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.commands.options import ChoiceListOption, IntListOption, Option
from engine.domain.errors import BadOption, did_you_mean


def _separator(target: Option) -> str:
    return "/" if isinstance(target, IntListOption | ChoiceListOption) else ","


@dataclass(frozen=True)
class CompareOption(Option):
    """One option's name and 2–4 distinct values for it; None (the default) compares nothing."""

    targets: tuple[Option, ...] = ()
    min_values: int = 2
    max_values: int = 4

    def target(self, name: str) -> Option:
        """The comparable option called `name`, or a message listing them."""
        for option in self.targets:
            if option.name == name:
                return option
        names = tuple(o.name for o in self.targets)
        raise BadOption(
            f"`{self.name}` can compare {', '.join(names)}; "
            f"got '{name}'{did_you_mean(name, names)}"
        )

    def parse(self, raw: str) -> tuple[str, tuple[Any, ...]]:
        name, colon, values = raw.strip().partition(":")
        if not colon or not name or not values.strip():
            raise self._fail(raw)
        target = self.target(name.strip().lower())
        parts = values.split(_separator(target))
        try:
            parsed = tuple(target.parse(part) for part in parts)
        except BadOption as err:
            raise BadOption(f"In `{self.name}`: {err.user_message}") from None
        return self.check((target.name, parsed))

    def check(self, value: Any) -> tuple[str, tuple[Any, ...]] | None:
        if value is None or isinstance(value, str):
            return None if value is None else self.parse(value)
        name, values = value
        target = self.target(name)
        values = tuple(target.check(v) for v in values)
        if not self.min_values <= len(values) <= self.max_values:
            count = f"only {len(values)} value" if len(values) == 1 else f"{len(values)} values"
            raise self._fail(self.format((name, values)), f" ({count})")
        if len(set(values)) != len(values):
            raise self._fail(self.format((name, values)), " (a value appears twice)")
        return name, values

    def allowed(self) -> str:
        return (
            f"OPTION:VALUE,VALUE with {self.min_values} to {self.max_values} values of one of "
            f"{', '.join(o.name for o in self.targets)}, like activation:relu,tanh "
            "(separate layers or features values with /, like layers:0/4/4,4)"
        )

    def format(self, value: Any) -> str:
        name, values = value
        target = self.target(name)
        return f"{name}:" + _separator(target).join(target.format(v) for v in values)
