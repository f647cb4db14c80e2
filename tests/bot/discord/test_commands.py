"""Meta-test: every command in the table is registered on Discord with the right option types,
ranges and choices — read from what `sync` actually sends to (a fake) Discord."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.discord.client import sync_commands
from bot.discord.commands import app_command, example_values, suggest
from engine import commands
from engine.commands import Command
from engine.commands.options import (
    BoolOption,
    ChoiceListOption,
    ChoiceOption,
    FloatOption,
    IntListOption,
    IntOption,
    TextArg,
)
from engine.domain.errors import BadOption
from testkit.fake_discord import APP_ID, GUILD_ID
from tests.bot.discord.conftest import EXTRA, discord_settings

ROOT = Path(__file__).resolve().parents[3]
STRING, INTEGER, BOOLEAN, NUMBER = 3, 4, 5, 10
TYPE_OF = {IntOption: INTEGER, FloatOption: NUMBER, BoolOption: BOOLEAN}  # others: STRING


def expected_text(arg: TextArg) -> dict:
    shape = {"type": STRING, "name": arg.name, "required": arg.required}
    if arg.choices:  # the words it may be, as fixed choices
        return shape | {"choices": [{"name": c, "value": c} for c in arg.choices]}
    shape |= {"max_length": min(arg.max_len, 6000)}
    return shape | ({"min_length": 1} if arg.required else {})


def plain(help_text: str) -> str:
    """A table help text as Discord shows descriptions: plain text (no backticks), one line,
    at most 100 characters."""
    text = " ".join(help_text.replace("`", "").split())
    return text if len(text) <= 100 else text[:99].rstrip() + "…"


def check_option(sent: dict, option) -> None:
    assert sent["type"] == TYPE_OF.get(type(option), STRING), option
    assert sent["required"] is False
    assert sent["description"] == plain(option.help)
    if isinstance(option, IntOption | FloatOption):
        assert (sent["min_value"], sent["max_value"]) == (option.min, option.max)
    fixed = isinstance(option, ChoiceOption) and len(option.choices) <= 25
    if fixed:
        assert [c["value"] for c in sent["choices"]] == list(option.choices)
    else:
        assert "choices" not in sent
    typed = isinstance(option, IntOption | FloatOption | BoolOption)
    assert sent.get("autocomplete", False) is not (typed or fixed)  # lists, long enumerations
    # and option types the table gains later are strings Discord completes as you type


def check_command(sent: dict, command: Command) -> None:
    assert sent["description"] == plain(command.help) and sent["type"] == 1
    assert len(sent["options"]) <= 25
    by_name = {o["name"]: o for o in sent["options"]}
    expected = ([command.text.name] if command.text else []) + list(command.option_names)
    assert sorted(by_name) == sorted(expected)
    required = [o["name"] for o in sent["options"] if o["required"]]
    assert required == [o["name"] for o in sent["options"]][: len(required)]  # required first
    if command.text:
        text = by_name[command.text.name]
        assert {k: text[k] for k in expected_text(command.text)} == expected_text(command.text)
        assert ("min_length" in text) is (command.text.required and not command.text.choices)
        # topics and command names are suggested as the learner types
        assert text.get("autocomplete", False) is (command.text.source is not None)
    for option in command.options:
        check_option(by_name[option.name], option)
    if command.admin:
        assert sent["default_member_permissions"] == 1 << 5  # Manage Server
        assert sent["contexts"] == [0] and sent["dm_permission"] is False
    else:
        assert sent["default_member_permissions"] is None


async def test_every_command_of_the_table_is_registered_with_its_shape(fake, table):
    synced = await sync_commands(discord_settings(fake), int(GUILD_ID),
                                  commands=table.values())
    [put] = fake.find("PUT", rf"^/applications/{APP_ID}/guilds/{GUILD_ID}/commands$")
    registered = {c["name"]: c for c in put.json}
    assert set(registered) == set(table) == {c.name for c in synced}
    assert {c.name for c in EXTRA} <= set(registered)  # every option type is covered
    for name, command in table.items():
        check_command(registered[name], command)


async def test_cli_sync_registers_the_real_table_globally(fake):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env.update(fake.env(), TUTORBOT_LOG_LEVEL="WARNING")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "discord", "sync", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    [put] = fake.find("PUT", rf"^/applications/{APP_ID}/commands$")
    assert [c["name"] for c in put.json] == list(commands.COMMANDS)
    for sent in put.json:
        check_command(sent, commands.COMMANDS[sent["name"]])
    assert f"registered {len(commands.COMMANDS)} commands" in out.decode()


async def test_cli_without_a_token_says_what_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "discord", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "DISCORD_TOKEN: Field required" in err.decode() and "Traceback" not in err.decode()


async def test_keyword_option_names_work_and_values_go_through_build(monkeypatch):
    odd = Command("odd-test", "Options named like Python keywords",
                  options=(FloatOption("lambda", "weight decay", 0.0, min=0.0, max=1.0),
                           BoolOption("class", "class weights", False)))
    got = []

    async def handler(interaction, command, request):
        got.append(request)

    generated = app_command(odd, handler)
    assert [p.display_name for p in generated.parameters] == ["lambda", "class"]
    await generated.callback(None, lambda_=0.5, class_=True)
    assert dict(got[0].options) == {"lambda": 0.5, "class": True}
    with pytest.raises(BadOption, match="from 0 to 1; got '2.0'"):
        await generated.callback(None, lambda_=2.0, class_=None)


def test_a_text_and_an_option_with_one_name_are_refused():
    clash = Command("clash-test", "Text and option share a name",
                    options=(IntOption("text", "n", 0),), text=TextArg("text", "t"))
    with pytest.raises(ValueError, match="share a name"):
        app_command(clash, None)


def test_suggestions_complete_lists_and_long_enumerations():
    features = ChoiceListOption("features", "f", ("x1",), choices=("x1", "x2", "x1sq", "sinx1"))
    assert [v for _, v in suggest(features, "x1,x")] == ["x1,x2", "x1,x1sq"]  # x1 is used
    assert [v for _, v in suggest(features, "x2,si")] == ["x2,sinx1"]
    many = ChoiceOption("dataset", "d", "set00", choices=tuple(f"set{i:02d}" for i in range(30)))
    assert [v for _, v in suggest(many, "set2")] == [f"set2{i}" for i in range(10)]
    assert [v for _, v in suggest(many, "9")] == ["set09", "set19", "set29"]  # contains
    assert len(suggest(many, "")) == 25  # Discord shows at most 25
    layers = IntListOption("layers", "l", (4, 2), max_items=6, item_min=1, item_max=8)
    label, value = suggest(layers, "4,9")[0]
    assert value == "4,9" and "9 is out of range" in label
    assert suggest(layers, "4,2,1")[0] == ("4,2,1", "4,2,1")


def test_autocomplete_offers_the_values_the_commands_examples_use(monkeypatch):
    layers = IntListOption("layers", "l", (4, 2), max_items=6, item_min=1, item_max=8)
    example = Command("example-test", "Examples feed autocomplete", options=(layers,),
                      examples=("/example-test layers=8,8", "/example-test", "/broken x=1"))
    found = example_values(example)
    assert found == {"layers": ("8,8",)}
    assert [v for _, v in suggest(layers, "8", found["layers"])][:2] == ["8", "8,8"]
