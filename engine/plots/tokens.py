"""The same text through several tokenizers, drawn as rows of coloured token chips (Pillow).

Each chip shows the token as the tokenizer sees it (leading spaces as ␣, split characters as
their bytes) with its id underneath; chips alternate colours so neighbours stand apart. Pillow
is used instead of matplotlib because every chip is measured exactly and a picture with 200
chips still renders in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from engine.demos.tokenizers import Token, Tokenization
from engine.domain.text import shorten
from engine.plots.glyphs import FOOTNOTE, pil_font, printable
from engine.plots.png import image_to_png
from engine.plots.style import INK, MUTED, PALETTE

WIDTH = 1100
MARGIN = 24
GAP = 6
PAD = 6
MAX_CHIPS = 96  # per tokenizer; the rest is summarised as "+N more"


@dataclass(frozen=True)
class Chip:
    """One token laid out: where it goes and what it says."""

    x: int
    y: int
    width: int
    label: str
    sub: str
    colour: str


def chip_label(tokenizer: str, token: Token) -> str:
    """What the chip says: the byte-level view, or WordPiece's own piece ("##el", "[UNK] 😀")."""
    if tokenizer == "bert-wordpiece":
        return f"{token.piece} {token.display}" if token.piece == "[UNK]" else token.piece
    return token.display


def _layout(result: Tokenization, top: int) -> tuple[list[Chip], int]:
    """Flow the chips of one tokenizer from `top` downwards; return them and the next free y."""
    font, small = pil_font(18), pil_font(12, mono=True)
    chip_height = 18 + 12 + 3 * PAD
    x, y, chips = MARGIN, top, []
    shown = result.tokens[:MAX_CHIPS]
    for index, token in enumerate(shown):
        label = printable(shorten(chip_label(result.tokenizer, token), 40))
        sub = str(token.id)
        width = int(max(font.getlength(label), small.getlength(sub))) + 2 * PAD
        if x + width > WIDTH - MARGIN and x > MARGIN:
            x, y = MARGIN, y + chip_height + GAP
        chips.append(Chip(x, y, width, label, sub, PALETTE[index % len(PALETTE)]))
        x += width + GAP
    hidden = result.count - len(shown)
    if hidden:
        label = f"… +{hidden} more"
        width = int(font.getlength(label)) + 2 * PAD
        if x + width > WIDTH - MARGIN:
            x, y = MARGIN, y + chip_height + GAP
        chips.append(Chip(x, y, width, label, "", "#eeeeee"))
    return chips, y + chip_height + (GAP if chips else 0)


def _header(result: Tokenization, label: str) -> str:
    per = f"{result.chars_per_token:.1f} characters per token" if result.count else "no tokens"
    plural = "token" if result.count == 1 else "tokens"
    return f"{label}  ·  {result.count} {plural}  ·  {per}"


def render_token_comparison(
    results: Sequence[Tokenization], labels: Sequence[str], title: str
) -> bytes:
    """One PNG: a header and a block of token chips per tokenizer, then the notation footnote."""
    heading, small, bold = pil_font(20, bold=True), pil_font(12, mono=True), pil_font(17, bold=True)
    chip_height = 18 + 12 + 3 * PAD
    blocks: list[tuple[int, str, list[Chip]]] = []
    y = MARGIN + 34
    for result, label in zip(results, labels, strict=True):
        header_y = y
        chips, y = _layout(result, y + 28)
        blocks.append((header_y, printable(_header(result, label)), chips))
        y += 14
    height = y + 24
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), printable(shorten(title, 90)), font=heading, fill=INK)
    font = pil_font(18)
    for header_y, header, chips in blocks:
        draw.text((MARGIN, header_y), header, font=bold, fill=INK)
        for chip in chips:
            box = (chip.x, chip.y, chip.x + chip.width, chip.y + chip_height)
            draw.rounded_rectangle(box, radius=5, fill=chip.colour, outline="#9a9a9a")
            draw.text((chip.x + PAD, chip.y + PAD - 1), chip.label, font=font, fill=INK)
            draw.text((chip.x + PAD, chip.y + PAD + 22), chip.sub, font=small, fill=MUTED)
    draw.text((MARGIN, height - 22), FOOTNOTE, font=small, fill=MUTED)
    return image_to_png(image)
