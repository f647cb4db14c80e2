"""CPU jobs: each ``run(..., progress)`` executes inside a worker and returns its result (a
demo's ``Reply``, a chart's ``Image``).

Callers name a job instead of importing it (``executor.submit("attention", request, ...)``):
only the worker resolves the name, so the chat processes never import a job's module and
the torch, transformers and matplotlib code behind it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# name -> "module:function"; a name may also be such a path itself (tests' own jobs)
JOBS = {
    "tokenize": "engine.jobs.tokenize:run",
    "train_demo": "engine.jobs.train_demo:run",
    "train_transformer": "engine.jobs.train_transformer:run",
    "attention": "engine.jobs.attention:run",
    "position": "engine.jobs.position:run",
    "embed": "engine.jobs.embed:run",
    "next_token": "engine.jobs.next_token:run",
    "progress": "engine.jobs.progress:run",
    "cohort": "engine.jobs.cohort:run",
    "reveal": "engine.jobs.reveal:run",
    "ask": "engine.jobs.ask:run",
}
# warm-ups a worker runs once at start (loading models and tokenizers)
WARMUPS = {
    "tokenize": "engine.jobs.tokenize:warm",
    "train_demo": "engine.jobs.train_demo:warm",
    "next_token": "engine.jobs.next_token:warm",
    "attention": "engine.jobs.attention:warm",
    "embed": "engine.jobs.embed:warm",
    "train_transformer": "engine.jobs.train_transformer:warm",
    "ask": "engine.jobs.ask:warm",
}


def resolve(name: str, table: dict[str, str] = JOBS) -> Callable[..., Any]:
    """The function behind a job (or warm-up) name, imported on first use."""
    target = table.get(name, name)
    module, sep, attr = target.partition(":")
    if not sep:
        raise ValueError(f"unknown job {name!r}; known: {', '.join(table)}")
    return getattr(importlib.import_module(module), attr)
