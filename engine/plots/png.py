"""Pictures to PNG bytes, byte-for-byte reproducible (no timestamps, fixed DPI)."""

from __future__ import annotations

from io import BytesIO

from matplotlib.figure import Figure
from PIL import Image

DPI = 100


def figure_to_png(figure: Figure) -> bytes:
    """Render a matplotlib Figure (never pyplot) to PNG bytes without a Software/date stamp."""
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def image_to_png(image: Image.Image) -> bytes:
    """Encode a Pillow image as PNG bytes (Pillow writes no timestamp)."""
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
