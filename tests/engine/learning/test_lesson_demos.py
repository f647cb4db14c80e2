"""Every lesson's demo shows what the lesson says it shows.

A lesson ends with a demo to try and makes claims about it ("the two login problems land
closest together", "'it' → 'animal' is this head's strongest link"). Its `verify` clauses state
those claims as facts of the demo's Reply; this test runs each demo for real through the Tutor
(one run per distinct command, shared with the predict-question checks) and checks every
clause, so a lesson cannot promise what its demo does not show.
"""

import pytest

from engine.learning.curriculum import default_curriculum

LESSONS = default_curriculum().lessons


def test_every_lesson_states_what_its_demo_must_show():
    assert [lesson.id for lesson in LESSONS if not lesson.verify] == []


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_demo_shows_what_the_lesson_claims(lesson, run_demo):
    reply = run_demo(lesson.demo)
    failures = []
    for clause in lesson.verify:
        holds, detail = clause.check(reply.facts)
        if not holds:
            failures.append(detail)
    assert not failures, f"{lesson.id}: {lesson.demo!r} contradicts the lesson: {failures}"
