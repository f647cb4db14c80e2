"""The platform-neutral answer every use case returns.

``Reply.text`` uses a markdown subset both Slack and Discord can show once their outbox has
converted it: ``**bold**``, ``_italic_``, ``\\`code\\```, fenced code blocks and ``- `` bullets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

BUTTON_ID_MAX = 100  # Discord custom_id limit; Slack allows 255 for action_id
BUTTON_LABEL_MAX = 75  # Slack button text limit; Discord allows 80


@dataclass(frozen=True)
class Image:
    """A rendered picture: file name, bytes and alt text for screen readers."""

    name: str
    data: bytes
    alt: str
    mime: str = "image/png"


@dataclass(frozen=True)
class Button:
    """A button whose ``id`` is a stable action: ``run:/cmd ...``, ``quiz:12:2``.

    Jobs may build long ids; the Tutor stores any id over ``BUTTON_ID_MAX`` characters and
    replaces it with a short key before the reply leaves the engine.
    """

    id: str
    label: str
    style: str = "default"  # "default" | "primary" | "danger"
    url: str | None = None  # a link button: opens ``url``; ``id`` only names it

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("button id must not be empty")
        if self.url is not None and not self.url.startswith("https://"):
            raise ValueError(f"a link button needs an https URL: {self.url!r}")
        if not 1 <= len(self.label) <= BUTTON_LABEL_MAX:
            raise ValueError(f"button label must be 1-{BUTTON_LABEL_MAX} chars: {self.label!r}")


@dataclass(frozen=True)
class Invocation:
    """A command as a structure — name, options as text, free text — so each adapter writes
    it in its own platform's syntax (Slack and the console: ``/next-token The cat seed=5``;
    Discord: ``/next-token text:The cat seed:5``). Built from a Request by
    ``engine.commands.invocation``; shown inside reply text through ``mark``.

    ``optional`` names options (and ``text_name``) shown as optional, as usage lines do.
    """

    command: str
    options: tuple[tuple[str, str], ...] = ()  # (option name, value as the table formats it)
    text: str = ""
    text_name: str = ""  # the table's name for the free text (Discord's option name)
    optional: frozenset[str] = frozenset()

    def mark(self) -> str:
        """This invocation as a marker inside reply text; adapters replace every marker with
        their own syntax (``render_invocations``). JSON with ASCII escapes: the marker's own
        delimiters cannot occur inside it."""
        data = [self.command, [list(o) for o in self.options], self.text, self.text_name,
                sorted(self.optional)]
        return f"{MARK_OPEN}{json.dumps(data, ensure_ascii=True)}{MARK_CLOSE}"

    @classmethod
    def unmark(cls, payload: str) -> Invocation:
        command, options, text, text_name, optional = json.loads(payload)
        return cls(command, tuple((k, v) for k, v in options), text, text_name,
                   frozenset(optional))

    def clipped(self, limit: int) -> Invocation:
        """The same invocation with its free text cut (``…``) so that the text is at most
        ``limit`` characters; every option, the seed included, is kept."""
        if len(self.text) <= limit:
            return self
        return Invocation(self.command, self.options, self.text[:max(limit - 1, 0)].rstrip()
                          + "…", self.text_name, self.optional)


def cmd(command: str, text: str = "", text_name: str = "", **options: str) -> str:
    """A command mentioned in reply text, as a marker each adapter writes in its syntax:
    ``cmd("settings", timezone="Europe/Warsaw")``, ``cmd("quiz", "attention", "topic")``."""
    return Invocation(command, tuple(options.items()), text, text_name).mark()


MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: never typed text
_MARK = re.compile(f"{MARK_OPEN}([^{MARK_CLOSE}]*){MARK_CLOSE}")


class Syntax(Protocol):
    """How one platform writes a command (``bot.syntax``, ``bot.discord.syntax``)."""

    def invocation(self, invocation: Invocation) -> str: ...


def render_invocations(text: str, syntax: Syntax) -> str:
    """``text`` with every ``Invocation.mark`` written in ``syntax``."""
    if MARK_OPEN not in text:
        return text
    return _MARK.sub(lambda m: syntax.invocation(Invocation.unmark(m.group(1))), text)


@dataclass(frozen=True)
class Progress:
    """A progress report from a long job, so adapters can update a message in place."""

    text: str
    fraction: float | None = None
    image: Image | None = None


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Reply:
    """What a use case answers: text, pictures, buttons and machine-readable facts."""

    text: str
    images: tuple[Image, ...] = ()
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    command: Invocation | None = None  # what reproduces this answer (adapters add a footer)
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "images", tuple(self.images))
        object.__setattr__(self, "buttons", tuple(self.buttons))


def error_reply(message: str) -> Reply:
    """A private reply carrying a user-safe error message."""
    return Reply(text=message, ephemeral=True, facts={"error": True})


def no_progress(_: Progress) -> None:
    """A progress callback that drops reports (scripts, tests of pure jobs)."""
