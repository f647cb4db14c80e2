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


def test_an_overfit_spiral_gets_the_overfitting_hint_not_more_depth():
    """The overfitting rule comes before the spiral rule: a noisy spiral that fits its 50
    training points far better than its test points needs data or a penalty, not depth and
    epochs. (0.56-0.64 test accuracy on every BLAS kernel tried: far from the 0.85 edge.)"""
    config = MLPConfig(dataset="spiral", noise=50, train_share=10, layers=(8, 8, 8, 8),
                       activation="relu", lr=0.1, epochs=1000, seed=1)
    result = train(config)
    assert result.test_accuracy < 0.85  # the spiral rule would have matched too
    assert notes.overfits(config, result)
    notice = notes.notice(config, result)
    assert "overfitting" in notice.text and "more depth and epochs would not" in notice.text
    assert "Spirals need many bends" not in notice.text
    assert [s.label for s in notice.suggestions] == ["More training data", "Add L2 0.01"]


def test_tiny_losses_on_clean_data_are_not_overfitting():
    """0.0004 training loss against 0.05-0.08 test loss at 95-97% is a good fit, not
    overfitting (as measured on every BLAS kernel tried)."""
    config = MLPConfig(dataset="spiral", layers=(8, 8, 6), activation="relu", lr=0.1,
                       epochs=300, seed=4)
    result = train(config)
    assert result.test_loss[-1] > 1.5 * result.train_loss[-1]  # the ratio alone would fire
    assert not notes.overfits(config, result)
    assert "overfitting" not in notes.notice(config, result).text


@pytest.mark.parametrize(("noise", "label", "change"), [
    (0, "Raise noise to 30", {"noise": 30}),
    (30, "Raise noise to 50", {"noise": 50}),
    (50, "Without noise", {"noise": 0}),
])
def test_the_noise_button_never_lowers_the_noise_it_calls_adding(noise, label, change):
    config = MLPConfig(dataset="gauss", noise=noise, layers=(), seed=7)
    notice = notes.notice(config, train(config))
    assert [(s.label, dict(s.changes)) for s in notice.suggestions] == [(label, change)]


def test_the_summary_counts_the_weight_updates_batches_make():
    config = MLPConfig(batch=1, epochs=10, layers=(4, 2), seed=2)
    result = train(config)
    assert notes.updates_per_epoch(config) == 250  # 500 points, half of them for training
    assert "2,500 weight updates: 250 per epoch, one per batch of 1 training point" in (
        notes.summary(config, result))
    assert notes.parameters(result) == 25  # (2+1)·4 + (4+1)·2 + (2+1)·1
