"""The composition root: settings -> storage -> worker pool -> Tutor."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.database import open_database
from bot.environment import place_caches
from bot.settings import CoreSettings, LLMSettings
from engine.llm.openai_chat import OpenAIAnswerer
from engine.services.scheduler import Clock, Poster, QuizScheduler, SchedulerConfig
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from engine.workers.line import Line
from engine.workers.pool import WorkerPool

if TYPE_CHECKING:
    from engine.workers.celery_executor import CeleryExecutor

log = logging.getLogger(__name__)

SCHEDULER_STOP = 5.0  # s the scheduler's tick under way may take to finish at shutdown
WARMUPS = ("tokenize", "train_demo", "next_token")  # names in engine.jobs.WARMUPS


def settle_heap() -> None:
    """Collect once, then exempt everything alive (modules, models' metadata, command tables,
    caches) from future garbage collections. A full collection of this heap takes 50-150 ms:
    long enough to blow the acknowledgement budget (Slack's ack, Discord's defer) of every
    request that arrives meanwhile. Call it once the app is built, before serving."""
    gc.collect()
    gc.freeze()


def prepare_environment(settings: CoreSettings) -> None:
    """Offline model and tokenizer caches, matplotlib's config and cache live in the data
    directory (inherited by the workers; ``bot.launch`` did it before any import)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    place_caches(settings.data_dir)


def open_engine(settings: CoreSettings) -> Engine:
    """A SQLAlchemy engine on the configured database (for libraries that need one: Slack's
    OAuth installation store)."""
    return make_engine(settings.db_url)


def open_store(settings: CoreSettings) -> SqlStore:
    """Connect to the database; SQLite upgrades itself, Postgres must already be upgraded
    (``bot.database``: every failure is one SetupError line naming the setting)."""
    return SqlStore(open_database(settings))


def build_answerer(llm: LLMSettings | None) -> OpenAIAnswerer | None:
    """/ask's LLM when ``TUTORBOT_LLM_BASE_URL`` and ``TUTORBOT_LLM_MODEL`` are set."""
    if llm is None or not llm.enabled:
        return None
    assert llm.base_url is not None and llm.model is not None
    key = llm.api_key.get_secret_value() if llm.api_key else None
    log.info("/ask uses the LLM %s at %s", llm.model, llm.base_url)
    return OpenAIAnswerer(llm.base_url, llm.model, key, timeout=llm.timeout,
                          deadline=llm.deadline, max_retries=llm.max_retries)


@asynccontextmanager
async def build_tutor(settings: CoreSettings, *, workers: int | None = None,
                      warmups=WARMUPS, clock: Clock | None = None,
                      llm: LLMSettings | None = None, prepare: bool = True,
                      ) -> AsyncIterator[Tutor]:
    """A ready Tutor with its storage, worker pool and (if configured) /ask's LLM; all are
    closed on exit. ``llm`` defaults to the ``TUTORBOT_LLM_*`` environment. ``prepare``:
    build /ask's knowledge base before returning (servers; a one-off command skips it)."""
    prepare_environment(settings)
    store = open_store(settings)
    executor = open_executor(settings, workers=workers, warmups=warmups)
    answerer = build_answerer(llm if llm is not None else LLMSettings())
    extra = {} if clock is None else {"clock": clock}
    try:
        await executor.start()
        tutor = Tutor(store, executor, answerer=answerer,
                      ask_cache=settings.data_dir / "ask-index", **extra)
        if prepare:
            await tutor.prepare()
        yield tutor
    finally:
        if answerer is not None:
            await answerer.close()
        await executor.close()
        store.engine.dispose()


def open_executor(settings: CoreSettings, *, workers: int | None = None,
                  warmups=WARMUPS) -> Line | CeleryExecutor:
    """Where demos run: Celery workers when ``TUTORBOT_QUEUE_URL`` is set, else local worker
    processes; either way behind a fair line with a result cache (engine.workers)."""
    if settings.queue_url:
        from engine.workers.celery_executor import CeleryExecutor  # Celery only when used

        return CeleryExecutor(settings.queue_url, prefix=settings.queue_prefix,
                              limit=settings.wait_limit)
    size = workers or settings.workers
    pool = WorkerPool(workers=size, queue_limit=size, warmups=warmups)  # the line admits
    return Line(pool, size, limit=settings.wait_limit)


@asynccontextmanager
async def running_scheduler(tutor: Tutor, posters: Mapping[str, Poster], *,
                            config: SchedulerConfig | None = None) -> AsyncIterator[QuizScheduler]:
    """Run the daily-quiz scheduler in the background while an adapter runs.

    Every running instance may run one: claims in the database make sure each quiz, reveal,
    reminder and digest is posted once. ``posters`` maps a platform name to the adapter's
    ``async post(channel, reply) -> message ref``.
    """
    scheduler = QuizScheduler(tutor.store, tutor.learning.curriculum, posters, tutor.executor,
                              clock=tutor.learning.clock, config=config)
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop), name="quiz-scheduler")
    try:
        yield scheduler
    finally:
        stop.set()  # the tick under way may finish, briefly: stopping has a time budget
        done, _ = await asyncio.wait({task}, timeout=SCHEDULER_STOP)
        if done:
            await task
        else:
            log.warning("the quiz scheduler did not stop within %g s; cancelled its tick "
                        "(claims left unfinished are taken over later)", SCHEDULER_STOP)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
