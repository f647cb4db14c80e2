"""Buttons in DMs that act for a server: the ``in:<server id>:`` prefix."""

from __future__ import annotations

from bot.discord.scope import scoped, split_scope
from engine.domain.replies import Button, Reply

SERVER = "1200000000000000002"


def test_split_scope_reads_the_server_and_leaves_other_actions_alone():
    assert split_scope(f"in:{SERVER}:run:/review") == (SERVER, "run:/review")
    assert split_scope(f"in:{SERVER}:quiz:12:2") == (SERVER, "quiz:12:2")
    assert split_scope("run:/review") == (None, "run:/review")
    assert split_scope("in:general:run:/review") == (None, "in:general:run:/review")
    assert split_scope(f"in:{SERVER}:") == (None, f"in:{SERVER}:")


async def test_scoped_prefixes_every_button_and_stores_what_would_be_too_long():
    stored: dict[str, str] = {}

    def save(action: str) -> str:
        stored[f"k{len(stored)}"] = action
        return f"k{len(stored) - 1}"

    long_action = "run:/tokenize " + "x" * 80  # 94 characters: fits alone, not prefixed
    reply = Reply("due", buttons=(Button("run:/review", "Review now", "primary"),
                                  Button(long_action, "Demo")))
    result = await scoped(reply, SERVER, save)
    assert [b.id for b in result.buttons] == [f"in:{SERVER}:run:/review", f"in:{SERVER}:b:k0"]
    assert stored == {"k0": long_action}
    assert [(b.label, b.style) for b in result.buttons] == [("Review now", "primary"),
                                                            ("Demo", "default")]
    assert all(len(b.id) <= 100 for b in result.buttons)
    assert split_scope(result.buttons[0].id) == (SERVER, "run:/review")
