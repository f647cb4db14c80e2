"""Column types that apply the one storage rule for text (``engine.domain.text.storable``)
to every string bound to the database -- values and comparisons, in text and JSON columns --
so SQLite and Postgres store the same thing, and Postgres never refuses a learner's NUL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.types import TypeDecorator

from engine.domain.text import storable


def _clean(value: Any) -> Any:
    """``value`` with every string in it (dict keys and values, list items) storable."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class CleanString(TypeDecorator):
    """``String(n)`` holding only storable text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else storable(value)


class CleanText(CleanString):
    """``Text`` holding only storable text."""

    impl = Text
    cache_ok = True


class CleanJSON(TypeDecorator):
    """``JSON`` whose strings are all storable."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return _clean(value)
