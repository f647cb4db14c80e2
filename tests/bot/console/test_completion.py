"""Tab completion in the console comes from the command table (and the Tutor's sources)."""

from bot.console.completion import candidates, sources
from engine.commands import COMMANDS

KNOWN = {"topics": ("tokenization", "embeddings", "attention", "transformers"),
         "commands": tuple(COMMANDS)}


def test_command_names_complete_with_or_without_the_slash():
    assert candidates("/tok") == ["/tokenize"]
    assert candidates("tok") == ["/tokenize"]
    assert set(candidates("/")) == {f"/{name}" for name in COMMANDS}
    assert candidates("/nothing-like-it") == []


def test_option_names_then_their_values():
    assert "activation=" in candidates("/train-demo act")
    assert candidates("/train-demo activation=t") == ["activation=tanh"]
    assert candidates("/train-demo dataset=sp") == ["dataset=spiral"]
    assert candidates("/train-demo no-such-option=1") == []


def test_time_zones_complete_by_region_or_by_city():
    assert "tz=Europe/Warsaw" in candidates("/quiz-schedule set tz=Europe/War")
    assert candidates("/settings timezone=new_y") == ["timezone=America/New_York"]  # one city
    assert "tz=Europe/Warsaw" in candidates("/quiz-schedule set tz=europe/war")  # any case
    assert candidates("/quiz-schedule set tz=par") == []  # Paris, Paramaribo: would erase


def test_free_text_from_a_named_source_or_fixed_choices():
    assert candidates("/learn att", KNOWN) == ["attention"]
    assert candidates("/help tok", KNOWN) == ["tokenize"]
    assert candidates("/quiz-schedule pa") == ["pause"]
    assert candidates("/quiz-schedule set topic=emb", KNOWN) == ["topic=embeddings"]
    assert candidates("/tokenize hel", KNOWN) == []  # free text: nothing to suggest


def test_every_source_the_table_names_is_one_the_tutor_knows():
    assert sources() == {"topics", "commands"}
