"""The Discord bot end to end on loopback: real discord.py, real gateway and REST wire
formats, a real worker pool and a real database (SQLite and Postgres)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from engine.demos.tokenizers import get_tokenizer
from engine.domain.records import LearnerRef
from engine.services.tutor import Tutor
from testkit.discord_payloads import LEARNER_ID, click, custom_ids, slash
from testkit.fake_discord import APP_ID, CHANNEL_ID, GUILD_ID, MANAGE_GUILD
from tests.bot.discord.conftest import LONG_ACTION

PNG = b"\x89PNG\r\n\x1a\n"
FOLLOW_UP = r"^/webhooks/\d+/[^/]+$"
ORIGINAL = r"^/webhooks/\d+/[^/]+/messages/@original$"
EPHEMERAL = 64
LEARNER = LearnerRef("discord", GUILD_ID, LEARNER_ID)


def callback_of(fake, payload):
    calls = fake.find("POST", rf"^/interactions/{payload['id']}/")
    assert len(calls) == 1, calls
    return calls[0]


def finished(fake):
    """The progress message has been turned into "Done" (the last call of an answer)."""
    return any(c.json["content"].startswith("Done") for c in fake.find("PATCH", ORIGINAL))


def for_token(calls, payload):
    return [c for c in calls if payload["token"] in c.path]


async def test_tokenize_defers_before_the_work_ends_then_follows_up_with_a_png(start_bot, fake):
    async with start_bot() as bot:
        runs_at_defer = []
        original_record = fake._record

        async def record(request):  # note what the database holds when the defer arrives
            call = await original_record(request)
            if call.path.endswith("/callback"):
                runs_at_defer.append(bot.tutor.store.learners.runs(LEARNER))
            return call

        fake._record = record
        payload = slash("tokenize", {"text": "My name is Pawel"})
        await fake.dispatch("INTERACTION_CREATE", payload)
        [follow_up] = await fake.wait_for("POST", FOLLOW_UP)

    defer = callback_of(fake, payload)
    assert defer.json == {"type": 5}  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, public
    assert runs_at_defer == [[]]  # acknowledged before the job ran and was recorded
    assert defer.at < follow_up.at
    assert follow_up.path == f"/webhooks/{APP_ID}/{payload['token']}"
    assert "**5 tokens**" in follow_up.json["content"]
    assert "[5159, 836, 374, 61071, 301]" in follow_up.json["content"]
    assert "-# Reproduce with `/tokenize text:My name is Pawel`" in follow_up.json["content"]
    assert follow_up.json["allowed_mentions"] == {"parse": []}
    [(name, _, data)] = follow_up.files
    assert name == "tokens.png" and data.startswith(PNG)
    assert follow_up.json["attachments"][0]["filename"] == "tokens.png"
    assert "(cl100k_base): 5 tokens" in follow_up.json["attachments"][0]["description"]
    runs = bot.tutor.store.learners.runs(LEARNER)
    assert [r.canonical for r in runs] == ["/tokenize My name is Pawel"]


async def test_train_demo_defers_shows_progress_then_its_buttons_survive_a_restart(
        start_bot, fake):
    options = {"dataset": "spiral", "layers": "8,8", "batch": 1, "epochs": 400, "lr": 0.03,
               "seed": 3, "animate": False, "features": "x1,x2"}  # seconds of training
    async with start_bot(Tutor) as first:  # the real Tutor: the job runs in the worker pool
        payload = slash("train-demo", options)
        await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for("POST", FOLLOW_UP, timeout=90)
        await fake.wait_until(lambda: finished(fake))
        assert first.tutor is not None
    defer = callback_of(fake, payload)
    edits = fake.find("PATCH", ORIGINAL)
    [answer] = fake.find("POST", FOLLOW_UP)
    assert defer.json == {"type": 5} and defer.at < edits[0].at < answer.at
    assert "Training spiral" in edits[0].json["content"] and "%" in edits[0].json["content"]
    canonical = "/train-demo dataset=spiral layers=8,8 batch=1 epochs=400 seed=3"  # stored
    discord_line = "/train-demo dataset:spiral layers:8,8 batch:1 epochs:400 seed:3"  # shown
    assert f"Reproduce with `{discord_line}`" in answer.json["content"]
    assert "test accuracy" in answer.json["content"]
    assert answer.files[0][0] == "train-demo.png" and answer.files[0][2].startswith(PNG)
    rows = answer.json["components"]
    assert rows and all(1 <= len(r["components"]) <= 5 for r in rows)
    message = fake.messages[next(m for m in fake.messages if fake.messages[m]["components"])]
    labels = [c["label"] for row in message["components"] for c in row["components"]]
    pressed_id = custom_ids(message)[0]  # a suggestion, which keeps the seed
    assert labels[0] != "New data (new seed)"

    async with start_bot(Tutor) as second:  # restarted: new client, new pool, same database
        pressed = click(message, pressed_id)
        await fake.dispatch("INTERACTION_CREATE", pressed)
        [again] = for_token(await fake.wait_for("POST", FOLLOW_UP, count=2, timeout=90),
                            pressed)
        await fake.wait_until(lambda: len(fake.find("POST", FOLLOW_UP)) == 2)
        runs = second.tutor.store.learners.runs(LEARNER)
    assert again.files[0][2][:4] in (PNG[:4], b"GIF8")
    stored = pressed_id.startswith("b:")
    action = second.tutor.store.actions.load_action(pressed_id[2:]) if stored else pressed_id
    assert [r.canonical for r in runs] == [canonical, action.removeprefix("run:")]


async def test_typed_options_reach_the_tutor_validated_by_the_table(start_bot, fake):
    options = {"noise": 10, "lr": 0.3, "activation": "relu", "bias": False,
               "layers": "8,4", "dataset": "set27", "features": "x1,sinx2", "seed": 7,
               "note": "hello there"}
    async with start_bot() as bot:
        payload = slash("echo-test", options)
        await fake.dispatch("INTERACTION_CREATE", payload)
        [answer] = await fake.wait_for("POST", FOLLOW_UP)
        defaults = slash("echo-test", {"seed": 1})
        await fake.dispatch("INTERACTION_CREATE", defaults)
        await fake.wait_for("POST", FOLLOW_UP, count=2)
    assert callback_of(fake, payload).json == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert answer.json["content"].startswith(
        "echo /echo-test hello there noise=10 lr=0.3 activation=relu bias=no layers=8,4 "
        "dataset=set27 features=x1,sinx2 seed=7")
    [plain] = for_token(fake.find("POST", FOLLOW_UP), defaults)
    assert plain.json["content"].startswith("echo /echo-test seed=1")
    assert bot.tutor is not None


async def test_bad_values_are_refused_before_deferring_with_the_tables_message(start_bot, fake):
    async with start_bot():
        # Discord enforces ranges and lengths too, but a stale registration must not matter
        cases = [slash("echo-test", {"noise": 99}), slash("echo-test", {"layers": "4,,2"}),
                 slash("tokenize", {"text": "x" * 5000}), slash("echo-test", {"activation": "x"})]
        for payload in cases:
            await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for("POST", r"/callback$", count=len(cases))
    texts = [callback_of(fake, p).json for p in cases]
    assert all(t["type"] == 4 and t["data"]["flags"] == EPHEMERAL for t in texts)
    assert "`noise` must be a whole number from 0 to 50; got '99'" in texts[0]["data"]["content"]
    assert "empty item between commas" in texts[1]["data"]["content"]
    assert "takes at most 4,000" in texts[2]["data"]["content"]
    assert "must be one of relu, tanh, sigmoid, linear" in texts[3]["data"]["content"]
    assert not fake.find("POST", FOLLOW_UP)


async def test_help_with_a_string_option_answers_privately(start_bot, fake):
    async with start_bot():
        payload = slash("help", {"command": "tokenize"})
        await fake.dispatch("INTERACTION_CREATE", payload)
        [answer] = await fake.wait_for("POST", FOLLOW_UP)
    assert callback_of(fake, payload).json["data"]["flags"] == EPHEMERAL
    assert answer.json["flags"] == EPHEMERAL
    assert "Usage: `/tokenize text:TEXT [tokenizers:" in answer.json["content"]


async def test_button_click_after_a_restart_is_handled_from_the_database(start_bot, fake):
    async with start_bot() as first:
        payload = slash("slow-test")
        await fake.dispatch("INTERACTION_CREATE", payload)
        [sent] = await fake.wait_for("POST", FOLLOW_UP)
        await fake.wait_until(lambda: finished(fake))
        assert first.tutor is not None
    message = fake.messages[next(m for m in fake.messages
                                 if fake.messages[m]["components"])]
    [custom_id] = custom_ids(message)
    assert re.fullmatch(r"b:[0-9a-f]{24}", custom_id)  # the long action lives in the db
    assert message["components"][0]["components"][0]["label"] == "Tokenize again"

    async with start_bot() as second:  # a new process: new client, new pool, same database
        pressed = click(message, custom_id)
        await fake.dispatch("INTERACTION_CREATE", pressed)
        [answer] = for_token(await fake.wait_for("POST", FOLLOW_UP, count=2), pressed)
        runs = second.tutor.store.learners.runs(LEARNER)
    assert callback_of(fake, pressed).json == {"type": 5}  # a demo re-run answers in public
    text = LONG_ACTION.removeprefix("run:/tokenize ")
    count = len(get_tokenizer("cl100k_base").encode(text))
    assert f"**{count} tokens**" in answer.json["content"]
    assert answer.files[0][2].startswith(PNG)
    assert [r.canonical for r in runs] == [LONG_ACTION.removeprefix("run:")]
    assert sent.json["components"][0]["components"][0]["style"] == 1  # primary


async def test_a_slash_command_in_a_dm_is_recorded_for_the_dm_learner(start_bot, fake):
    async with start_bot() as bot:
        payload = slash("tokenize", {"text": "typed in a DM"}, guild=False)
        await fake.dispatch("INTERACTION_CREATE", payload)
        [answer] = await fake.wait_for("POST", FOLLOW_UP)
        in_dm = bot.tutor.store.learners.runs(LearnerRef("discord", "dm", LEARNER_ID))
        in_server = bot.tutor.store.learners.runs(LEARNER)
    assert "tokens**" in answer.json["content"]
    assert [r.canonical for r in in_dm] == ["/tokenize typed in a DM"]
    assert in_server == []


async def test_progress_edits_the_original_then_the_answer_follows_up(start_bot, fake):
    async with start_bot():
        payload = slash("slow-test")
        await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_until(lambda: finished(fake))
    edits = for_token(fake.find("PATCH", ORIGINAL), payload)
    [answer] = for_token(fake.find("POST", FOLLOW_UP), payload)
    assert "step 1 of 3" in edits[0].json["content"] and "33%" in edits[0].json["content"]
    assert edits[0].at < answer.at < edits[-1].at
    assert edits[-1].json["content"] == "Done — the answer is below."
    assert len(edits) <= 3  # reports faster than one a second are coalesced
    assert answer.json["content"].startswith("**finished**")
    assert answer.files[0][2].startswith(PNG)


async def test_an_animation_over_the_interactions_file_limit_is_shrunk(start_bot, fake):
    async with start_bot():
        payload = slash("gif-test", size_limit=200_000)  # as Discord states it per interaction
        await fake.dispatch("INTERACTION_CREATE", payload)
        [answer] = await fake.wait_for("POST", FOLLOW_UP)
    [(name, _, data)] = answer.files
    assert name == "training.gif" and data.startswith(b"GIF8") and len(data) <= 200_000
    assert "training.gif was shrunk to fit Discord's" in answer.json["content"]


async def test_a_429_on_the_follow_up_is_retried_and_delivered_once(start_bot, fake):
    fake.fail_next("POST", FOLLOW_UP, 429,
                   {"message": "You are being rate limited.", "retry_after": 0.3,
                    "global": False},
                   headers={"Retry-After": "1", "Via": "1.1 google",
                            "X-RateLimit-Scope": "user"})
    async with start_bot():
        payload = slash("tokenize", {"text": "rate limits"})
        await fake.dispatch("INTERACTION_CREATE", payload)
        [delivered] = await fake.wait_for("POST", FOLLOW_UP)
    attempts = [c for c in fake.calls if c.method == "POST" and re.search(FOLLOW_UP, c.path)]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.3
    assert delivered.files[0][2].startswith(PNG)


async def test_admin_commands_are_refused_server_side_to_non_admins(start_bot, fake):
    async with start_bot():
        learner = slash("admin-test", permissions=0)  # Discord would hide it; we still check
        in_dm = slash("admin-test", guild=False, permissions=MANAGE_GUILD)
        admin = slash("admin-test", permissions=MANAGE_GUILD)
        for payload in (learner, in_dm, admin):
            await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for("POST", FOLLOW_UP, count=3)
    follow_ups = fake.find("POST", FOLLOW_UP)
    [refused] = for_token(follow_ups, learner)
    [refused_dm] = for_token(follow_ups, in_dm)
    [allowed] = for_token(follow_ups, admin)
    assert "for facilitators" in refused.json["content"] and refused.json["flags"] == EPHEMERAL
    assert "for facilitators" in refused_dm.json["content"]
    assert allowed.json["content"] == "quiz scheduled"


async def test_busy_after_a_public_defer_is_answered_privately(start_bot, fake):
    async with start_bot():
        payload = slash("busy-test")
        await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for("DELETE", ORIGINAL)
    assert callback_of(fake, payload).json == {"type": 5}
    [resolve] = for_token(fake.find("PATCH", ORIGINAL), payload)
    [private] = for_token(fake.find("POST", FOLLOW_UP), payload)
    [delete] = for_token(fake.find("DELETE", ORIGINAL), payload)
    assert resolve.at < private.at < delete.at  # resolve the public "thinking", then private
    assert private.json["flags"] == EPHEMERAL and "busy" in private.json["content"]


async def test_a_bug_gets_an_apology_with_an_id_that_is_in_the_log(start_bot, fake, caplog):
    caplog.set_level(logging.ERROR, logger="bot.discord")
    async with start_bot():
        payload = slash("bug-test")
        await fake.dispatch("INTERACTION_CREATE", payload)
        [answer] = await fake.wait_for("POST", FOLLOW_UP)
    ref = re.search(r"error id `([0-9a-f]{8})`", answer.json["content"])[1]
    assert answer.json["flags"] == EPHEMERAL and "Traceback" not in answer.json["content"]
    logged = [r for r in caplog.records if ref in r.getMessage()]
    assert logged and "boom" in str(logged[0].exc_info[1])
    assert f"interaction {payload['id']}" in logged[0].getMessage()


async def test_past_the_15_minute_token_the_answer_goes_to_the_channel(start_bot, fake):
    async with start_bot():
        old = datetime.now(UTC) - timedelta(minutes=16)
        payload = slash("tokenize", {"text": "late answer"}, created=old)
        await fake.dispatch("INTERACTION_CREATE", payload)
        [posted] = await fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    assert not fake.find("POST", FOLLOW_UP)
    assert posted.json["content"].startswith(f"<@{LEARNER_ID}> **")
    assert posted.json["allowed_mentions"]["users"] == [int(LEARNER_ID)]
    assert posted.files[0][2].startswith(PNG)


async def test_past_the_15_minute_token_a_private_answer_goes_by_dm(start_bot, fake):
    async with start_bot():
        old = datetime.now(UTC) - timedelta(minutes=16)
        payload = slash("help", {"command": "tokenize"}, created=old)  # a private answer
        await fake.dispatch("INTERACTION_CREATE", payload)
        [sent] = await fake.wait_for("POST", r"^/channels/\d+/messages$")
    [opened] = fake.find("POST", r"^/users/@me/channels$")
    assert str(opened.json["recipient_id"]) == LEARNER_ID and opened.at < sent.at
    assert sent.path == f"/channels/{fake.dms[LEARNER_ID]}/messages"  # the DM, not the channel
    assert sent.path != f"/channels/{CHANNEL_ID}/messages"
    assert not fake.find("POST", FOLLOW_UP)
    assert sent.json["content"].startswith("**/tokenize**")  # no mention in front
    assert "Usage: `/tokenize text:TEXT" in sent.json["content"]
    assert sent.json["allowed_mentions"] == {"parse": []}


async def test_a_dead_token_on_the_follow_up_falls_back_to_the_channel(start_bot, fake):
    fake.fail_next("POST", FOLLOW_UP, 401, {"message": "Invalid Webhook Token", "code": 50027})
    async with start_bot():
        await fake.dispatch("INTERACTION_CREATE", slash("tokenize", {"text": "token died"}))
        [posted] = await fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    assert "tokens**" in posted.json["content"]
    assert len([c for c in fake.calls if re.search(FOLLOW_UP, c.path)]) == 1  # no retry loop


async def test_autocomplete_suggests_list_values_and_explains_mistakes(start_bot, fake):
    async with start_bot():
        partial = slash("echo-test", {"layers": "4,"})
        partial["type"] = 4
        partial["data"]["options"][0]["focused"] = True
        wrong = slash("echo-test", {"layers": "4,x"})
        wrong["type"] = 4
        wrong["data"]["options"][0]["focused"] = True
        for payload in (partial, wrong):
            await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for("POST", r"/callback$", count=2)
    first = callback_of(fake, partial).json
    assert first["type"] == 8
    assert [c["value"] for c in first["data"]["choices"]] == ["4,2", "4,4", "4,4,4"]
    shown = callback_of(fake, wrong).json["data"]["choices"][0]
    assert shown["value"] == "4,x" and "layers must be" in shown["name"]


def typing(name: str, option: str, value: str) -> dict:
    """An autocomplete interaction (type 4): ``value`` typed so far into ``option``."""
    payload = slash(name, {option: value})
    payload["type"] = 4
    payload["data"]["options"][0]["focused"] = True
    return payload


async def test_autocomplete_finds_time_zones_topics_and_command_names(start_bot, fake):
    async with start_bot():
        asked = [typing("quiz-schedule", "tz", "warsaw"), typing("settings", "timezone", "new_y"),
                 typing("learn", "topic", "atten"), typing("quiz-schedule", "topic", "token"),
                 typing("help", "command", "tok")]
        for payload in asked:
            await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for("POST", r"/callback$", count=len(asked))
    zone, new_york, lesson, topic, command = (
        [c["value"] for c in callback_of(fake, p).json["data"]["choices"]] for p in asked)
    assert zone == ["Europe/Warsaw"]  # one of ~600 IANA zones, found by its city
    assert new_york[0] == "America/New_York"
    assert lesson[0] == "attention"  # the curriculum's concepts
    assert "tokenization" in topic
    assert command == ["tokenize", "next-token"]  # starting with it first
    assert all(callback_of(fake, p).json["type"] == 8 for p in asked)
