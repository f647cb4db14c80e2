"""Pillow images to PNG bytes, byte-for-byte reproducible (Pillow writes no timestamp).

matplotlib figures go through `engine.plots.style.png_bytes` instead.
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image


def image_to_png(image: Image.Image) -> bytes:
    """Encode a Pillow image as PNG bytes."""
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
