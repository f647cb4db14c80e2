"""The Celery executor with real Redis and real ``tutorbot worker`` processes.

Two executors stand for two bot instances (each with its own Redis connections, sharing
nothing but Redis); two workers with one process each. Keys live under a prefix unique to
this run in Redis DB 13 and are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid

import pytest
import redis

from engine.commands.parsing import TABLE
from engine.domain.errors import Busy, TimedOut, TutorError
from engine.workers.admission import Durations
from engine.workers.cache import cache_key
from engine.workers.celery_executor import NO_WORKER, CeleryExecutor
from tests.engine.workers.celery_cluster import (
    REDIS_URL,
    RedisServer,
    Worker,
    delete_prefix,
)

parse = TABLE.parse
SLOW_PID = "tests.engine.pool_jobs:slow_pid"
SLEEPY = "tests.engine.pool_jobs:sleepy"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two live workers on a prefix of their own; restarts any a test killed."""
    prefix = f"tbtest-{uuid.uuid4().hex[:8]}"
    data = tmp_path_factory.mktemp("workers")
    workers = [Worker(REDIS_URL, prefix, f"w{i}", data) for i in (1, 2)]

    def revive():
        for i, worker in enumerate(workers):
            if worker.process.poll() is not None:
                worker.stop()
                workers[i] = Worker(REDIS_URL, prefix, f"w{i + 1}r{time.monotonic_ns()}",
                                    data)
        for worker in workers:
            worker.wait_ready()

    try:
        revive()
        yield prefix, workers, revive
    finally:
        for worker in workers:
            worker.stop()
        delete_prefix(REDIS_URL, prefix)


@pytest.fixture
async def bots(cluster):
    prefix, workers, revive = cluster
    revive()
    instances = [CeleryExecutor(REDIS_URL, prefix=prefix, limit=120,
                                durations=Durations({"/tokenize": 0.1}))
                 for _ in range(2)]
    for bot in instances:
        await bot.start()
    yield instances
    for bot in instances:
        await bot.close()


async def test_two_bots_two_workers_answer_200_commands_each_exactly_once(bots):
    texts = [f"learner {i} asks about tokens {uuid.uuid4().hex[:6]}" for i in range(200)]
    jobs = [bots[i % 2].submit("tokenize", parse(f"/tokenize {text}"), key=f"u{i}",
                               timeout=60) for i, text in enumerate(texts)]
    replies = await asyncio.wait_for(asyncio.gather(*jobs), 240)
    assert [r.facts["characters"] for r in replies] == [len(t) for t in texts]
    assert all(r.images and r.images[0].data.startswith(b"\x89PNG") for r in replies)
    assert sum(b.computed for b in bots) == 200  # one task per command, none sent twice


async def test_a_cache_hit_returns_identical_bytes_from_either_bot(bots):
    request = parse(f"/tokenize cached {uuid.uuid4().hex}")
    first = await bots[0].submit("tokenize", request, key="a", timeout=60)
    computed = sum(b.computed for b in bots)
    again = await bots[1].submit("tokenize", request, key="b", timeout=60)
    assert again.images[0].data == first.images[0].data and again.text == first.text
    assert sum(b.computed for b in bots) == computed and bots[1].cache_hits == 1


async def test_single_flight_computes_once_for_50_identical_requests(bots):
    request = parse(f"/tokenize the whole class at once {uuid.uuid4().hex}")
    jobs = [bots[i % 2].submit("tokenize", request, key=f"class{i}", timeout=60)
            for i in range(50)]
    replies = await asyncio.gather(*jobs)
    assert sum(b.computed for b in bots) == 1
    assert len({r.images[0].data for r in replies}) == 1


async def test_progress_and_the_place_in_line_reach_the_live_message(bots):
    bots[0].show_after = 0.5
    seen: dict[str, list[str]] = {"a": [], "b": [], "c": []}

    def listener(who):
        async def on_progress(report):
            seen[who].append(report.text)
        return on_progress

    jobs = [bots[0].submit(SLOW_PID, 1.5, key=k, timeout=30, on_progress=listener(k))
            for k in seen]  # three jobs, two workers: c waits about 1.5 s
    pids = await asyncio.gather(*jobs)
    assert all(texts[-1] == f"pid {pid}" for texts, pid in zip(seen.values(), pids,
                                                                strict=True))
    waited = [texts for texts in seen.values() if any("in line" in t for t in texts)]
    assert len(waited) == 1 and waited[0][0].startswith("1st in line, about")


async def test_one_heavy_job_per_learner_across_bots(bots):
    first = asyncio.create_task(bots[0].submit(SLEEPY, 1.0, key="same", timeout=30))
    await asyncio.sleep(0.3)
    with pytest.raises(Busy, match="still running"):
        await bots[1].submit("tokenize", parse("/tokenize hi"), key="same", timeout=30)
    await first
    assert (await bots[1].submit("tokenize", parse("/tokenize hi"), key="same",
                                 timeout=30)).facts["token_count"] == 1


