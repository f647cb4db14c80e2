"""Reply text and buttons -> Slack mrkdwn and Block Kit, within Slack's published limits."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.text import FENCE, progress_bar, split
from engine.domain.replies import Button, Progress
from engine.domain.text import shorten

log = logging.getLogger(__name__)

# Block Kit limits (docs.slack.dev, "Block Kit" reference)
BLOCKS_MAX = 50  # blocks per message
SECTION_TEXT_MAX = 3000  # characters of a section's text
ACTIONS_ELEMENTS_MAX = 25  # elements per actions block
BUTTON_TEXT_MAX = 75  # characters of a button label
BUTTON_VALUE_MAX = 2000  # characters of a button value
ACTION_ID_MAX = 255  # characters of an action_id
ALT_TEXT_MAX = 2000  # characters of an image block's alt_text and title
URL_MAX = 3000  # characters of a link button's url
FALLBACK_TEXT_MAX = 3000  # top-level `text` beside blocks: notifications and screen readers
MESSAGE_TEXT_MAX = 40000  # Slack truncates chat.postMessage text beyond this

_FENCED = re.compile(r"(```.*?```)", re.S)
_INLINE_CODE = re.compile(r"(`[^`\n]+`)")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_BULLET = re.compile(r"(?m)^(\s*)- ")
BUTTON_STYLES = {"primary": "primary", "danger": "danger"}  # "default" has no style field


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control sequences in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of typed text (slash command text, messages)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn(text: str) -> str:
    """The Reply markdown subset -> Slack mrkdwn: ``**b**`` -> ``*b*``, ``- `` -> ``• ``.

    Code spans and fenced blocks are left as they are (only escaped).
    """
    parts = _FENCED.split(escape(text))
    out = []
    for part in parts:
        if part.startswith(FENCE) and part.endswith(FENCE) and len(part) >= 6:
            out.append(part)
            continue
        part = _BULLET.sub(r"\1• ", part)
        pieces = _INLINE_CODE.split(part)
        out.append("".join(p if p.startswith("`") else _BOLD.sub(r"*\1*", p) for p in pieces))
    return "".join(out)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT_MAX]}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_TEXT_MAX]}]}


def button(b: Button) -> dict | None:
    """A Block Kit button whose action_id and value are the engine's Button.id."""
    if len(b.id) > ACTION_ID_MAX:
        log.error("button id too long for Slack (%d chars): %r", len(b.id), b.id[:80])
        return None
    element = {"type": "button", "action_id": b.id, "value": b.id[:BUTTON_VALUE_MAX],
               "text": {"type": "plain_text", "text": b.label[:BUTTON_TEXT_MAX], "emoji": True}}
    if b.url is not None:  # a link button: Slack opens the URL (and still sends an action)
        if len(b.url) > URL_MAX:
            log.error("link too long for Slack (%d chars): %r", len(b.url), b.url[:80])
            return None
        element["url"] = b.url
    if b.style in BUTTON_STYLES:
        element["style"] = BUTTON_STYLES[b.style]
    return element


def actions(buttons: Iterable[Button]) -> list[dict]:
    """Actions blocks holding the buttons, 25 per block, each action_id once."""
    seen: set[str] = set()
    elements = []
    for b in buttons:
        element = button(b)
        if element is not None and b.id not in seen:
            seen.add(b.id)
            elements.append(element)
    return [{"type": "actions", "elements": elements[i:i + ACTIONS_ELEMENTS_MAX]}
            for i in range(0, len(elements), ACTIONS_ELEMENTS_MAX)]


def image_block(file_id: str, alt: str, title: str = "") -> dict:
    """A picture uploaded to Slack (``slack_file`` by id), shown inside a message."""
    block: dict = {"type": "image", "slack_file": {"id": file_id},
                   "alt_text": shorten(alt, ALT_TEXT_MAX) or "a picture"}
    if title:
        block["title"] = {"type": "plain_text", "text": shorten(title, ALT_TEXT_MAX)}
    return block


def message_blocks(text: str, buttons: Iterable[Button] = (), footer: str | None = None,
                   pictures: Iterable[dict] = ()) -> list[dict]:
    """Sections for ``text`` (already mrkdwn), the pictures (image blocks), then the
    buttons, then a context footer."""
    tail = list(pictures) + actions(buttons) + ([context(footer)] if footer else [])
    sections = [section(chunk) for chunk in split(text, SECTION_TEXT_MAX)] if text else []
    room = BLOCKS_MAX - len(tail)
    if len(sections) > room:
        sections = sections[:room - 1] + [section("_… the rest did not fit in one message._")]
    return sections + tail


def fallback(text: str) -> str:
    """The top-level ``text`` sent beside blocks."""
    return shorten(text, FALLBACK_TEXT_MAX)


def progress_text(report: Progress, command: str) -> str:
    """``⏳ /train-demo — epoch 40/100  ▰▰▰▰▱▱▱▱▱▱ 40%``"""
    line = f":hourglass_flowing_sand: `{escape(command)}` — {mrkdwn(report.text)}"
    if report.fraction is not None:
        line += f"  {progress_bar(report.fraction)}"
    return line
