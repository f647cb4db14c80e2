"""The local line over real worker processes: compute once, a fair line, honest refusals."""

import asyncio

import pytest

from engine.commands.parsing import TABLE
from engine.domain.errors import Busy
from engine.workers.admission import Durations
from engine.workers.line import Line
from engine.workers.pool import WorkerPool

parse = TABLE.parse

SLEEPY = "tests.engine.pool_jobs:sleepy"


@pytest.fixture
async def line():
    pool = WorkerPool(workers=2, queue_limit=2, warmups=("tokenize",))
    ready = Line(pool, 2, durations=Durations({SLEEPY: 1.5}), place_interval=0.2)
    await ready.start()
    yield ready
    await ready.close()


async def test_fifty_identical_requests_compute_once_and_get_identical_bytes(line):
    request = parse("/tokenize The class presses the same button")
    replies = await asyncio.gather(*(line.submit("tokenize", request, key=f"learner{i}",
                                                 timeout=60) for i in range(50)))
    assert line.computed == 1
    assert len({r.images[0].data for r in replies}) == 1
    assert replies[0].facts["token_count"] > 3
    again = await line.submit("tokenize", request, key="late", timeout=60)
    assert again.images[0].data == replies[0].images[0].data and line.computed == 1
    assert again is not replies[0]  # a fresh copy: nobody can change another's answer
    other = await line.submit("tokenize", parse("/tokenize something else"), key="x",
                              timeout=60)
    assert line.computed == 2 and other.images[0].data != again.images[0].data


async def test_a_long_wait_shows_the_place_in_line_then_the_answer(line):
    line.show_after = 1.0
    seen: dict[str, list[str]] = {"c": [], "d": []}

    def listener(who):
        async def on_progress(report):
            seen[who].append(report.text)
        return on_progress

    jobs = [asyncio.create_task(line.submit(SLEEPY, 1.5, key=k, timeout=30,
                                            on_progress=listener(k) if k in seen else None))
            for k in ("a", "b", "c", "d")]
    pids = await asyncio.gather(*jobs)
    assert len(set(pids)) == 2  # two workers served four jobs in turn
    # d joined behind c and two running jobs (1.5 s each, half done): (1.5 + 2 × 0.75) / 2
    assert seen["d"][0] == "2nd in line, about 2 s"
    # c was expected to start sooner (0.75 s), so its place appeared only once it had
    # waited longer than show_after
    assert seen["c"] and seen["c"][0].startswith("1st in line, about 1 s")
    assert all("in line" in text for text in seen["c"] + seen["d"])


async def test_admission_by_expected_wait_refuses_with_the_estimate(line):
    jobs = [asyncio.create_task(line.submit(SLEEPY, 1.0, key=k, timeout=30))
            for k in "abcdef"]  # 2 running, 4 waiting: (4 × 1.5 + 2 × 0.75) / 2 = 3.75 s
    await asyncio.sleep(0.05)
    line.limit = 2.0
    with pytest.raises(Busy, match=r"would wait about 4 s .*under 2 s.*did not start"):
        await line.submit(SLEEPY, 0.1, key="g", timeout=30)
    await asyncio.gather(*jobs)
    assert await line.submit("tests.engine.pool_jobs:square", 6, key="g", timeout=30) == 36


async def test_one_heavy_job_per_learner_names_the_one_running(line):
    first = asyncio.create_task(line.submit(
        "tokenize", parse("/tokenize " + "long text " * 100), key="a", timeout=60))
    await asyncio.sleep(0)
    with pytest.raises(Busy, match=r"Your `/tokenize long text.*` is still running, so I did "
                                   r"not start `/tokenize hi`"):
        await line.submit("tokenize", parse("/tokenize hi"), key="a", timeout=60)
    await first
    assert (await line.submit("tokenize", parse("/tokenize hi"), key="a",
                              timeout=60)).facts["token_count"] == 1
