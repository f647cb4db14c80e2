"""What the dense side of /ask is asked (``engine.jobs.ask`` runs it in a worker)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DenseQuery:
    """A question and the passages it is compared with (``texts`` in index order)."""

    content_hash: str
    texts: tuple[str, ...]
    question: str
    cache_dir: str | None = None  # where embeddings persist across restarts; None: memory only
