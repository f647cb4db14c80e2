"""Every demo command in the content parses against THE command table.

This test runs against whatever commands exist: until every demo command's branch is merged
it fails, naming the commands and options it could not parse.
"""

import pytest

from engine import commands
from engine.commands import parsing
from engine.learning.curriculum import default_curriculum

CURRICULUM = default_curriculum()
DEMOS = sorted({lesson.demo for lesson in CURRICULUM.lessons}
               | {q.demo for q in CURRICULUM.questions if q.demo})


@pytest.mark.parametrize("demo", DEMOS)
def test_demo_command_parses(demo):
    request = parsing.parse(demo)
    assert request.command == demo.split()[0].lstrip("/")
    assert request.command in commands.COMMANDS
