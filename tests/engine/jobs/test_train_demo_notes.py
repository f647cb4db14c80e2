"""The "what to notice" hint follows from the settings and the result."""

from __future__ import annotations

import pytest

from engine.demos.mlp import MLPConfig
from engine.demos.training import train
from engine.jobs import train_demo_notes as notes

CASES = [
    (dict(layers=(), features=("x1", "x2", "x1sq", "x2sq"), seed=1), "did the bending",
     {"features": ("x1", "x2")}),
    (dict(layers=(), features=("x1", "x2", "x1sq", "x2sq"), seed=0), "started saturated",
     {"seed": None}),
    (dict(dataset="xor", activation="linear", seed=1), "a chain of linear maps",
     {"activation": "tanh"}),
    (dict(dataset="spiral", seed=4), "Spirals need many bends",
     {"features": notes.SINES, "layers": (8, 8)}),
    (dict(lr=0.0001, seed=1), "each step is tiny", {"lr": 0.03}),
    (dict(dataset="xor", noise=50, train_share=10, layers=(8, 8, 8), epochs=300, seed=1),
     "overfitting", {"train_share": 80}),
    (dict(dataset="gauss", seed=1), "one straight line", {"layers": ()}),
    (dict(dataset="reg-gauss", seed=1), "Regression", {"dataset": "reg-plane"}),
    (dict(regularization="l2", reg_rate=10, lr=1, seed=1), "flips the weight's sign",
     {"reg_rate": 1.0}),
    (dict(seed=3), "Each hidden neuron draws one simple boundary", {"layers": ()}),
]


@pytest.mark.parametrize(("options", "phrase", "first_change"), CASES,
                         ids=[c[1][:24] for c in CASES])
def test_hint_and_first_suggestion(options, phrase, first_change):
    config = MLPConfig(**options)
    notice = notes.notice(config, train(config))
    assert phrase in notice.text
    assert dict(notice.suggestions[0].changes) == first_change


def test_l1_counts_the_links_it_cut():
    config = MLPConfig(regularization="l1", reg_rate=0.03, lr=0.1, layers=(8, 8), seed=3)
    result = train(config)
    cut = notes.dead_links(result)
    assert cut > 0 and f"L1 cut {cut} of 88 links" in notes.notice(config, result).text
    assert sum(int((w == 0).sum()) for w in result.network.weights) >= cut
