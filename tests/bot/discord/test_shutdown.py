"""SIGTERM/SIGINT stop the Discord bot gracefully, with the Slack adapter's budget: no new
work, answers in progress finish (or, past the budget, say in their live message that they
stopped), then exit (issue 15). Real discord.py against the loopback fake Discord; the
signal test runs `tutorbot discord` as a real subprocess."""

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.discord.client import RESTARTING, STOPPED
from bot.shutdown import ShutdownBudget
from engine.domain.replies import Progress, Reply
from testkit.discord_payloads import slash
from tests.bot.discord.conftest import StageTutor

ROOT = Path(__file__).resolve().parents[3]
ORIGINAL = r"^/webhooks/\d+/[^/]+/messages/@original$"
FOLLOW_UP = r"^/webhooks/\d+/[^/]+$"
SLOW = {"dataset": "spiral", "layers": "8,8", "batch": 1, "epochs": 600, "seed": 3}


class SlowTutor(StageTutor):
    """``/slow-test`` reports 10 % and then works for a minute (a long demo, minus the CPU)."""

    async def slow_test(self, learner, request, ctx) -> Reply:
        await ctx.on_progress(Progress("training", 0.1))
        await asyncio.sleep(60)
        return Reply(text="finished")


def edits(fake) -> list[str]:
    return [c.json.get("content") or "" for c in fake.find("PATCH", ORIGINAL)]


async def test_past_the_budget_the_live_message_says_it_stopped(start_bot, fake):
    async with start_bot(SlowTutor) as bot:
        await fake.dispatch("INTERACTION_CREATE", slash("slow-test"))
        await fake.wait_until(lambda: any(e.startswith("⏳") for e in edits(fake)), 60)
        await bot.stop_gracefully(ShutdownBudget(0.5))  # far less than the training takes
        assert bot.is_closed()
    assert edits(fake)[-1] == STOPPED  # not "⏳ … 10%" forever
    assert not fake.find("POST", FOLLOW_UP)


async def test_new_work_while_stopping_is_refused_politely(start_bot, fake):
    async with start_bot(SlowTutor) as bot:
        await fake.dispatch("INTERACTION_CREATE", slash("slow-test"))
        await fake.wait_until(lambda: any(e.startswith("⏳") for e in edits(fake)), 60)
        stopping = asyncio.create_task(bot.stop_gracefully(ShutdownBudget(3)))
        await asyncio.sleep(0.1)
        await fake.dispatch("INTERACTION_CREATE", slash("help"))
        await fake.wait_until(lambda: any(RESTARTING in json.dumps(c.json, ensure_ascii=False)
                                          for c in fake.calls), 30)
        await stopping


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_lets_the_answer_in_progress_finish_then_exits(fake, db_url, tmp_path,
                                                                      sig):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "TUTORBOT_")) and k != "DATABASE_URL"}
    env.update(fake.env(), DATABASE_URL=db_url, TUTORBOT_DATA_DIR=str(tmp_path / "data"),
               TUTORBOT_WORKERS="1", PYTHONPATH=str(ROOT))
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "discord", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await asyncio.wait_for(fake.identified.wait(), 240)
        await asyncio.sleep(1)  # READY handled
        await fake.dispatch("INTERACTION_CREATE", slash("train-demo", SLOW))
        try:
            await fake.wait_until(lambda: any(e.startswith("⏳") for e in edits(fake)), 240)
        except TimeoutError:
            bot.kill()
            _, err = await bot.communicate()
            raise AssertionError(f"no progress: {[(c.method, c.path, c.json) for c in fake.calls]}"
                                 f" {err.decode()[-3000:]}") from None
        bot.send_signal(sig)
        signalled = time.monotonic()
        _, err = await asyncio.wait_for(bot.communicate(), 60)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    stderr = err.decode()
    assert bot.returncode == 0, stderr[-3000:]
    [answer] = fake.find("POST", FOLLOW_UP)  # the answer was delivered before the exit...
    assert answer.at > signalled  # ...though it was still in progress at the signal
    assert not edits(fake)[-1].startswith("⏳") and edits(fake)[-1] != STOPPED
    assert "Traceback" not in stderr and "Unclosed" not in stderr, stderr[-3000:]
    assert "stopped" in stderr
