"""`tutorbot slack` as a real subprocess against the loopback fake Slack: a rejected app token
stops it with one clear line and exit 2 (not retries forever); a SIGTERM after connecting
stops it cleanly, with no "Unclosed client session" (issue 15)."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.bot.slack.conftest import upgraded_sqlite

ROOT = Path(__file__).resolve().parents[3]


def env_for(fake, tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "TUTORBOT_")) and k != "DATABASE_URL"}
    env.update(SLACK_API_URL=fake.api_url, SLACK_BOT_TOKEN="xoxb-test",
               SLACK_APP_TOKEN="xapp-test", TUTORBOT_DATA_DIR=str(tmp_path / "data"),
               DATABASE_URL=upgraded_sqlite(tmp_path), TUTORBOT_WORKERS="1",
               TUTORBOT_LOG_LEVEL="INFO", PYTHONPATH=str(ROOT), **extra)
    return env


async def start(env):
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "slack", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


@pytest.mark.parametrize("error", ["revoked", "not an app token"])
async def test_a_rejected_app_token_exits_2_with_one_clear_line(fake, tmp_path, error):
    env = env_for(fake, tmp_path)
    if error == "revoked":
        fake.revoked.add("xapp-test")
    else:
        env["SLACK_APP_TOKEN"] = "xoxb-test-given-as-app-token"
        fake.revoked.add(env["SLACK_APP_TOKEN"])
    bot = await start(env)
    out, err = await asyncio.wait_for(bot.communicate(), 120)
    stderr = err.decode()
    assert bot.returncode == 2, stderr[-2000:]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr[-2000:]
    assert "SLACK_APP_TOKEN" in lines[0] and "token_revoked" in lines[0]
    assert "Traceback" not in stderr
    assert len(fake.named("apps.connections.open", ok_only=False)) == 1  # asked once, no loop


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_stopping_after_connecting_closes_every_http_session(fake, tmp_path, sig):
    bot = await start(env_for(fake, tmp_path))
    try:
        await asyncio.wait_for(fake._ws_ready.wait(), 120)
        await asyncio.sleep(0.5)
        bot.send_signal(sig)
        out, err = await asyncio.wait_for(bot.communicate(), 60)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    stderr = err.decode()
    assert bot.returncode == 0, stderr[-2000:]
    assert "Unclosed" not in stderr and "Traceback" not in stderr, stderr[-3000:]
    assert "stopped" in stderr
