"""Name lookup for the demo registries (DATASETS, FEATURES, ACTIVATIONS, ...).

Every choice a learner can make is a key in a registry dict; an unknown name raises
`UnknownName`, whose message lists the valid names and, when one is close, suggests it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


class UnknownName(ValueError):
    """A name that is not in a registry; the message lists the valid names."""

    def __init__(self, kind: str, name: str, valid: tuple[str, ...]) -> None:
        self.kind, self.name, self.valid = kind, name, valid
        close = difflib.get_close_matches(name, valid, n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        super().__init__(f"Unknown {kind} `{name}`. Choose one of: {', '.join(valid)}.{hint}")


def lookup(registry: Mapping[str, T], name: str, kind: str) -> T:
    """Return `registry[name]`, or raise UnknownName listing the valid names."""
    try:
        return registry[name]
    except KeyError:
        raise UnknownName(kind, name, tuple(registry)) from None
