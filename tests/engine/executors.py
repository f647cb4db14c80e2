"""An Executor for tests: the real job functions, run in a thread instead of a worker."""

import asyncio
import pickle

from engine.domain.replies import no_progress
from engine.jobs import resolve


class ThreadExecutor:
    """Runs each job in a thread, after the pickle round trip a worker process would make
    (so an unpicklable job or argument fails here as it would in the pool)."""

    def __init__(self) -> None:
        self.jobs: list[str] = []

    async def submit(self, job, *args, key, timeout, on_progress=None):
        self.jobs.append(job)
        job, args = pickle.loads(pickle.dumps((job, args)))
        return await asyncio.to_thread(resolve(job), *args, no_progress)

    async def close(self) -> None:
        pass
