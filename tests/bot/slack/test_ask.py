"""Questions on Slack: an @mention or a DM that is not a command is answered as /ask — real
signed Events API payloads to the real Bolt app, answers read back from the fake Slack."""

from __future__ import annotations

import json

import pytest

from bot.app import build_tutor
from bot.settings import CoreSettings
from engine.learning.curriculum import default_curriculum
from engine.services.ask import PoolRetriever
from engine.services.tutor import Tutor
from testkit.slack_requests import event_body

SOURCE = "[1] Batches and epochs — /learn batches-epochs"


@pytest.fixture
async def tutor(slack_db_url, tmp_path, clock):
    """The real Tutor on the real pool; retrieval is BM25 alone here (MiniLM's side is
    covered by tests/engine and the bench; embedding the course in each adapter test would
    cost a minute of CPU)."""
    settings = CoreSettings(database_url=slack_db_url, data_dir=tmp_path / "data")
    curriculum = default_curriculum()

    async def course():
        return curriculum

    async with build_tutor(settings, workers=1, clock=clock, prepare=False) as ready:
        yield Tutor(ready.store, ready.executor, clock=clock,
                    retriever=PoolRetriever(None, course))


def texts(call) -> str:
    blocks = call.params.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    parts = [call.params.get("text") or ""]
    parts += [json.dumps(b) for b in blocks]
    return "\n".join(parts)


async def test_a_mention_that_is_a_question_is_answered_in_its_thread(harness):
    fake = harness.fake
    mention = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1700000000.000100",
               "text": "<@UBOT> what is an epoch?"}
    status, _, _ = await harness.post(event_body(mention, "EvASK1"), json_body=True)
    assert status == 200
    def answered():
        return [c for c in fake.named("chat.postMessage", "chat.update")
                if SOURCE in texts(c)]

    await fake.wait_for(answered)
    (answer,) = answered()
    assert answer.params["channel"] == "C1"
    threads = {c.params.get("thread_ts") for c in fake.named("chat.postMessage")}
    assert threads == {"1700000000.000100"}  # everything went to the question's thread
    body = texts(answer)
    assert SOURCE in body and "See it:" in body
    buttons = [e["action_id"] for b in fake.blocks(answer) for e in b.get("elements", [])
               if e.get("type") == "button"]
    assert buttons and all(a.startswith("quiz:") for a in buttons)


async def test_a_dm_question_is_answered_and_off_topic_is_said_plainly(harness):
    fake = harness.fake
    dm = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
          "ts": "1700000001.000200", "text": "who won the world cup in 2018?"}
    assert (await harness.post(event_body(dm, "EvASK2"), json_body=True))[0] == 200
    def answered():  # a "working on it" message may come first and be updated into it
        return [c for c in fake.named("chat.postMessage", "chat.update")
                if "covered in the course" in texts(c)]

    await fake.wait_for(answered)
    (answer,) = answered()
    assert answer.params["channel"] == "D1" and not answer.params.get("thread_ts")
    body = texts(answer)
    assert "isn't covered in the course" in body and "[1]" not in body
    stats = harness.tutor.store.questions
    from datetime import UTC, datetime

    counted = stats.question_stats("slack", "T1", datetime(2000, 1, 1, tzinfo=UTC),
                                   datetime.now(UTC))
    assert (counted.asked, counted.unanswered) == (1, 1)


async def test_a_mention_naming_a_command_still_runs_it(harness):
    fake = harness.fake
    mention = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1700000002.1",
               "text": "<@UBOT> help"}
    await harness.post(event_body(mention, "EvASK3"), json_body=True)
    await fake.wait_for(lambda: fake.named("chat.postMessage", "chat.postEphemeral"))
    call = fake.named("chat.postMessage", "chat.postEphemeral")[0]
    assert "/tokenize" in texts(call)
