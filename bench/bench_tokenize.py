"""/tokenize end to end (parse -> tokens -> PNG bytes) and the cold start of `tutorbot run`.

Run: .venv/bin/python bench/bench_tokenize.py   (goals: <= 0.2 s and <= 6 s)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import report, timed  # noqa: E402
from engine.commands.parsing import parse  # noqa: E402
from engine.domain.replies import no_progress  # noqa: E402
from engine.jobs import tokenize  # noqa: E402

LINE = "/tokenize Tokenization decides what an LLM costs: My name is Pawel, and I ship products."


def end_to_end() -> None:
    reply = tokenize.run(parse(LINE), no_progress)
    assert reply.images[0].data


def cold_start(root: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
        env.pop("DATABASE_URL", None)
        env.update(XDG_DATA_HOME=home, TUTORBOT_LOG_LEVEL="WARNING")
        done = subprocess.run([sys.executable, "-m", "bot", "run", "/tokenize My name is Pawel"],
                              cwd=root, env=env, capture_output=True, text=True)
        assert "5 tokens" in done.stdout, done.stderr


def main() -> None:
    report("/tokenize parse->PNG (warm)", timed(end_to_end, repeat=50, warmup=3), goal=0.2)
    root = Path(__file__).resolve().parents[1]
    report("tutorbot run cold start (fresh data dir)", timed(lambda: cold_start(root), repeat=5,
                                                             warmup=1), goal=6.0)


if __name__ == "__main__":
    main()
