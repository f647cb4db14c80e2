"""animate=yes: an animated GIF of the decision boundary and the loss curves over training.

Drawn with Pillow: the axes, labels and training points are drawn once; each frame only
pastes the output heatmap and extends the loss curves, then all frames share one fixed
palette (the Playground's shades plus a few greys), which keeps the file small for chat
uploads and the bytes identical for identical runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import numpy as np
from PIL import Image, ImageDraw

from engine.plots.glyphs import pil_font
from engine.plots.playground_style import (
    SHADES,
    TEST_LINE,
    TRAIN_LINE,
    WARN,
    Frame,
    to_rgb,
)
from engine.plots.style import INK, MUTED

MAX_FRAMES = 40
WIDTH, HEIGHT = 620, 330
HEAT = (12, 38, 292)  # left, top, side of the heatmap square in pixels
CHART = (350, 70, 600, 270)  # left, top, right, bottom of the loss chart
FRAME_MS, LAST_FRAME_MS = 120, 2000


def _palette() -> Image.Image:
    """A 'P' image whose palette is every Playground shade plus white, ink and greys."""
    shades = to_rgb(np.linspace(-1, 1, SHADES))  # (SHADES, 3)
    extra = [(255, 255, 255), (0, 0, 0), (136, 136, 136), (31, 35, 40), (110, 119, 129),
             (200, 200, 200), (180, 35, 24)]
    colours = [tuple(int(c) for c in rgb) for rgb in shades] + extra
    flat = [v for rgb in colours for v in rgb]
    image = Image.new("P", (1, 1))
    image.putpalette(flat + [0] * (768 - len(flat)))
    return image


def _to_px(x: np.ndarray) -> np.ndarray:
    """Domain coordinates in [-6, 6] to heatmap pixels."""
    left, top, side = HEAT
    return np.stack([left + (x[:, 0] + 6) / 12 * side, top + (6 - x[:, 1]) / 12 * side], axis=1)


def _background(title: str, points: np.ndarray, labels: np.ndarray, y_max: float, epochs: int):
    """The parts every frame shares, and the point layer drawn over each heatmap."""
    base = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(base)
    draw.text((HEAT[0], 10), title, fill=INK, font=pil_font(14))
    left, top, right, bottom = CHART
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=MUTED, width=1)
    draw.text((left, top - 22), "Loss", fill=INK, font=pil_font(13))
    draw.text((left - 6, top), f"{y_max:.2g}", fill=MUTED, font=pil_font(10), anchor="ra")
    draw.text((left - 6, bottom), "0", fill=MUTED, font=pil_font(10), anchor="rm")
    draw.text((right, bottom + 4), f"epoch {epochs}", fill=MUTED, font=pil_font(10), anchor="ra")
    draw.line([(right - 150, bottom + 30), (right - 130, bottom + 30)], fill=TRAIN_LINE, width=2)
    draw.text((right - 126, bottom + 30), "train", fill=MUTED, font=pil_font(10), anchor="lm")
    draw.line([(right - 80, bottom + 30), (right - 60, bottom + 30)], fill=TEST_LINE, width=2)
    draw.text((right - 56, bottom + 30), "test", fill=MUTED, font=pil_font(10), anchor="lm")
    dots = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    dots_draw = ImageDraw.Draw(dots)
    for (px, py), colour in zip(_to_px(points), to_rgb(labels), strict=True):
        dots_draw.ellipse((px - 3, py - 3, px + 3, py + 3), fill=tuple(colour), outline="white")
    return base, dots


def _curve(values: np.ndarray, epochs: int, y_max: float) -> list[tuple[float, float]]:
    left, top, right, bottom = CHART
    xs = left + np.arange(len(values)) / max(epochs, 1) * (right - left)
    ys = bottom - np.clip(values / y_max, 0, 1) * (bottom - top)
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def render_gif(
    frames: Sequence[Frame],
    points: np.ndarray,
    labels: np.ndarray,
    title: str,
    warning: str | None = None,
) -> bytes:
    """The GIF: at most MAX_FRAMES frames, the last one held for two seconds."""
    if len(frames) > MAX_FRAMES:  # keep the first and the last, spread the rest evenly
        keep = np.unique(np.round(np.linspace(0, len(frames) - 1, MAX_FRAMES)).astype(int))
        frames = [frames[i] for i in keep]
    epochs = frames[-1].epoch
    y_max = max(float(np.max(f.train_loss.max(initial=0))) for f in frames)
    y_max = max(y_max, max(float(f.test_loss.max(initial=0)) for f in frames), 1e-3) * 1.05
    base, dots = _background(title, points, labels, y_max, epochs)
    palette, images = _palette(), []
    side = HEAT[2]
    for i, frame in enumerate(frames):
        image = base.copy()
        factor = int(np.ceil(side / frame.output.shape[0]))
        heat = np.repeat(np.repeat(to_rgb(frame.output[::-1]), factor, 0), factor, 1)
        image.paste(Image.fromarray(np.ascontiguousarray(heat[:side, :side])), HEAT[:2])
        image = Image.alpha_composite(image.convert("RGBA"), dots).convert("RGB")
        draw = ImageDraw.Draw(image)
        if len(frame.train_loss) > 1:
            draw.line(_curve(frame.train_loss, epochs, y_max), fill=TRAIN_LINE, width=2)
            draw.line(_curve(frame.test_loss, epochs, y_max), fill=TEST_LINE, width=2)
        label = f"Epoch {frame.epoch}   test loss {frame.test_loss[-1]:.3f}"
        draw.text((CHART[0], CHART[3] + 44), label, fill=INK, font=pil_font(13))
        if warning and i == len(frames) - 1:
            draw.text((CHART[0] + 6, CHART[1] + 4), warning[:44], fill=WARN, font=pil_font(12))
        images.append(image.quantize(palette=palette, dither=Image.Dither.NONE))
    buf = BytesIO()
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:],
                   duration=durations, loop=0, optimize=False, disposal=1)
    return buf.getvalue()
