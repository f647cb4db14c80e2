"""Facilitator-loaded lessons and questions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from engine.domain.records import ContentRecord


class ContentStore(Protocol):
    """Facilitator-loaded lessons and questions."""

    def save_content(self, records: Sequence[ContentRecord]) -> int:
        """Insert or replace facilitator content (by kind and id); returns how many replaced."""
        ...

    def content(self) -> list[ContentRecord]:
        """All facilitator content, in the order it was loaded."""
        ...
