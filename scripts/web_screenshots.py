"""Regenerate the README's screenshots of the web chat from its browser tests.

The browser tests (tests/bot/web/test_browser.py) save a screenshot at each step the README
shows when TUTORBOT_SCREENSHOTS names a folder; this runs them so, then shrinks each PNG
(a 128-colour palette) into docs/.

Run: .venv/bin/python scripts/web_screenshots.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
COLOURS = 128


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tutorbot-shots-") as shots:
        env = dict(os.environ, TUTORBOT_SCREENSHOTS=shots)
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "tests/bot/web/test_browser.py"], cwd=ROOT, env=env)
        if done.returncode:
            print("the browser tests failed; screenshots not updated", file=sys.stderr)
            return done.returncode
        DOCS.mkdir(exist_ok=True)
        for shot in sorted(Path(shots).glob("*.png")):
            target = DOCS / shot.name
            with Image.open(shot) as image:
                small = image.convert("RGB").quantize(COLOURS, method=Image.Quantize.MEDIANCUT)
                small.save(target, optimize=True)
            print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
