"""The live transformer-training job, run in-process with a short budget."""

import re

import pytest

from engine.commands import LINE, Request
from engine.jobs import train_transformer

PNG = b"\x89PNG\r\n\x1a\n"
# A stand-in for the train-demo command (owned elsewhere) with the options this job reads.
def test_live_training_reply_has_curve_samples_progress_and_facts(monkeypatch):
    monkeypatch.setattr(train_transformer, "LIVE_STEPS", 40)  # steps, not seconds: busy CI boxes
    reports = []
    request = Request("train-demo", {"model": "transformer", "seconds": 60, "seed": 2})
    reply = train_transformer.run(request, reports.append)
    facts = reply.facts
    assert reply.images[0].data.startswith(PNG)
    assert LINE.invocation(reply.command) == "/train-demo seed=2 model=transformer seconds=60"
    assert reply.buttons[0].id == "run:/train-demo seed=3 model=transformer seconds=60"
    assert facts["steps"] == 40 and not facts["stopped_by_time"]
    assert facts["final_val_loss"] < facts["first_val_loss"] - 0.3
    samples = facts["samples"]
    assert samples[0]["step"] == 0 and samples[-1]["step"] == facts["steps"]
    assert all(s["text"].startswith("The model ") for s in samples)
    shown = re.search(r"\*\*(\d\.\d\d) → (\d\.\d\d)\*\*", reply.text).groups()
    assert [float(x) for x in shown] == pytest.approx(
        [facts["first_val_loss"], facts["final_val_loss"]], abs=0.006)
    fractions = [r.fraction for r in reports]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] <= 1
    assert sum("it writes" in r.text for r in reports) == len(samples)
    assert "limit" not in reply.text


def test_a_short_budget_stops_training_and_says_so():
    request = Request("train-demo", {"model": "transformer", "seconds": 1, "seed": 2})
    reply = train_transformer.run(request, lambda _: None)
    assert reply.facts["stopped_by_time"] and reply.facts["steps"] < train_transformer.LIVE_STEPS
    assert "1-second limit" in reply.text


def test_budget_is_capped_and_defaults_when_the_command_has_no_seconds():
    assert train_transformer._budget(Request("train-demo", {"seconds": 500})) == 60.0
    assert train_transformer._budget(Request("train-demo", {})) == train_transformer.DEFAULT_SECONDS


def test_real_word_share_counts_complete_words_of_the_corpus():
    assert train_transformer.real_word_share("the model learns qqzx tok") == 0.75
    assert train_transformer.real_word_share("xq") == 0.0
