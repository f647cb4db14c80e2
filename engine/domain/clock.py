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
    """The IANA time zone called ``name`` (any letter case).

    An unknown name raises BadOption with a suggestion, or — with ``fallback`` (for values
    read back from storage, where the learner cannot fix them) — gives that zone instead.
    """
    canonical = _zones().get(name.strip().casefold())
    if canonical is not None:
        return ZoneInfo(canonical)
    if fallback is not None:
        return ZoneInfo(fallback)
    close = get_close_matches(name.strip().casefold(), list(_zones()), n=1, cutoff=0.6)
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
