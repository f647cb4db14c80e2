"""Discord in its own words, end to end through the fake: reproduce lines in Discord's
syntax that the generated app commands read back, help and hints likewise, short reproduce
lines that never split an answer, private practice quizzes with lettered options, the
Playground link button, clicks on components a message no longer has, time-zone
autocomplete and the gateway intents."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.discord.client import MISSING_COMPONENT
from bot.discord.commands import zone_choices
from bot.discord.intents import intents_for
from engine.domain.clock import zone
from engine.domain.records import LearnerRef
from engine.services.tutor import Tutor
from testkit.discord_payloads import LEARNER_ID, click, custom_ids, slash
from testkit.fake_discord import GUILD_ID

FOLLOW_UP = r"^/webhooks/\d+/[^/]+$"
EPHEMERAL = 64
LEARNER = LearnerRef("discord", GUILD_ID, LEARNER_ID)
FOOTER = re.compile(r"-# Reproduce with `([^`]+)`")


def typed(raw: str, kind: discord.AppCommandOptionType) -> Any:
    """A value as Discord's client types it from pasted ``name:value`` text."""
    if kind is discord.AppCommandOptionType.integer:
        return int(raw)
    if kind is discord.AppCommandOptionType.number:
        return float(raw)
    if kind is discord.AppCommandOptionType.boolean:
        assert raw in ("True", "False"), raw
        return raw == "True"
    return raw


def read_line(line: str, command: app_commands.Command) -> dict[str, Any]:
    """A pasted ``/name option:value …`` line -> the typed options of the generated app
    command (each value runs up to the next ``name:`` of one of its parameters)."""
    name, _, rest = line.removeprefix("/").partition(" ")
    assert name == command.name
    params = {p.display_name: p for p in command.parameters}
    starts = list(re.finditer(r"(?:^|(?<= ))(" + "|".join(map(re.escape, params)) + "):", rest))
    assert starts and starts[0].start() == 0 or not rest, rest
    values = {}
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        raw = rest[here.end():after.start() if after else len(rest)].rstrip(" ")
        values[here[1]] = typed(raw, params[here[1]].type)
    return values


async def answer_to(fake, payload, count: int) -> dict[str, Any]:
    await fake.dispatch("INTERACTION_CREATE", payload)
    calls = await fake.wait_for("POST", FOLLOW_UP, count=count, timeout=90)
    [answer] = [c for c in calls if payload["token"] in c.path]
    return answer


@pytest.mark.parametrize(("name", "options"), [
    ("next-token", {"text": "The cat sat on the", "temperature": 1.2}),  # seed drawn
    ("tokenize", {"text": "naïve café 🙂", "tokenizers": "utf8-bytes,cl100k_base"}),
    ("train-demo", {"dataset": "xor", "layers": "0", "features": "x1x2", "epochs": 5,
                    "show_test": True, "seed": 8}),
])
async def test_a_reproduce_line_pasted_into_discord_runs_the_same_request(
        start_bot, fake, name, options):
    async with start_bot(Tutor) as bot:
        first = await answer_to(fake, slash(name, options), 1)
        [line] = FOOTER.findall(first.json["content"])
        assert "=" not in line.split(" ", 1)[1].split(":", 1)[0]  # Discord's name:value
        again = read_line(line, bot.tree.get_command(name))
        second = await answer_to(fake, slash(name, again), 2)
        runs = bot.tutor.store.learners.runs(LEARNER)
    assert len(runs) == 2 and runs[0].canonical == runs[1].canonical
    assert runs[0].options == runs[1].options and runs[0].seed == runs[1].seed
    assert FOOTER.findall(second.json["content"]) == [line]


async def test_a_long_reproduce_line_is_shortened_and_the_answer_stays_one_message(
        start_bot, fake):
    text = " ".join(f"word{i}" for i in range(700))  # about 5 000 characters
    async with start_bot(Tutor) as bot:
        answer = await answer_to(fake, slash("tokenize", {"text": text[:4000]}), 1)
        await fake.wait_until(lambda: True)
        follow_ups = fake.find("POST", FOLLOW_UP)
        assert bot.tutor is not None
    assert len(follow_ups) == 1 and len(answer.json["content"]) <= 2000
    [line] = FOOTER.findall(answer.json["content"])
    assert line.startswith("/tokenize text:word0 word1") and "…" in line and len(line) < 300
    assert answer.files and answer.files[0][0] == "tokens.png"  # with its own text


