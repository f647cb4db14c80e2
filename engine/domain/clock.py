"""Time: the one ``utcnow`` and the one ``zone`` every layer uses."""

from __future__ import annotations

from datetime import UTC, datetime
from difflib import get_close_matches
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from engine.domain.errors import BadOption


def utcnow() -> datetime:
    """Now, UTC-aware (services take a ``clock`` defaulting to this, so tests can move time)."""
    return datetime.now(UTC)


def zone(name: str, *, fallback: str | None = None) -> ZoneInfo:
    """The IANA time zone called ``name`` (any letter case, spaces for underscores, or just
    its city: ``new york``).

    An unknown name raises BadOption with a suggestion, or — with ``fallback`` (for values
    read back from storage, where the learner cannot fix them) — gives that zone instead.
    """
    key = zone_key(name)
    canonical = _zones().get(key) or _cities().get(key)
    if canonical is not None:
        return ZoneInfo(canonical)
    if fallback is not None:
        return ZoneInfo(fallback)
    close = get_close_matches(key, list(_zones()), n=1, cutoff=0.6)
    hint = (f" (did you mean {_zones()[close[0]]}?)" if close
            else " (e.g. Europe/Warsaw, America/New_York, UTC)")
    raise BadOption(f"`{name}` is not an IANA time zone{hint}.")


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (about 600)."""
    return tuple(sorted(available_timezones()))


@cache
def _zones() -> dict[str, str]:
    return {name.casefold(): name for name in zone_names()}


def zone_key(text: str) -> str:
    """How zone names are matched: any case, spaces as underscores (``Los angeles``)."""
    return "_".join(text.split()).casefold()


@cache
def _cities() -> dict[str, str]:
    """City (the last part of a zone name, ``new_york``) -> its zone."""
    by_city: dict[str, list[str]] = {}
    for name in zone_names():
        if "/" in name:
            by_city.setdefault(name.rsplit("/", 1)[1].casefold(), []).append(name)
    return {city: _preferred(names) for city, names in by_city.items()}


def _preferred(names: list[str]) -> str:
    """Of several zones for one city, the one in a continent area (not Etc/, US/, ...)."""
    areas = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/",
             "Europe/", "Indian/", "Pacific/")
    return next((n for n in names if n.startswith(areas)), names[0])
