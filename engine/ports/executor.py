"""Where CPU jobs run: the Executor port.

A job is named, not passed as a function (``"tokenize"`` runs ``engine.jobs.tokenize.run``
inside a worker; see ``engine.jobs.resolve``), so the chat process never imports a job's
module, and with it torch, transformers or matplotlib. ``fn(*args, progress)`` runs in the
worker; ``args`` must pickle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from engine.domain.replies import Progress

ProgressCallback = Callable[[Progress], Awaitable[None]]


class JobFailed(Exception):
    """A job raised an unexpected exception (a bug); carries the worker's traceback."""


class Executor(Protocol):
    """Runs named CPU jobs off the event loop; TutorErrors carry the learner's message."""

    async def submit(self, job: str, *args: Any, key: str, timeout: float,
                     on_progress: ProgressCallback | None = None) -> Any:
        """Run job ``job`` with ``args``; at most one job per ``key`` (learner) at a time."""
        ...

    async def close(self) -> None:
        """Stop the workers."""
        ...
