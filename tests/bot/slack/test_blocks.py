"""Reply markdown -> Slack mrkdwn and Block Kit, within Slack's limits."""

import json

from bot.slack.blocks import (
    ACTIONS_ELEMENTS_MAX,
    BLOCKS_MAX,
    SECTION_TEXT_MAX,
    actions,
    message_blocks,
    mrkdwn,
    progress_text,
    unescape,
)
from engine.domain.replies import Button, Progress


def test_bold_bullets_and_escaping_but_code_is_left_alone():
    text = "**5 tokens** for _you_ & <me>\n- one\n  - two\n`**raw**`\n```\n**x**\n- y\n```"
    assert mrkdwn(text) == ("*5 tokens* for _you_ &amp; &lt;me&gt;\n• one\n  • two\n"
                            "`**raw**`\n```\n**x**\n- y\n```")
    assert unescape("a &lt;b&gt; &amp;amp;") == "a <b> &amp;"


def test_long_text_becomes_sections_within_slacks_limit():
    code = "\n".join(f"row {i:04d} " + "x" * 40 for i in range(200))
    blocks = message_blocks("intro\n```\n" + code + "\n```\nthe end")
    texts = [b["text"]["text"] for b in blocks]
    assert len(texts) > 2 and all(len(t) <= SECTION_TEXT_MAX for t in texts)
    assert all(t.count("```") % 2 == 0 for t in texts)  # each section's fences are balanced
    assert message_blocks(" \n ") == []  # no empty sections (Slack refuses them)


def test_progress_line_names_the_command_and_shows_a_bar():
    line = progress_text(Progress("epoch **40**/100", 0.4), "/train-demo")
    assert line == ":hourglass_flowing_sand: `/train-demo` — epoch *40*/100  ▰▰▰▰▱▱▱▱▱▱ 40%"
    assert progress_text(Progress("loading <data>"), "/x").endswith("— loading &lt;data&gt;")


def test_buttons_carry_the_engine_id_and_respect_limits():
    buttons = [Button(f"run:/tokenize {i}", f"Try {i}", "primary" if i == 0 else "default")
               for i in range(30)] + [Button("run:/tokenize 0", "duplicate")]
    blocks = actions(buttons)
    assert [len(b["elements"]) for b in blocks] == [ACTIONS_ELEMENTS_MAX, 5]
    first = blocks[0]["elements"][0]
    assert first["action_id"] == first["value"] == "run:/tokenize 0"
    assert first["style"] == "primary" and "style" not in blocks[0]["elements"][1]
    ids = [e["action_id"] for b in blocks for e in b["elements"]]
    assert len(ids) == len(set(ids)) == 30


def test_message_never_exceeds_fifty_blocks():
    huge = "\n".join("z" * 2000 for _ in range(100))
    blocks = message_blocks(huge, [Button("quiz:1:2", "B")], footer="<@U1>")
    assert len(blocks) == BLOCKS_MAX
    assert blocks[-1]["type"] == "context" and blocks[-2]["type"] == "actions"
    assert "did not fit" in json.dumps(blocks[-3])
