"""The fair line's arithmetic and words, and the cache's addresses."""

import math

import pytest

from engine.commands import Request
from engine.commands.parsing import TABLE
from engine.workers.admission import (
    Durations,
    about,
    already_running_text,
    expected_wait,
    ordinal,
    place_text,
    refusal_text,
)
from engine.workers.cache import LocalCache, cache_key, command_of

parse = TABLE.parse


def test_ordinals_and_places_read_naturally():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]
    assert place_text(3, 4.2) == "3rd in line, about 4 s"
    assert place_text(1, 0.3) == "1st in line, about 1 s"
    assert about(150) == "about 2 min"


def test_expected_wait_is_the_work_ahead_over_the_live_workers():
    durations = Durations({"/train-demo": 4.0})
    for _ in range(3):
        durations.add("/tokenize", 0.2)
    assert expected_wait([], ["/tokenize"], 2, durations) == 0.0  # a worker is free
    # two running (half done on average) and three waiting, over two workers
    wait = expected_wait(["/train-demo", "/train-demo", "/tokenize"],
                         ["/train-demo", "/tokenize"], 2, durations)
    assert wait == pytest.approx((4 + 4 + 0.2 + 2 + 0.1) / 2)
    assert expected_wait(["/tokenize"], [], 0, durations) == math.inf


def test_durations_are_the_recent_median_per_command():
    durations = Durations(samples=5)
    assert durations.median("/x") == 1.0  # before any run: the default
    for seconds in (9, 1, 2, 3, 100, 2, 2):  # the 5 most recent: 2, 3, 100, 2, 2
        durations.add("/x", seconds)
    assert durations.median("/x") == 2
    durations.add("/x", float("nan"))
    assert durations.median("/x") == 2


def test_refusals_say_what_happened_and_what_to_do():
    text = refusal_text(74.2, 60)
    assert "about 75 s" in text and "under 60 s" in text and "did not start" in text
    assert "about 3 s" in refusal_text(2.25, 2) and "under 2 s" in refusal_text(2.25, 2)
    assert "about 3 min" in refusal_text(170, 60)
    assert "No demo workers are running" in refusal_text(math.inf, 60)
    busy = already_running_text("/train-demo dataset=xor seed=3", "/tokenize hi")
    assert "`/train-demo dataset=xor seed=3` is still running" in busy
    assert "did not start `/tokenize hi`" in busy
    long = already_running_text("/tokenize " + "word " * 500, "/tokenize hi")
    assert "`/tokenize word word" in long and "…` is still running" in long and len(long) < 200


def test_cache_keys_cover_the_canonical_command_seed_and_version():
    a = parse("/train-demo dataset=xor seed=1")
    assert cache_key("train_demo", (a,), "v1") == cache_key(
        "train_demo", (parse("/train-demo   dataset=xor seed=1"),), "v1")
    assert cache_key("train_demo", (a,), "v1") != cache_key(
        "train_demo", (parse("/train-demo dataset=xor seed=2"),), "v1")
    assert cache_key("train_demo", (a,), "v1") != cache_key("train_demo", (a,), "v2")
    assert cache_key("progress", ({"learner": 1},)) is None  # a learner's own record
    assert cache_key("train_demo", (a,)) is not None  # the code version by default
    assert command_of("train_demo", (a,)) == "/train-demo dataset=xor seed=1"
    assert command_of("progress", ({"learner": 1},)) == "/progress"
    assert isinstance(a, Request)


def test_the_local_cache_is_an_lru_bounded_in_bytes():
    cache = LocalCache(max_bytes=100, entry_max=60)
    cache.put("a", b"x" * 40)
    cache.put("b", b"y" * 40)
    assert cache.get("a") == b"x" * 40  # a is now the most recent
    cache.put("c", b"z" * 40)  # over 100 bytes: b, the least recent, goes
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    assert cache.size == 80 and len(cache) == 2
    cache.put("big", b"!" * 61)  # bigger than an entry may be: not kept
    assert cache.get("big") is None and len(cache) == 2
