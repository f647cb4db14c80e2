"""Figure -> PNG bytes, identical bytes for identical figures (no timestamp, fixed dpi)."""

from __future__ import annotations

from io import BytesIO

from matplotlib.figure import Figure

#: Dots per inch for every chat picture: small files, legible as a thumbnail.
DPI = 100


def figure_to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """Render ``fig`` to PNG bytes without metadata that changes between runs."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
