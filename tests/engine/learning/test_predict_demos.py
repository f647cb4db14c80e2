"""Predict-the-demo questions: run each question's demo for real and check its answer key.

The `verify` clause of a predict question states what the demo's Reply.facts must show for the
keyed answer to be right. This test runs the demo through the Tutor (the session's `run_demo`,
shared with the lesson checks) and checks the clause against the facts, so an author cannot key
an answer the demo contradicts, and a demo change that flips an answer is caught.
"""

import pytest

from engine.learning.curriculum import default_curriculum

PREDICT = [q for q in default_curriculum().questions if q.kind == "predict"]


@pytest.mark.slow
@pytest.mark.parametrize("question", PREDICT, ids=lambda q: q.id)
def test_demo_confirms_the_answer_key(question, run_demo):
    reply = run_demo(question.demo)
    holds, detail = question.verify.check(reply.facts)
    assert holds, (f"{question.id}: {question.demo!r} contradicts the keyed answer "
                   f"{question.answer_text!r}: {detail}")
