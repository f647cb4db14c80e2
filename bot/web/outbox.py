"""Reply -> the page: an entry of the transcript with its text (the engine's markdown subset,
rendered as text by the page), pictures behind learner-scoped URLs, buttons by position, and
the live progress of a long demo replaced in place, then by the answer."""

from __future__ import annotations

from typing import Any

from bot.progress import ProgressMessage
from bot.syntax import present
from bot.text import progress_bar
from bot.web.sessions import Entry, Pictures, Session
from engine.commands import LINE
from engine.domain.records import LearnerRef
from engine.domain.replies import Image, Progress, Reply

PROGRESS_INTERVAL = 0.25  # s between progress updates of one entry (a page redraws cheaply)
IMAGE_PATH = "/img/"


def image_url(token: str, image: Image) -> str:
    return f"{IMAGE_PATH}{token}/{image.name}"


def picture(pictures: Pictures, learner: LearnerRef, image: Image) -> dict[str, str]:
    """The page's view of a picture: its private URL, alt text and type."""
    token = pictures.add(learner, image)
    return {"url": image_url(token, image), "alt": image.alt, "mime": image.mime,
            "name": image.name}


def fill(entry: Entry, reply: Reply, pictures: Pictures, learner: LearnerRef) -> None:
    """Put ``reply`` into ``entry``: the answer replaces whatever progress was shown."""
    actions = [b for b in reply.buttons if b.url is None]
    links = [f"{b.label}: {b.url}" for b in reply.buttons if b.url is not None]
    entry.text = "\n".join([present(reply.text), *links])  # commands as typed here
    entry.images = [picture(pictures, learner, image) for image in reply.images]
    entry.buttons = [{"label": b.label, "style": b.style} for b in actions]
    entry.actions = [b.id for b in actions]
    entry.command = LINE.invocation(reply.command) if reply.command else None
    entry.progress = None
    entry.state = "failed" if reply.facts.get("error") else "done"


class Outbox:
    """Answers one request into one transcript entry of one session."""

    def __init__(self, session: Session, entry: Entry, pictures: Pictures, label: str) -> None:
        assert session.learner is not None
        self.session = session
        self.entry = entry
        self.pictures = pictures
        self.learner = session.learner
        self.label = label
        self._progress_image: str | None = None
        self.progress = ProgressMessage(self._show, interval=PROGRESS_INTERVAL)

    async def deliver(self, reply: Reply) -> None:
        await self.progress.close()  # an update under way finishes first: never after this
        self._forget_progress_image()
        fill(self.entry, reply, self.pictures, self.learner)
        self.session.publish(self.entry)

    async def fail(self, message: str) -> None:
        await self.progress.close()
        self._forget_progress_image()
        self.entry.text = present(message)
        self.entry.state = "failed"
        self.entry.progress = None
        self.session.publish(self.entry)

    async def _show(self, report: Progress) -> None:
        shown: dict[str, Any] = {"text": report.text, "fraction": report.fraction,
                                 "bar": progress_bar(report.fraction)
                                 if report.fraction is not None else None,
                                 "image": (self.entry.progress or {}).get("image")}
        if report.image is not None:  # a live preview replaces the previous one
            self._forget_progress_image()
            shown["image"] = picture(self.pictures, self.learner, report.image)
            self._progress_image = shown["image"]["url"].split("/")[2]
        self.entry.progress = shown
        self.session.publish(self.entry)

    def _forget_progress_image(self) -> None:
        if self._progress_image is not None:
            self.pictures.drop(self._progress_image)
            self._progress_image = None
