"""/ask's dense side, run in the workers (torch stays out of the chat process): all-MiniLM-L6-v2
embeddings of the knowledge base's passages and the question's cosine similarity to every
passage. The built-in course's vectors ship with the code (``engine.knowledge.vectors``); only
passages they lack (facilitator content) are embedded, and the result is cached per content
hash — in the worker process and on disk under the data directory, so a restart does not
embed them again.

Submitted by name (``"ask"``, ``engine.jobs.JOBS``); torch and transformers are imported inside
the functions all the same.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

from engine.domain.replies import ProgressFn
from engine.knowledge import vectors as shipped_vectors
from engine.knowledge.dense import DenseQuery

log = logging.getLogger(__name__)

MODEL = "all-MiniLM-L6-v2"
BATCH = 64  # passages embedded per forward pass
MAX_INDEXES = 4  # content versions kept in one worker's memory
_INDEXES: OrderedDict[str, np.ndarray] = OrderedDict()
embedded = 0  # passages this process embedded itself (not shipped, not cached): tests read it


def warm() -> None:
    """Load MiniLM and the shipped passage vectors once when a worker starts."""
    from engine.demos.minilm import load_minilm

    load_minilm()
    shipped_vectors.shipped()


def embed_texts(texts: list[str]) -> np.ndarray:
    """L2-normalised MiniLM embeddings (N, 384), float32, in batches."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    # batches of similar length pad less: 22 % less CPU for the built-in course, the same
    # vectors (bench/bench_ask.py measures both ways in one run)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return embed_in_order(texts, order)


def embed_in_order(texts: list[str], order: list[int]) -> np.ndarray:
    """Embed ``texts`` in batches taken in ``order``; rows come back in the texts' order."""
    from engine.demos.embeddings import embed

    ordered = [texts[i] for i in order]
    parts = [embed(ordered[i:i + BATCH]).astype(np.float32)
             for i in range(0, len(ordered), BATCH)]
    vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
    vectors[order] = np.concatenate(parts)
    return vectors


def _disk_path(cache_dir: str, content_hash: str) -> Path:
    return Path(cache_dir) / f"{MODEL}-{content_hash}.npy"


def passage_vectors(query: DenseQuery) -> np.ndarray:
    """The passages' embeddings for this content version: from memory, else from disk, else
    the shipped ones plus any computed here (saved to disk when there were any)."""
    cached = _INDEXES.get(query.content_hash)
    if cached is not None and len(cached) == len(query.texts):
        _INDEXES.move_to_end(query.content_hash)
        return cached
    vectors = None
    if query.cache_dir:
        path = _disk_path(query.cache_dir, query.content_hash)
        try:
            loaded = np.load(path, allow_pickle=False)
            if loaded.shape == (len(query.texts), 384):
                vectors = loaded
        except (OSError, ValueError):
            vectors = None
    if vectors is None:
        vectors, computed = _embed_passages(list(query.texts))
        if computed and query.cache_dir:
            _save(vectors, query.cache_dir, query.content_hash)
    _INDEXES[query.content_hash] = vectors
    while len(_INDEXES) > MAX_INDEXES:
        _INDEXES.popitem(last=False)
    return vectors


def _embed_passages(texts: list[str]) -> tuple[np.ndarray, int]:
    """(vectors, how many were computed): the shipped vector of each passage that has one,
    the others embedded here."""
    global embedded
    vectors, missing = shipped_vectors.shipped().lookup(texts)
    if missing:
        vectors[missing] = embed_texts([texts[i] for i in missing])
        embedded += len(missing)
    return vectors, len(missing)


def _save(vectors: np.ndarray, cache_dir: str, content_hash: str) -> None:
    """Write atomically (two workers may build the same index at once)."""
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(tmp, _disk_path(cache_dir, content_hash))
    except OSError as err:  # a read-only data dir costs speed at restart, nothing else
        log.warning("could not save the /ask index to %s: %s", cache_dir, err)


def run(query: DenseQuery, progress: ProgressFn) -> np.ndarray:
    """Cosine similarity of the question to every passage, shape (N,)."""
    vectors = passage_vectors(query)
    question = embed_texts([query.question])[0]
    return vectors @ question
