"""Button actions too long for a platform id, under a short stable key."""

from __future__ import annotations

import hashlib

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from engine.domain.errors import StorageError
from engine.storage.db import Database
from engine.storage.models import (
    ButtonAction,
)


class ActionRepository:
    """Button actions too long for a platform id, under a short stable key."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save_action(self, action: str) -> str:
        key = hashlib.sha256(action.encode()).hexdigest()[:24]
        try:
            with self.db.sessions.begin() as session:
                if session.get(ButtonAction, key) is None:
                    session.add(ButtonAction(key=key, action=action))
        except IntegrityError:
            pass  # saved concurrently by another request: same key, same action
        except SQLAlchemyError as err:
            raise StorageError() from err
        return key

    def load_action(self, key: str) -> str | None:
        with self.db.sessions() as session:
            row = session.get(ButtonAction, key)
            return row.action if row else None

