"""Pictures -> Discord attachments within the upload limits.

An interaction may attach files up to ``interaction.filesize_limit`` bytes each (10 MiB
unless the server is boosted), 10 per message and 25 MiB per request. An animation that is
too large is shrunk (smaller frames, then every other frame); if it still does not fit, its
last frame goes as a still picture with a note. Pillow work runs in a thread (``fit``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from PIL import Image as PILImage
from PIL import ImageSequence

from engine.domain.replies import Image

FILES_PER_MESSAGE = 10
REQUEST_BYTES = 25 * 1024 * 1024
SHRINK_ROUNDS = 4
SCALE_STEP = 0.7


@dataclass(frozen=True)
class Fitted:
    """Pictures that fit, grouped into messages, and notes about what had to change."""

    groups: tuple[tuple[Image, ...], ...]
    notes: tuple[str, ...]


def needs_work(images: tuple[Image, ...], limit: int) -> bool:
    """True when any picture is over the limit or there are too many for one message."""
    return (any(len(i.data) > limit for i in images) or len(images) > FILES_PER_MESSAGE
            or sum(len(i.data) for i in images) > REQUEST_BYTES)


def fit(images: tuple[Image, ...], limit: int) -> Fitted:
    """Make every picture fit ``limit`` bytes and group them into messages."""
    kept: list[Image] = []
    notes: list[str] = []
    mib = f"{limit / 1024 / 1024:g} MiB"
    for image in images:
        if len(image.data) <= limit:
            kept.append(image)
            continue
        smaller = shrink(image, limit)
        if smaller is None:
            notes.append(f"_{image.name} is larger than Discord's {mib} limit, so it is left "
                         "out; the console and Slack show it in full._")
            continue
        kept.append(smaller)
        if smaller.mime == image.mime:
            notes.append(f"_{image.name} was shrunk to fit Discord's {mib} upload limit._")
        else:
            notes.append(f"_The animation {image.name} is larger than Discord's {mib} limit; "
                         f"here is its last frame as a still picture._")
    return Fitted(_groups(kept, min(REQUEST_BYTES, max(limit, 1))), tuple(notes))


def _groups(images: list[Image], budget: int) -> tuple[tuple[Image, ...], ...]:
    groups: list[list[Image]] = []
    for image in images:
        if (not groups or len(groups[-1]) >= FILES_PER_MESSAGE
                or sum(len(i.data) for i in groups[-1]) + len(image.data) > budget):
            groups.append([])
        groups[-1].append(image)
    return tuple(tuple(g) for g in groups)


def shrink(image: Image, limit: int) -> Image | None:
    """A smaller version of ``image`` within ``limit`` bytes, or None if none is found.

    GIFs lose size, then frames; if still too big, their last frame becomes a PNG."""
    try:
        with PILImage.open(io.BytesIO(image.data)) as picture:
            frames = [f.convert("RGBA") for f in ImageSequence.Iterator(picture)]
            duration = int(picture.info.get("duration") or 100)
    except (OSError, ValueError):
        return None
    if len(frames) > 1:
        for round_ in range(1, SHRINK_ROUNDS + 1):
            scale = SCALE_STEP ** ((round_ + 1) // 2)
            step = 2 ** (round_ // 2)
            data = _gif([_scaled(f, scale) for f in frames[::step]], duration * step)
            if len(data) <= limit:
                return replace(image, data=data)
    still = frames[-1]
    for round_ in range(SHRINK_ROUNDS + 1):
        data = _png(_scaled(still, SCALE_STEP ** round_))
        if len(data) <= limit:
            name = image.name.rsplit(".", 1)[0] + ".png"
            return replace(image, name=name, data=data, mime="image/png")
    return None


def _scaled(frame: PILImage.Image, scale: float) -> PILImage.Image:
    if scale >= 1:
        return frame
    size = (max(1, round(frame.width * scale)), max(1, round(frame.height * scale)))
    return frame.resize(size, PILImage.Resampling.LANCZOS)


def _gif(frames: list[PILImage.Image], duration: int) -> bytes:
    out = io.BytesIO()
    first, *rest = [f.convert("P", palette=PILImage.Palette.ADAPTIVE) for f in frames]
    first.save(out, format="GIF", save_all=True, append_images=rest, duration=duration,
               loop=0, optimize=True)
    return out.getvalue()


def _png(frame: PILImage.Image) -> bytes:
    out = io.BytesIO()
    frame.save(out, format="PNG", optimize=True)
    return out.getvalue()
