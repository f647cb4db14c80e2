"""The README stays true: every command is documented, and the figures it quotes are real."""

import re
from pathlib import Path

from engine.commands import COMMANDS
from engine.learning.curriculum import default_curriculum

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_in_the_table_is_in_the_readme_command_list():
    section = README.split("## What it teaches: the commands", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`/([a-z][a-z-]*)", section))
    assert set(COMMANDS) - {"help"} <= listed, set(COMMANDS) - listed


def test_the_curriculum_counts_quoted_in_the_readme():
    curriculum = default_curriculum()
    assert f"{len(curriculum.lessons)} lessons" in README
    assert f"{len(curriculum.questions)} questions" in README


def test_the_two_newcomer_commands_exist_in_the_makefile():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    for target in ("chat", "test"):
        assert f"make {target}" in README and re.search(rf"^{target}:", makefile, re.M)
