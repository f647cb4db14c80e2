"""The page, its script and its style, served by the app itself (no build step, no CDN)."""

from __future__ import annotations

import hashlib
import html
import json
from importlib import resources
from typing import Any

STATIC = {"app.js": "text/javascript", "style.css": "text/css"}
# the completion catalog is fetched while the page still loads (signed-in pages only)
PRELOAD = '<link rel="preload" href="/api/catalog" as="fetch" crossorigin="anonymous">'


def json_in_html(data: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` block: no ``<``, ``>`` or
    ``&`` can end the block or start markup (they become ``\\u003c`` …), and the two line
    separators JavaScript once rejected are escaped too."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


class Assets:
    """The page, its script and its style, read once; the script and style under names
    holding their hash, so browsers cache them until they change."""

    def __init__(self) -> None:
        folder = resources.files("bot.web") / "static"
        self.files: dict[str, tuple[bytes, str]] = {}
        self.urls: dict[str, str] = {}
        for name, mime in STATIC.items():
            data = (folder / name).read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:12]
            stem, _, ext = name.rpartition(".")
            versioned = f"{stem}.{digest}.{ext}"
            self.files[versioned] = (data, mime)
            self.urls[name] = f"/static/{versioned}"
        self.page = (folder / "index.html").read_text(encoding="utf-8")

    def render(self, *, signed: bool, transcript: list[dict[str, Any]], **values: str) -> str:
        """The page for one session: its values escaped for HTML, and (signed in) its
        transcript as an inert JSON block, so the page shows it without a round trip."""
        page = self.page.replace("{{js}}", self.urls["app.js"])
        page = page.replace("{{css}}", self.urls["style.css"])
        page = page.replace("{{preload}}", PRELOAD if signed else "")
        page = page.replace("{{signed}}", "1" if signed else "")
        page = page.replace("{{boot}}", json_in_html({"entries": transcript}) if signed
                            else "null")
        for key, value in values.items():
            page = page.replace("{{" + key + "}}", html.escape(value, quote=True))
        return page
