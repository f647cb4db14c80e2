"""Tutor use cases that need no worker: help, admin gating, buttons and their stored keys."""

import pytest

from engine.commands import COMMANDS, Command
from engine.commands.options import TextArg
from engine.commands.parsing import TABLE
from engine.domain.errors import Forbidden, NotFound
from engine.domain.records import LearnerRef
from engine.domain.replies import Button, Reply
from engine.services.tutor import Context, Tutor

ANA = LearnerRef("console", "local", "ana")
FACILITATOR_ONLY = Command("admin-test", "A facilitator-only command used by these tests",
                           text=TextArg("note", "anything", max_len=500, required=False),
                           admin=True)


class RecordingTutor(Tutor):
    """The real Tutor plus one test-only use case that returns a long button."""

    def __init__(self, store, executor):
        super().__init__(store, executor, commands=TABLE.with_commands(FACILITATOR_ONLY),
                         extra_handlers={"admin-test": self.admin_test})

    async def admin_test(self, learner, request, ctx: Context) -> Reply:
        again = "run:/admin-test " + "again " * 30
        return Reply(f"done {request.text}".strip(), buttons=(Button(again, "Again"),))


@pytest.fixture
def tutor(store):
    return RecordingTutor(store, executor=None)


async def test_facilitator_commands_need_the_adapter_to_vouch_for_admin(tutor):
    with pytest.raises(Forbidden, match="facilitators"):
        await tutor.handle(ANA, "/admin-test")
    assert (await tutor.handle(ANA, "/admin-test", admin=True)).text == "done"


async def test_long_button_ids_are_stored_and_pressing_the_short_key_runs_the_action(tutor):
    reply = await tutor.handle(ANA, "/admin-test", admin=True)
    (button,) = reply.buttons
    assert button.id.startswith("b:") and len(button.id) <= 100
    with pytest.raises(Forbidden):  # the stored action is gated like the typed command
        await tutor.press(ANA, button.id)
    pressed = await tutor.press(ANA, button.id, admin=True)
    assert pressed.text == "done " + " ".join(["again"] * 30)


async def test_unknown_or_expired_buttons_say_so(tutor):
    with pytest.raises(NotFound, match="no longer does anything"):
        await tutor.press(ANA, "zzz:1")
    with pytest.raises(NotFound, match="expired"):
        await tutor.press(ANA, "b:deadbeef")


async def test_help_shows_facilitator_commands_only_to_facilitators(tutor):
    learner_help = (await tutor.handle(ANA, "/help")).text
    assert "/admin-test" not in learner_help and "/tokenize" in learner_help
    facilitator_help = (await tutor.handle(ANA, "/help", admin=True)).text
    learner_part, _, facilitator_part = facilitator_help.partition("For facilitators:")
    assert "/admin-test" in facilitator_part and "/admin-test" not in learner_part


async def test_every_suggestion_source_in_the_table_is_known_to_the_tutor(store):
    sources = {arg.source for c in COMMANDS.values() for arg in (c.text, *c.options)
               if getattr(arg, "source", None)}
    assert sources == {"topics", "commands"}
    tutor = Tutor(store, executor=None)
    for source in sources:
        values = await tutor.suggestions(source)
        assert values and all(isinstance(v, str) and v for v in values)
    assert "attention" in await tutor.suggestions("topics")  # the curriculum's concepts
    assert "tokenize" in await tutor.suggestions("commands")
    with pytest.raises(ValueError, match="unknown suggestion source"):
        await tutor.suggestions("colours")


async def test_a_second_demo_while_one_runs_says_what_runs_and_that_it_was_not_started(store):
    import asyncio

    from engine.commands import LINE
    from engine.domain.errors import AlreadyRunning
    from engine.domain.replies import render_invocations
    from engine.workers.pool import WorkerPool

    pool = WorkerPool(workers=2, queue_limit=2)
    await pool.start()
    try:
        tutor = Tutor(store, pool)
        slow = asyncio.create_task(tutor.handle(
            ANA, "/train-demo dataset=spiral layers=8,8 batch=1 epochs=300 seed=2"))
        await asyncio.sleep(0.2)
        with pytest.raises(AlreadyRunning) as refused:
            await tutor.handle(ANA, "/tokenize hello there")
        message = render_invocations(refused.value.user_message, LINE)
        assert message == ("Your `/train-demo dataset=spiral layers=8,8 batch=1 epochs=300 "
                           "seed=2` is still running, so I did not start `/tokenize hello "
                           "there`. Send it again once that answer has arrived.")
        assert (await slow).facts["epochs"] == 300
        assert (await tutor.handle(ANA, "/tokenize hello there")).facts["token_count"] == 2
    finally:
        await pool.close()
