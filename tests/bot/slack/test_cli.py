"""`tutorbot slack` refuses to start without its secrets and names the missing variables."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TUTORBOT_"))}
    clean.update(XDG_DATA_HOME=str(tmp_path), TUTORBOT_LOG_LEVEL="WARNING", **env)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("args", "env", "named"), [
    (["slack"], {}, ["SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"]),
    (["slack", "--http"], {"SLACK_BOT_TOKEN": "xoxb-1"}, ["SLACK_SIGNING_SECRET"]),
    (["slack"], {"SLACK_CLIENT_ID": "1.2"}, ["--http"]),
    (["slack"], {"SLACK_API_URL": "slack.com/api"}, ["SLACK_API_URL", "http(s) URL"]),
])
def test_missing_or_bad_settings_exit_2_naming_them(tmp_path, args, env, named):
    done = run(args, tmp_path, **env)
    assert done.returncode == 2, done.stderr
    assert all(name in done.stderr for name in named), done.stderr
    assert "Traceback" not in done.stderr