async def test_a_job_past_its_hard_limit_gets_the_pools_apology(bots):
    with pytest.raises(TimedOut, match="longer than 1 s, so I stopped it"):
        await bots[0].submit(SLEEPY, 30, key="slow", timeout=1)


async def pid_of_running_job(bot, key, seconds=4.0):
    """Start a slow job; return its task and the pid of the worker process running it."""
    pids: list[int] = []

    async def on_progress(report):
        if report.text.startswith("pid "):
            pids.append(int(report.text[4:]))

    task = asyncio.create_task(bot.submit(SLOW_PID, seconds, key=key, timeout=60,
                                          on_progress=on_progress))
    async with asyncio.timeout(30):
        while not pids:
            await asyncio.sleep(0.05)
    return task, pids


async def test_kill_9_of_the_process_running_a_job_still_answers_exactly_once(bots, cluster):
    prefix = cluster[0]
    task, pids = await pid_of_running_job(bots[0], "victim")
    os.kill(pids[0], signal.SIGKILL)  # Celery sees the child lost and puts the job back
    answer = await asyncio.wait_for(task, 60)
    assert answer != pids[0] and pids[-1] == answer
    flights = redis.Redis.from_url(REDIS_URL)
    try:
        attempts = [int(flights.get(k)) for k in flights.scan_iter(f"{prefix}:attempts:*")]
    finally:
        flights.close()
    assert 2 in attempts  # run twice, answered once


async def test_kill_9_of_a_whole_worker_mid_job_is_noticed_and_answered_once(bots, cluster):
    _, workers, _ = cluster
    task, pids = await pid_of_running_job(bots[1], "victim2", seconds=3.0)
    owner = next(w for w in workers if w.process.poll() is None and pids[0] in children(w))
    owner.kill()  # main process and children: no heartbeat, no requeue from Celery
    started = time.monotonic()
    answer = await asyncio.wait_for(task, 60)
    assert answer != pids[0]  # the other worker ran it again
    assert time.monotonic() - started < 20


def children(worker: Worker) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == worker.process.pid:
                found.add(int(entry))
    return found


async def test_no_worker_running_is_said_within_10_seconds(tmp_path):
    prefix = f"tbtest-{uuid.uuid4().hex[:8]}"
    bot = CeleryExecutor(REDIS_URL, prefix=prefix)
    await bot.start()
    try:
        started = time.monotonic()
        with pytest.raises(Busy) as refused:
            await bot.submit("tokenize", parse("/tokenize anyone there?"), key="a",
                             timeout=30)
        assert refused.value.user_message == NO_WORKER
        assert time.monotonic() - started < 10
    finally:
        await bot.close()
        delete_prefix(REDIS_URL, prefix)


async def test_a_queued_job_whose_only_worker_dies_is_answered_within_10_seconds(tmp_path):
    prefix = f"tbtest-{uuid.uuid4().hex[:8]}"
    worker = Worker(REDIS_URL, prefix, "lonely", tmp_path)
    bot = CeleryExecutor(REDIS_URL, prefix=prefix, limit=120)
    try:
        worker.wait_ready()
        await bot.start()
        running, pids = await pid_of_running_job(bot, "first", seconds=20)
        waiting = asyncio.create_task(bot.submit(SLEEPY, 0.1, key="second", timeout=30))
        await asyncio.sleep(0.5)
        worker.kill()
        started = time.monotonic()
        outcomes = await asyncio.gather(running, waiting, return_exceptions=True)
        assert time.monotonic() - started < 10  # heartbeat expiry (3 s) + the grace (4 s)
        assert all(isinstance(o, TutorError) for o in outcomes), outcomes
        assert any(o.user_message == NO_WORKER for o in outcomes)
    finally:
        worker.stop()
        await bot.close()
        delete_prefix(REDIS_URL, prefix)


