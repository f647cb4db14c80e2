"""Predict-the-demo questions: run each question's demo for real and check its answer key.

The `verify` clause of a predict question states what the demo's Reply.facts must show for the
keyed answer to be right. This test runs the actual job (the same function the worker pool runs)
and checks the clause against the facts it returns, so a content author cannot key an answer the
demo contradicts, and a demo change that flips an answer is caught.
"""

import functools
import importlib

import pytest

from engine import commands
from engine.learning.curriculum import default_curriculum

PREDICT = [q for q in default_curriculum().questions if q.kind == "predict"]


def job_for(command_name: str):
    """The job function behind a command: the table's own link if it has one, else by name."""
    command = commands.COMMANDS[command_name]
    job = getattr(command, "job", None)
    if isinstance(job, str):
        module, _, attr = job.rpartition(".")
        return getattr(importlib.import_module(module), attr)
    if callable(job):
        return job
    module = importlib.import_module(f"engine.jobs.{command_name.replace('-', '_')}")
    return module.run


@functools.cache
def run_demo(demo: str):
    """Parse and run a demo command exactly as a worker would; returns its Reply."""
    request = commands.parse(demo)
    return job_for(request.command)(request, lambda progress: None)


@pytest.mark.slow
@pytest.mark.parametrize("question", PREDICT, ids=lambda q: q.id)
def test_demo_confirms_the_answer_key(question):
    reply = run_demo(question.demo)
    holds, detail = question.verify.check(reply.facts)
    assert holds, (f"{question.id}: {question.demo!r} contradicts the keyed answer "
                   f"{question.answer_text!r}: {detail}")
