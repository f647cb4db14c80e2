"""The platform-neutral answer every use case returns.

``Reply.text`` uses a markdown subset both Slack and Discord can show once their outbox has
converted it: ``**bold**``, ``_italic_``, ``\\`code\\```, fenced code blocks and ``- `` bullets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("button id must not be empty")
        if not 1 <= len(self.label) <= BUTTON_LABEL_MAX:
            raise ValueError(f"button label must be 1-{BUTTON_LABEL_MAX} chars: {self.label!r}")


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
    command: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "images", tuple(self.images))
        object.__setattr__(self, "buttons", tuple(self.buttons))


def error_reply(message: str) -> Reply:
    """A private reply carrying a user-safe error message."""
    return Reply(text=message, ephemeral=True, facts={"error": True})


def no_progress(_: Progress) -> None:
    """A progress callback that drops reports (scripts, tests of pure jobs)."""
