"""Which button actions and commands can depend on facilitator rights (so adapters that pay
for the check, like Slack's users.info, ask only then)."""

import pytest

from engine.commands import COMMANDS
from engine.commands.actions import command_of, may_need_admin, needs_admin


@pytest.mark.parametrize("action", [
    "quiz:12:2", "forget:abc123", "run:/quiz", "run:/quiz attention", "run:/tokenize hi",
    "run:/learn", "run:/review", "run:/settings reminders=off"])
def test_quiz_answers_and_learner_commands_never_need_admin(action):
    assert may_need_admin(action) is False


@pytest.mark.parametrize("action", [
    "run:/quiz-schedule show", "run:/cohort days=7", "run: /COHORT", "run:/help",
    "b:k3y", "run:/no-such-command", "run:"])
def test_admin_only_reruns_help_stored_and_unknown_actions_may(action):
    assert may_need_admin(action) is True


def test_command_of_reads_only_run_actions():
    assert command_of("run:/tokenize a b") is COMMANDS["tokenize"]
    assert command_of("quiz:1:0") is None and command_of("b:run:/help") is None


def test_admin_commands_and_help_need_admin_the_rest_do_not():
    needing = {name for name, command in COMMANDS.items() if needs_admin(command)}
    assert needing == {name for name, c in COMMANDS.items() if c.admin} | {"help"}
    assert {"quiz-schedule", "cohort"} <= needing
