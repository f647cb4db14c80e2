"""The chat processes never import torch or transformers: models live in the workers.

A fresh interpreter (nothing imported by pytest) runs every command of the table once
through the console adapter, with a real worker pool and a throw-away SQLite database, then
reports what its ``sys.modules`` holds. Importing torch on the chat process's event loop
froze it for over a second and grew the process by ~240 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine import commands as table

ROOT = Path(__file__).resolve().parents[2]
HEAVY_MODULES = ("torch", "transformers", "sentence_transformers")

DRIVER = textwrap.dedent("""
    import asyncio, json, sys
    from pathlib import Path

    from bot.app import build_tutor
    from bot.settings import CoreSettings
    from testkit.every_command import run_every_command

    async def main(home):
        settings = CoreSettings(data_dir=Path(home), log_level="WARNING")
        async with build_tutor(settings, workers=1) as tutor:
            answered = await run_every_command(tutor, Path(home) / "images")
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
        print("RESULT " + json.dumps({
            "answered": [[a.line, a.ok, a.output[-300:]] for a in answered],
            "heavy": heavy}))

    HEAVY = set(sys.argv[2].split(","))
    asyncio.run(main(sys.argv[1]))
""")


@pytest.mark.slow
def test_every_command_runs_in_the_console_without_torch_or_transformers(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "TUTORBOT_DATABASE_URL"):  # the default: SQLite in data_dir
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(tmp_path), ",".join(HEAVY_MODULES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))

    answered = result["answered"]
    assert [a[0].split()[0] for a in answered] == [f"/{n}" for n in table.COMMANDS]
    failed = [(command, output) for command, ok, output in answered if not ok]
    assert failed == [], failed  # every command really ran (a refusal would hide a skip)
    assert result["heavy"] == [], (
        f"the chat process imported {result['heavy'][:8]}: models belong in the workers")
