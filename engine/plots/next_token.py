"""Picture for /next-token: the top next-character probabilities at several temperatures.

One column per temperature: a bar chart of the most likely next characters, and under it
the text the model wrote when sampling at that temperature. Drawn with Pillow (a few tens
of milliseconds, where matplotlib needed a quarter of a second for the same picture).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from engine.plots.glyphs import pil_font
from engine.plots.png import image_to_png
from engine.plots.style import INK, MUTED
from engine.plots.text_glyphs import one_line, percent, token_label

PANEL_W = 340
HEADER_H = 78
ROW_H = 28
BAR_X = 112  # where bars start inside a panel (labels sit to the left)
BAR_MAX_W = 170
SAMPLE_LINES = 4
WRAP_CHARS = 37
PROMPT_TAIL_CHARS = 56


@dataclass(frozen=True)
class TemperaturePanel:
    """One column of the picture."""

    temperature: float
    tokens: Sequence[str]  # the top characters, most likely first
    probs: Sequence[float]  # their probabilities at this temperature (after top-k)
    continuation: str  # text sampled at this temperature
    highlight: bool = False  # the learner's own temperature


def colour(temperature: float) -> tuple[int, int, int]:
    """Cool blue for careful low temperatures, warm red for wild high ones."""
    t = max(0.0, min(1.0, (temperature - 0.1) / 1.6))
    return (int(40 + 190 * t), 90, int(215 - 165 * t))


def _panel(draw: ImageDraw.ImageDraw, x0: int, panel: TemperaturePanel, rows: int) -> None:
    ink = colour(panel.temperature)
    title = f"temperature {panel.temperature:g}" + ("  (yours)" if panel.highlight else "")
    font = pil_font(17, bold=panel.highlight)
    draw.text((x0 + PANEL_W // 2, HEADER_H + 4), title, fill=ink, font=font, anchor="mt")
    label_font, pct_font = pil_font(15, mono=True), pil_font(12)
    top = HEADER_H + 36
    for i, (token, p) in enumerate(zip(panel.tokens, panel.probs, strict=True)):
        y = top + i * ROW_H
        draw.text((x0 + BAR_X - 8, y + ROW_H // 2), token_label(token), fill=INK,
                  font=label_font, anchor="rm")
        width = max(1, round(BAR_MAX_W * p))
        draw.rectangle((x0 + BAR_X, y + 4, x0 + BAR_X + width, y + ROW_H - 4), fill=ink)
        draw.text((x0 + BAR_X + width + 6, y + ROW_H // 2), percent(p),
                  fill=INK, font=pct_font, anchor="lm")
    axis_y = top + rows * ROW_H + 2
    draw.line((x0 + BAR_X, top, x0 + BAR_X, axis_y), fill=MUTED)
    wrapped = textwrap.wrap("\u2026" + one_line(panel.continuation), WRAP_CHARS,
                            drop_whitespace=False)[:SAMPLE_LINES]
    draw.text((x0 + 16, axis_y + 14), "sampled at this temperature:", fill=MUTED,
              font=pil_font(12))
    draw.multiline_text((x0 + 16, axis_y + 32), "\n".join(wrapped), fill=INK,
                        font=pil_font(13, mono=True), spacing=4)


def render_next_token(prompt: str, panels: Sequence[TemperaturePanel]) -> bytes:
    """PNG of the next-character probabilities and samples, one column per temperature."""
    if not panels:
        raise ValueError("need at least one temperature to draw")
    rows = max(len(p.tokens) for p in panels)
    width = PANEL_W * len(panels)
    height = HEADER_H + 36 + rows * ROW_H + 40 + SAMPLE_LINES * 18 + 16
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i, panel in enumerate(panels):
        if panel.highlight:
            draw.rectangle((i * PANEL_W + 4, HEADER_H - 2, (i + 1) * PANEL_W - 4, height - 6),
                           fill="#f6f8fa")
    tail = one_line(prompt)
    tail = tail if len(tail) <= PROMPT_TAIL_CHARS else "\u2026" + tail[-PROMPT_TAIL_CHARS:]
    draw.text((width // 2, 14), f"What comes after \u201c{tail}\u201d?", fill=INK,
              font=pil_font(19, mono=True), anchor="mt")
    draw.text((width // 2, 46), "the tiny GPT's next-character probabilities "
              "(one character = one token)", fill=MUTED, font=pil_font(13),
              anchor="mt")
    for i, panel in enumerate(panels):
        _panel(draw, i * PANEL_W, panel, rows)
    return image_to_png(image)
