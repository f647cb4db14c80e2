"""Shared picture settings so every image stays small and legible as a chat thumbnail."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

DPI = 100
PALETTE = ("#c6e2ff", "#ffd8a8", "#c3f0c8", "#f8c6d8", "#e3d3ff", "#fff3a8", "#b8f0ee")
INK = "#1f2328"
MUTED = "#6e7781"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_MONO = FONT_DIR / "DejaVuSansMono.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"


def png_bytes(fig: Figure) -> bytes:
    """Render a Figure to PNG bytes with no timestamp, so equal inputs give equal bytes."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()
