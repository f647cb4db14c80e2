"""Every command of the command table, run once through the console adapter.

``command_lines()`` is one line per command (its first example from the table, or the bare
command); ``run_every_command`` answers each in turn with a real Tutor (worker pool,
storage) behind a ``ConsoleAdapter`` writing to a buffer, as `tutorbot chat` would.
Shared by tests/bot/test_no_torch_in_chat.py and bench/bench_loop_lag.py.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

from bot.console.adapter import ConsoleAdapter
from engine import commands as table
from engine.domain.records import LearnerRef


@dataclass
class Answered:
    line: str
    ok: bool  # the adapter answered without an error message
    seconds: float
    output: str


def command_lines() -> list[str]:
    """One line per command in the table, in table order."""
    return [command.examples[0] if command.examples else f"/{command.name}"
            for command in table.COMMANDS.values()]


async def run_every_command(tutor, image_dir: Path, *, before=None, after=None
                            ) -> list[Answered]:
    """Answer every command once, in order; ``before(line)`` and ``after(line)`` are called
    around each (the loop-lag bench marks which command a stall belongs to)."""
    out = io.StringIO()
    adapter = ConsoleAdapter(tutor, image_dir, out=out,
                             learner=LearnerRef("console", "local", "tester", "Tester"))
    answered = []
    for line in command_lines():
        if before is not None:
            before(line)
        start = out.tell()
        began = time.perf_counter()
        ok = await adapter.answer(line)
        seconds = time.perf_counter() - began
        if after is not None:
            after(line)
        answered.append(Answered(line, ok, seconds, out.getvalue()[start:]))
    return answered
