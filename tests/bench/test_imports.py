"""The benches stand on their own: they import nothing from tests/ (shared fakes live in
testkit/, which both use)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_no_bench_imports_anything_from_tests():
    offenders = {path.name: sorted(m for m in imported_modules(path)
                                   if m == "tests" or m.startswith("tests."))
                 for path in (ROOT / "bench").glob("*.py")}
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_the_check_sees_an_import_from_tests(tmp_path):
    script = tmp_path / "bench_x.py"
    script.write_text("import os\nfrom tests.bot.slack.conftest import sign\nimport tests.x\n")
    assert imported_modules(script) == {"os", "tests.bot.slack.conftest", "tests.x"}
