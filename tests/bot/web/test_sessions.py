"""What the web chat keeps in memory stays bounded, and names are checked."""

import asyncio

import pytest

from bot.web.page import json_in_html
from bot.web.sessions import Pictures, RateLimit, Sessions, local_learner, named_learner
from engine.domain.errors import BadInput
from engine.domain.replies import Image


def test_sessions_beyond_the_limit_forget_the_oldest_without_an_open_page():
    sessions = Sessions(limit=3, history=10)
    watched = sessions.new(local_learner(), True)
    watched.listen()  # an open page: never forgotten
    made = [sessions.new(local_learner(), True) for _ in range(5)]
    kept = list(sessions)
    assert len(kept) == 3 and watched in kept and made[-1] in kept and made[0] not in kept
    assert sessions.get(made[0].id) is None and sessions.get("made-up") is None


def test_a_transcript_keeps_its_newest_entries_and_request_ids():
    session = Sessions(limit=5, history=10).new(local_learner(), True)
    for n in range(25):
        session.add("you", text=str(n))
        session.remember(f"r{n}", n)
    assert [e.text for e in session.entries.values()] == [str(n) for n in range(15, 25)]
    assert len(session.requests) == 10 and session.remember("r24", 99) == 24


async def test_a_page_too_far_behind_is_told_to_reconnect():
    session = Sessions(limit=5, history=1000).new(local_learner(), True)
    queue = session.listen()
    for _ in range(queue.maxsize + 1):
        session.add("you", text="x")
    assert queue not in session.listeners
    items = [queue.get_nowait() for _ in range(queue.qsize())]
    assert items[-1] is None  # the stream ends; the page reconnects and gets everything
    await asyncio.sleep(0)


def test_pictures_are_bounded_in_bytes_and_scoped_to_their_learner():
    pictures = Pictures(max_bytes=250)
    me, other = named_learner("Ada"), named_learner("Bob")
    tokens = [pictures.add(me, Image(f"{n}.png", bytes(100), "alt")) for n in range(3)]
    assert pictures.get(me, tokens[0]) is None  # the oldest went: 300 bytes > 250
    assert pictures.get(me, tokens[2]).name == "2.png"
    assert pictures.get(other, tokens[2]) is None


def test_the_rate_limit_refills_over_time():
    now = [0.0]
    limit = RateLimit(per_minute=60, burst=2, clock=lambda: now[0])
    assert [limit.take("a"), limit.take("a")] == [0.0, 0.0]
    assert limit.take("a") == pytest.approx(1.0)
    assert limit.take("b") == 0.0  # per learner
    now[0] += 1.0
    assert limit.take("a") == 0.0


def test_names():
    assert named_learner("  Zoë   O'Neil ").user_id == "zoë-o'neil"
    assert named_learner("Zoë O'Neil").display_name == "Zoë O'Neil"
    assert named_learner("Ada\n\tLovelace").display_name == "Ada Lovelace"  # spaces normalised
    for bad in ("", "   ", "x" * 41, "<b>", "Robert'); DROP", "a\x00b"):
        with pytest.raises(BadInput, match="letters, digits"):
            named_learner(bad)


def test_json_inside_the_page_cannot_end_its_block():
    text = json_in_html({"t": "</script><script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
