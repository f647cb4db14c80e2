"""Questions on Discord: a message that mentions the bot, or a DM, arrives as a real
MESSAGE_CREATE gateway frame; the answer is a reply to it on the fake REST API."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.learning.curriculum import default_curriculum
from engine.services.ask import PoolRetriever
from testkit.fake_discord import BOT_USER, CHANNEL_ID, GUILD_ID, snowflake, user
from tests.bot.discord.conftest import StageTutor

SOURCE = "[1] Batches and epochs — /learn batches-epochs"
ANA = user("1400000000000000004", "ana")


class LexicalTutor(StageTutor):
    """The real Tutor; retrieval is BM25 alone here (the MiniLM side is covered by
    tests/engine and the bench: embedding the course per adapter test costs a minute)."""

    def __init__(self, *args, **kwargs) -> None:
        curriculum = default_curriculum()

        async def course():
            return curriculum

        super().__init__(*args, **kwargs, retriever=PoolRetriever(None, course))


def message(content: str, *, guild: bool = True, mentions=(BOT_USER,),
            channel: str = CHANNEL_ID, author=ANA) -> dict:
    data = {"id": snowflake(), "channel_id": channel, "author": author, "content": content,
            "timestamp": datetime.now(UTC).isoformat(), "edited_timestamp": None,
            "tts": False, "mention_everyone": False, "mentions": list(mentions),
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "type": 0,
            "flags": 0}
    if guild:
        data["guild_id"] = GUILD_ID
        data["member"] = {"roles": [], "joined_at": datetime.now(UTC).isoformat(),
                          "deaf": False, "mute": False, "flags": 0}
    return data


def replies(fake, channel: str = CHANNEL_ID):
    return [c for c in fake.find("POST", rf"^/channels/{channel}/messages$")]


async def test_a_mention_is_answered_in_a_reply_with_sources_and_buttons(fake, start_bot):
    async with start_bot(LexicalTutor):
        asked = message(f"<@{BOT_USER['id']}> what is an epoch?")
        await fake.dispatch("MESSAGE_CREATE", asked)
        await fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    (answer,) = replies(fake)
    intents = fake.identify["intents"]  # MESSAGE_CREATE needs these two, nothing privileged
    assert intents & (1 << 9) and intents & (1 << 12) and not intents & (1 << 15)
    assert str(answer.json["message_reference"]["message_id"]) == asked["id"]
    assert SOURCE in answer.json["content"] and "See it:" in answer.json["content"]
    buttons = [c for row in answer.json.get("components", []) for c in row["components"]]
    assert buttons and all("quiz:" in b["custom_id"] for b in buttons)
    assert answer.json["allowed_mentions"]["parse"] == []


async def test_a_dm_is_a_question_and_other_messages_are_ignored(fake, start_bot):
    dm_channel = snowflake()
    async with start_bot(LexicalTutor) as bot:
        # not for the bot: no mention in a server, or the bot's own message
        await fake.dispatch("MESSAGE_CREATE", message("what is an epoch?", mentions=()))
        await fake.dispatch("MESSAGE_CREATE", message(f"<@{BOT_USER['id']}> hi",
                                                      author=BOT_USER))
        await fake.dispatch("MESSAGE_CREATE", message("who won the world cup in 2018?",
                                                      guild=False, mentions=(),
                                                      channel=dm_channel))
        await fake.wait_for("POST", rf"^/channels/{dm_channel}/messages$")
        store = bot.tutor.store.questions
    (answer,) = replies(fake, dm_channel)
    assert "isn't covered in the course" in answer.json["content"]
    assert "[1]" not in answer.json["content"]
    assert replies(fake) == []  # nothing answered in the server channel
    counted = store.question_stats("discord", "dm", datetime(2000, 1, 1, tzinfo=UTC),
                                   datetime.now(UTC))
    assert (counted.asked, counted.unanswered) == (1, 1)


async def test_an_empty_mention_gets_help_and_emoji_get_a_clear_answer(fake, start_bot):
    async with start_bot(LexicalTutor):
        await fake.dispatch("MESSAGE_CREATE", message(f"<@{BOT_USER['id']}> 🙂🤖"))
        await fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    (answer,) = replies(fake)
    assert "only emoji or symbols" in answer.json["content"]


async def test_an_llm_answer_streams_into_the_reply_which_becomes_the_answer(fake, start_bot):
    from engine.llm.openai_chat import OpenAIAnswerer
    from testkit.fake_openai import FakeOpenAI

    async with FakeOpenAI() as llm:
        answerer = OpenAIAnswerer(llm.base_url, "fake-model", timeout=5.0)

        class StreamingTutor(LexicalTutor):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs, answerer=answerer)

        async with start_bot(StreamingTutor):
            await fake.dispatch("MESSAGE_CREATE", message(f"<@{BOT_USER['id']}> what is an "
                                                          "epoch?"))
            await fake.wait_for("PATCH", rf"^/channels/{CHANNEL_ID}/messages/\d+$")
        await answerer.close()
    (live,) = replies(fake)
    assert live.json["content"].startswith("⏳ ")  # the first words, shown at once
    edits = fake.find("PATCH", rf"^/channels/{CHANNEL_ID}/messages/\d+$")
    final = edits[-1].json["content"]
    assert "one full pass over the training data [1]" in final and "[9]" not in final
    assert SOURCE in final
    sent = str(llm.requests[0].body)
    assert len(llm.requests) == 1 and ANA["id"] not in sent and GUILD_ID not in sent
