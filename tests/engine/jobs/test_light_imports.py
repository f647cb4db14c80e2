"""The chat process stays light: torch and the models load in the pool workers only."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_tutor_and_app_import_without_torch_or_transformers():
    code = (
        "import sys, bot.app, engine.services.tutor, engine.jobs.tokenize; "
        "heavy = [m for m in ('torch', 'transformers') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
