"""Facilitator-loaded lessons and questions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.clock import utcnow
from engine.domain.records import (
    ContentRecord,
)
from engine.storage.db import Database
from engine.storage.models import ContentItem


class ContentRepository:
    """Facilitator-loaded lessons and questions."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save_content(self, records: Sequence[ContentRecord]) -> int:
        now = utcnow()

        def save(session: Session) -> int:
            replaced = 0
            for seq, record in enumerate(records):
                row = session.get(ContentItem, (record.kind, record.item_id))
                replaced += row is not None
                if row is None:
                    row = ContentItem(kind=record.kind, item_id=record.item_id)
                    session.add(row)
                row.data, row.source = dict(record.data), record.source[:255]
                row.seq, row.loaded_at = seq, now
            return replaced

        return self.db.write(save)

    def content(self) -> list[ContentRecord]:
        with self.db.sessions() as session:
            rows = session.scalars(select(ContentItem).order_by(ContentItem.loaded_at,
                                                                ContentItem.seq))
            return [ContentRecord(r.kind, r.item_id, r.data, r.source) for r in rows]

