"""The App Home tab: the learner's progress picture, next step, reviews due and settings
buttons, published with ``views.publish`` when they open the tab (``app_home_opened``) and
refreshed after their answers, at most once a minute.

The picture is uploaded privately (files_upload_v2 with no channel) and shown by an image
block's ``slack_file``: an image block needs a URL Slack can reach or a Slack file, and the
bot may show its own files. The previous picture is deleted after each refresh so files do
not pile up. Buttons are the engine's (``run:/learn``, ``run:/settings …``); a click on the
home tab has no channel, so its answer goes to the learner's DM with the bot (``core.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import actions, context, image_block, mrkdwn, section
from bot.slack.webapi import slack_error
from bot.syntax import present
from engine.domain.records import LearnerRef
from engine.domain.replies import Reply

log = logging.getLogger(__name__)

REFRESH_INTERVAL = 60.0  # s: a home tab is republished at most this often
HOME_BLOCKS_MAX = 100  # blocks in a home tab view
TITLE = "Your tutorbot"
FOOTER = "Type `/help` in any channel for every command. Refreshed after your answers."

Overview = Callable[[LearnerRef], Awaitable[Reply]]


def home_view(reply: Reply, pictures: list[dict[str, Any]]) -> dict[str, Any]:
    """The home tab view for an overview Reply (its pictures already uploaded)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": TITLE}}]
    head, _, rest = mrkdwn(present(reply.text)).partition("\n\n")
    blocks.append(section(head))
    blocks += pictures
    if rest:
        blocks.append(section(rest))
    blocks += actions(reply.buttons)
    blocks.append(context(FOOTER))
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS_MAX]}


class HomeTab:
    """Publishes learners' home tabs; ``refresh`` throttles to one publish a minute."""

    def __init__(self, overview: Overview, *, interval: float = REFRESH_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.overview = overview
        self.interval = interval
        self.clock = clock
        self._last: dict[tuple[str, str], float] = {}  # (team, user) -> last publish
        self._pending: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._files: dict[tuple[str, str], list[str]] = {}  # pictures shown now

    async def publish(self, client: AsyncWebClient, learner: LearnerRef) -> None:
        """Build and publish the learner's home tab now."""
        key = (learner.workspace, learner.user_id)
        self._last[key] = self.clock()
        reply = await self.overview(learner)
        files = [{"content": i.data, "filename": i.name, "title": i.alt[:250],
                  "alt_txt": i.alt[:1000]} for i in reply.images]
        pictures: list[dict[str, Any]] = []
        uploaded: list[str] = []
        if files:
            done = await client.files_upload_v2(file_uploads=files)
            for entry, image in zip(done.get("files") or [], reply.images, strict=False):
                uploaded.append(entry["id"])
                pictures.append(image_block(entry["id"], image.alt))
        await client.views_publish(user_id=learner.user_id, view=home_view(reply, pictures))
        old, self._files[key] = self._files.get(key, []), uploaded
        for file_id in old:
            try:
                await client.files_delete(file=file_id)
            except SlackApiError as err:
                log.info("could not delete an old home picture %s: %s", file_id,
                         slack_error(err))

    def refresh(self, client: AsyncWebClient, learner: LearnerRef) -> None:
        """After an answer: republish the learner's home tab — at once if the last publish
        was a minute ago or more, else once that minute is up (one pending per learner).
        Only for learners who opened the tab since the app started."""
        key = (learner.workspace, learner.user_id)
        if key not in self._last or key in self._pending:
            return
        wait = max(0.0, self._last[key] + self.interval - self.clock())
        self._pending[key] = asyncio.create_task(self._later(client, learner, wait),
                                                 name=f"home-{learner.user_id}")

    async def _later(self, client: AsyncWebClient, learner: LearnerRef, wait: float) -> None:
        key = (learner.workspace, learner.user_id)
        try:
            await asyncio.sleep(wait)
            await self.publish(client, learner)
        except SlackApiError as err:
            log.warning("could not refresh the home tab of %s: %s", learner.user_id,
                        slack_error(err))
        except Exception:
            log.exception("refreshing the home tab of %s failed", learner.user_id)
        finally:
            self._pending.pop(key, None)

    async def close(self) -> None:
        """Cancel pending refreshes (shutdown)."""
        for task in list(self._pending.values()):
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
