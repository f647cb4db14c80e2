"""Temperature softmax, top-k and drawing: the properties the lessons promise."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine.demos.sampling import draw, next_token_probs, temperature_softmax, top_k_filter

logit_vectors = arrays(
    np.float64, st.integers(2, 80), elements=st.floats(-30, 30, allow_nan=False)
)
temperatures = st.floats(0.05, 5.0)


@given(logit_vectors, temperatures)
def test_probabilities_are_a_distribution(logits, temperature):
    p = temperature_softmax(logits, temperature)
    assert p.shape == logits.shape
    assert np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


@given(logit_vectors, temperatures)
def test_order_is_preserved(logits, temperature):
    p = temperature_softmax(logits, temperature)
    order = np.argsort(logits, kind="stable")
    assert np.all(np.diff(p[order]) >= 0)  # larger logit never gets a smaller probability


@given(logit_vectors)
def test_temperature_one_is_the_plain_softmax(logits):
    expected = torch.softmax(torch.from_numpy(logits), dim=-1).numpy()
    np.testing.assert_allclose(temperature_softmax(logits, 1.0), expected, rtol=1e-9, atol=1e-15)


@given(logit_vectors)
def test_low_temperature_tends_to_the_argmax(logits):
    gap = np.sort(logits)[-1] - np.sort(logits)[-2]
    if gap < 0.05:  # near-ties share the probability; nothing to check
        return
    p = temperature_softmax(logits, 0.001)
    assert p[np.argmax(logits)] > 0.99


@given(logit_vectors, st.floats(0.1, 1.0), st.floats(1.0, 4.0))
def test_higher_temperature_is_flatter(logits, low, high):
    def entropy(p):
        nz = p[p > 0]
        return -(nz * np.log(nz)).sum()

    assert entropy(temperature_softmax(logits, high)) >= entropy(temperature_softmax(logits, low)) - 1e-9


def test_zero_temperature_is_greedy_and_ties_share():
    np.testing.assert_array_equal(temperature_softmax(np.array([1.0, 3.0, 2.0]), 0), [0, 1, 0])
    np.testing.assert_array_equal(temperature_softmax(np.array([3.0, 3.0, 2.0]), 0), [0.5, 0.5, 0])


def test_bad_temperature_is_refused():
    with pytest.raises(ValueError, match="temperature"):
        temperature_softmax(np.zeros(3), -1.0)


@given(logit_vectors, st.integers(1, 100))
def test_top_k_keeps_the_k_largest_and_renormalises(logits, k):
    p = temperature_softmax(logits, 1.0)
    q = top_k_filter(p, k)
    kept = np.flatnonzero(q)
    assert q.sum() == pytest.approx(1.0, abs=1e-12)
    assert len(kept) <= min(k, p.size)
    if np.all(p > 0):
        assert len(kept) == min(k, p.size)
        assert p[kept].min() >= np.delete(p, kept).max(initial=0.0)
        np.testing.assert_allclose(q[kept], p[kept] / p[kept].sum())


def test_top_k_one_is_greedy_whatever_the_temperature():
    logits = np.array([0.1, 2.0, 1.9, -1.0])
    np.testing.assert_array_equal(next_token_probs(logits, 3.0, 1), [0, 1, 0, 0])


def test_draw_is_reproducible_and_never_picks_zero_probability():
    p = np.array([0.2, 0.0, 0.5, 0.3, 0.0])
    rng1, rng2 = np.random.default_rng(11), np.random.default_rng(11)
    assert [draw(p, rng1) for _ in range(200)] == [draw(p, rng2) for _ in range(200)]
    rng = np.random.default_rng(3)
    counts = np.bincount([draw(p, rng) for _ in range(20_000)], minlength=p.size)
    assert counts[1] == counts[4] == 0
    np.testing.assert_allclose(counts / counts.sum(), p, atol=0.015)