async def test_redis_stopped_and_restarted_mid_burst(tmp_path):
    """Every command answered exactly once (a result or a plain message), and the bots and
    workers carry on once Redis is back, without a restart."""
    server = RedisServer(tmp_path)
    server.start()
    prefix = "tboutage"
    workers = [Worker(server.url, prefix, f"o{i}", tmp_path) for i in (1, 2)]
    bots = [CeleryExecutor(server.url, prefix=prefix, limit=120) for _ in range(2)]
    try:
        for worker in workers:
            worker.wait_ready()
        for bot in bots:
            await bot.start()
        jobs = [asyncio.create_task(bots[i % 2].submit(SLEEPY, 0.2, key=f"o{i}", timeout=30))
                for i in range(40)]
        await asyncio.sleep(1.0)
        server.stop()
        late = [asyncio.create_task(bots[0].submit(SLEEPY, 0.1, key=f"late{i}", timeout=30))
                for i in range(3)]
        await asyncio.sleep(2.0)
        server.start()
        outcomes = await asyncio.wait_for(
            asyncio.gather(*jobs, *late, return_exceptions=True), 120)
        assert len(outcomes) == 43
        unexpected = [o for o in outcomes if isinstance(o, BaseException)
                      and not isinstance(o, TutorError)]
        assert not unexpected, unexpected
        answered = [o for o in outcomes if isinstance(o, int)]
        told = [o.user_message for o in outcomes if isinstance(o, TutorError)]
        assert answered and len(answered) + len(told) == 43
        assert all("demo queue" in m or m == NO_WORKER for m in told), told
        assert all(isinstance(o, TutorError) for o in outcomes[40:])  # sent while it was down
        # recovery without a restart: new commands are answered again
        for worker in workers:
            worker.wait_ready()
        deadline = time.monotonic() + 60
        while True:
            try:
                assert await bots[1].submit(SLEEPY, 0.05, key="after", timeout=30) > 0
                break
            except TutorError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1)
    finally:
        for bot in bots:
            await bot.close()
        for worker in workers:
            worker.stop()
        server.stop()


async def test_the_app_runs_lesson_demos_on_the_queue_when_configured(cluster, tmp_path):
    """`TUTORBOT_QUEUE_URL` set: the composition root builds the Tutor on Celery; a lesson's
    fixed-seed demo pressed by two learners is computed once, and both runs are recorded."""
    from bot.app import build_tutor
    from bot.settings import CoreSettings
    from bot.syntax import command_line
    from engine.domain.records import LearnerRef

    prefix, _, revive = cluster
    revive()
    settings = CoreSettings(queue_url=REDIS_URL, queue_prefix=prefix, data_dir=tmp_path)
    line = f"/train-demo dataset=xor layers=0 seed={uuid.uuid4().int % 9000 + 1}"
    async with build_tutor(settings, warmups=()) as tutor:
        assert isinstance(tutor.executor, CeleryExecutor)
        one, two = await asyncio.gather(
            tutor.handle(LearnerRef("console", "local", "ana"), line),
            tutor.handle(LearnerRef("console", "local", "ben"), line))
        assert one.images[0].data == two.images[0].data
        assert command_line(one.command) == line  # the reproduce line, as Slack shows it
        assert tutor.executor.computed == 1


async def test_the_redis_cache_keeps_its_entry_cap_and_ttl(cluster):
    prefix, _, revive = cluster
    revive()
    bot = CeleryExecutor(REDIS_URL, prefix=prefix, cache_entries=2, cache_ttl=120)
    await bot.start()
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete(f"{prefix}:cache-index")
        requests = [parse(f"/tokenize cap {word} {uuid.uuid4().hex}")
                    for word in ("one", "two", "three")]
        for request in requests:
            await bot.submit("tokenize", request, key="cap", timeout=60)
        kept = [k.decode() for k in client.zrange(f"{prefix}:cache-index", 0, -1)]
        keys = [cache_key("tokenize", (r,)) for r in requests]
        assert kept == keys[1:]  # the oldest went first
        assert not client.exists(f"{prefix}:cache:{keys[0]}")
        assert all(0 < client.ttl(f"{prefix}:cache:{k}") <= 120 for k in kept)
    finally:
        client.close()
        await bot.close()


def test_tutorbot_worker_needs_the_queue_url_and_ping_says_who_is_alive(tmp_path, cluster):
    import socket
    import subprocess
    import sys

    from tests.engine.workers.celery_cluster import ROOT

    prefix = cluster[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(TUTORBOT_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    missing = subprocess.run([sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "needs TUTORBOT_QUEUE_URL" in missing.stderr
    env.update(TUTORBOT_QUEUE_URL=REDIS_URL, TUTORBOT_QUEUE_PREFIX=prefix)
    nobody = subprocess.run([sys.executable, "-m", "bot", "worker", "--ping"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert nobody.returncode == 1  # the test workers are named @test, not this host
    # a worker with its default name (tutorbot-PID@this host), as in a container
    log = open(tmp_path / "default.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "bot", "worker", "-c", "1", "--warm", ""],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            alive = subprocess.run([sys.executable, "-m", "bot", "worker", "--ping"], cwd=ROOT,
                                   env=env, capture_output=True, text=True, timeout=60)
            if alive.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert alive.returncode == 0
        assert f"tutorbot-{process.pid}@{socket.gethostname()}" in alive.stdout
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
        log.close()
