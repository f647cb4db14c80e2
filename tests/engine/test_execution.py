"""The worker pool with real processes: results, progress, limits, time-outs and crashes."""

import asyncio

import pytest

from engine.domain.errors import Busy, Refused, TimedOut, WorkerCrashed
from engine.ports.executor import JobFailed
from engine.workers.pool import WorkerPool


@pytest.fixture
async def pool():
    workers = WorkerPool(workers=2, queue_limit=1)
    await workers.start()
    yield workers
    await workers.close()


async def test_jobs_run_in_workers_with_one_thread_and_report_progress(pool):
    seen = []

    async def on_progress(report):
        seen.append(report.text)

    assert await pool.submit("tests.engine.pool_jobs:square", 7, key="a", timeout=30,
                             on_progress=on_progress) == 49
    assert seen == ["squaring"]
    env, torch_threads, pid = await pool.submit("tests.engine.pool_jobs:threads", key="a", timeout=60)
    assert (env, torch_threads) == ("1", 1)
    assert pid != __import__("os").getpid()


async def test_admission_is_bounded_and_one_job_per_learner(pool):
    slow = [asyncio.create_task(pool.submit("tests.engine.pool_jobs:sleepy", 1.0, key=k, timeout=30))
            for k in ("a", "b", "c")]
    await asyncio.sleep(0.05)
    with pytest.raises(Busy, match="already have a demo running"):
        await pool.submit("tests.engine.pool_jobs:square", 2, key="a", timeout=30)
    with pytest.raises(Busy, match="try again in a few seconds"):
        await pool.submit("tests.engine.pool_jobs:square", 2, key="d", timeout=30)
    await asyncio.gather(*slow)
    assert await pool.submit("tests.engine.pool_jobs:square", 3, key="a", timeout=30) == 9


async def worker_pids(pool) -> set[int]:
    """The pids of both workers (two jobs held at once occupy both)."""
    jobs = [pool.submit("tests.engine.pool_jobs:sleepy", 0.3, key=k, timeout=60) for k in ("p", "q")]
    return set(await asyncio.gather(*jobs))


async def test_a_job_past_its_time_limit_is_stopped_and_its_worker_replaced(pool):
    before = await worker_pids(pool)
    with pytest.raises(TimedOut, match="longer than 0.5 s"):
        await pool.submit("tests.engine.pool_jobs:sleepy", 30, key="a", timeout=0.5)
    after = await worker_pids(pool)
    assert len(after) == 2 and len(before & after) == 1  # one worker killed, one new


async def test_a_crashed_worker_is_replaced_and_the_learner_gets_an_apology(pool):
    with pytest.raises(WorkerCrashed, match="crashed"):
        await pool.submit("tests.engine.pool_jobs:crash", key="a", timeout=30)
    assert await pool.submit("tests.engine.pool_jobs:square", 5, key="a", timeout=60) == 25


async def test_job_errors_come_back_typed_and_the_worker_survives(pool):
    with pytest.raises(Refused, match="too much work"):
        await pool.submit("tests.engine.pool_jobs:refuse", key="a", timeout=30)
    with pytest.raises(JobFailed, match="KeyError"):
        await pool.submit("tests.engine.pool_jobs:buggy", key="a", timeout=30)
    assert await pool.submit("tests.engine.pool_jobs:square", 4, key="a", timeout=30) == 16
