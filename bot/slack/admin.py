"""Who is a facilitator: an explicit allow-list, else Slack's own workspace admins/owners.

Slack has no role gating for slash commands, so the adapter vouches for ``admin=`` itself.
``users.info`` answers are cached (they change rarely and the call is rate limited).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.webapi import slack_error

log = logging.getLogger(__name__)

CACHE_SECONDS = 600.0
CACHE_MAX = 10_000


class AdminCheck:
    """``await is_admin(client, team, user)``; failures count as "not an admin"."""

    def __init__(self, allow: frozenset[str] = frozenset(), *, ttl: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.allow = allow  # user ids, or "TEAM:USER" for one workspace only
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}

    async def is_admin(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        if self.allow:
            return user_id in self.allow or f"{team_id}:{user_id}" in self.allow
        key = (team_id, user_id)
        hit = self._cache.get(key)
        if hit is not None and self.clock() - hit[0] < self.ttl:
            return hit[1]
        try:
            answer = await client.users_info(user=user_id)
        except SlackApiError as err:
            log.warning("users.info failed for %s: %s", user_id, slack_error(err))
            return False  # fail closed, and don't cache: the next request asks again
        user = answer.get("user") or {}
        verdict = bool(user.get("is_admin") or user.get("is_owner")
                       or user.get("is_primary_owner"))
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        self._cache[key] = (self.clock(), verdict)
        return verdict