async def test_help_hints_and_settings_are_written_in_discords_syntax(start_bot, fake):
    async with start_bot() as bot:
        helped = await answer_to(fake, slash("help", {"command": "settings"}), 1)
        listing = await answer_to(fake, slash("help"), 2)
        settings = await answer_to(fake, slash("settings"), 3)
        assert bot.tutor is not None
    assert "Usage: `/settings [timezone:…] [reminders:…]" in helped.json["content"]
    assert "`/settings timezone:Europe/Warsaw reminders:True reminder_time:08:30`" in (
        helped.json["content"])
    assert "e.g. `/help command:tokenize`" in listing.json["content"]
    assert "`/settings timezone:Europe/Warsaw`" in settings.json["content"]
    assert "`/settings leaderboard:False`" in settings.json["content"]
    for answer in (helped, listing, settings):
        assert not re.search(r"`/[a-z-]+ [^`]*\b[a-z_]+=", answer.json["content"])


async def test_facilitator_refusals_say_server_words(start_bot, fake):
    async with start_bot() as bot:
        refused = await answer_to(fake, slash("cohort"), 1)
        assert bot.tutor is not None
    content = refused.json["content"]
    assert "is for facilitators only" in content and "Manage Server" in content
    assert "workspace" not in content


async def test_a_practice_quiz_is_private_with_lettered_options_and_letter_buttons(
        start_bot, fake):
    async with start_bot(Tutor) as bot:
        payload = slash("quiz", {"topic": "tokenization"})
        quiz = await answer_to(fake, payload, 1)
        assert bot.tutor is not None
    assert quiz.json["flags"] & EPHEMERAL
    labels = [c["label"] for row in quiz.json["components"] for c in row["components"]]
    if labels[:2] != ["True", "False"]:
        assert labels == list("ABCDE"[:len(labels)])
        for letter in labels:
            assert f"\n{letter}. " in quiz.json["content"]


async def test_train_demo_carries_a_playground_link_button(start_bot, fake):
    async with start_bot(Tutor) as bot:
        answer = await answer_to(fake, slash("train-demo", {"epochs": 5, "seed": 4}), 1)
        assert bot.tutor is not None
    links = [c for row in answer.json["components"] for c in row["components"]
             if c.get("style") == 5]
    assert [link["label"] for link in links] == ["Open in TensorFlow Playground"]
    assert links[0]["url"].startswith("https://playground.tensorflow.org/#activation=tanh&")
    assert "seed=4" in links[0]["url"] and "custom_id" not in links[0]


async def test_a_click_on_a_component_missing_from_its_message_is_logged_and_answered(
        start_bot, fake, caplog):
    async with start_bot() as bot:
        payload = slash("slow-test")
        await answer_to(fake, payload, 1)
        message = fake.messages[next(m for m in fake.messages
                                     if fake.messages[m]["components"])]
        assert custom_ids(message)
        with caplog.at_level(logging.WARNING, logger="bot.discord.client"):
            stale = click(message, "quiz:999:1")  # not a button of this message
            await fake.dispatch("INTERACTION_CREATE", stale)
            await fake.wait_until(lambda: any(
                MISSING_COMPONENT in ((c.json or {}).get("content") or (
                    (c.json or {}).get("data") or {}).get("content") or "")
                for c in fake.calls if stale["token"] in c.path or stale["id"] in c.path))
        assert bot.tutor is not None
    assert any("quiz:999:1" in r.getMessage() and "not on message" in r.getMessage()
               for r in caplog.records)


@pytest.mark.parametrize(("typed_text", "first"), [
    ("New York", "America/New_York"), ("new york", "America/New_York"),
    ("los angeles", "America/Los_Angeles"), ("LOS_ANGELES", "America/Los_Angeles"),
    ("utc", "UTC"), ("europe/wars", "Europe/Warsaw"), ("warsaw", "Europe/Warsaw"),
])
def test_time_zone_autocomplete_offers_valid_distinct_zones(typed_text, first):
    offered = zone_choices(typed_text)
    assert offered[0] == first
    assert len(offered) == len(set(offered)) <= 25
    assert all(zone(z).key == z for z in offered)  # every choice is a valid IANA name
    if "/" not in typed_text:  # a city typed in full is a valid value too
        assert zone(typed_text).key == first


def test_the_intents_are_the_fewest_the_enabled_features_need():
    assert intents_for() == discord.Intents(guilds=True)
    with_messages = intents_for(messages=True)
    assert with_messages == discord.Intents(guilds=True, guild_messages=True, dm_messages=True)
    assert not with_messages.message_content  # privileged, never needed
