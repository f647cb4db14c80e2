"""Nothing is written outside TUTORBOT_DATA_DIR: matplotlib's config and cache, model and
tokenizer caches all live in it, in the chat process and in the workers (issue 15)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def test_a_picture_demo_writes_only_into_the_data_dir(tmp_path):
    home, work, temp, data = (tmp_path / n for n in ("home", "cwd", "tmp", "data"))
    for folder in (home, work, temp):
        folder.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TUTORBOT_", "XDG_", "MPL", "HF_", "TORCH_", "TIKTOKEN_"))
           and k != "DATABASE_URL"}
    env.update(HOME=str(home), TMPDIR=str(temp), TUTORBOT_DATA_DIR=str(data),
               TUTORBOT_WORKERS="1", PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-m", "bot", "run", "/tokenize hello world"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert files_under(home) == [] and files_under(work) == [] and files_under(temp) == []
    written = files_under(data)
    assert any(p.endswith(".png") for p in written), written  # the picture was drawn...
    assert any(p.startswith("cache/matplotlib") for p in written), written  # ...configured here
