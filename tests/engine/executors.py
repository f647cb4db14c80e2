"""An Executor for tests: the real job functions, run in a thread instead of a worker."""

import asyncio
import pickle

from engine.replies import no_progress


class ThreadExecutor:
    """Runs each job in a thread, after the pickle round trip a worker process would make
    (so an unpicklable job or argument fails here as it would in the pool)."""

    def __init__(self) -> None:
        self.jobs: list[str] = []

    async def submit(self, fn, *args, key, timeout, on_progress=None):
        self.jobs.append(f"{fn.__module__}.{fn.__name__}")
        fn, args = pickle.loads(pickle.dumps((fn, args)))
        return await asyncio.to_thread(fn, *args, no_progress)

    async def close(self) -> None:
        pass
