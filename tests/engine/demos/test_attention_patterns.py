"""Pattern finder on hand-made weights (any model) and on MiniLM's real heads."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.demos.attention import minilm_attention
from engine.demos.attention_patterns import (
    classify_heads,
    describe_head,
    is_causal,
    normalised_entropy,
    pattern_scores,
    strongest_heads,
    strongest_links,
    summarise_layer,
)

TOKENS = ["[CLS]", "the", "cat", "sat", "down", "[SEP]"]
T = len(TOKENS)


def one_hot_rows(columns):
    weights = np.zeros((T, T))
    weights[np.arange(T), columns] = 1.0
    return weights


def synthetic():
    """Layer 1: previous, next, self, [CLS], uniform. Layer 2: five heads parking on [SEP]."""
    previous = one_hot_rows([0, 0, 1, 2, 3, 4])
    following = one_hot_rows([1, 2, 3, 4, 5, 5])
    itself = np.eye(T)
    cls = one_hot_rows([0] * T)
    uniform = np.full((T, T), 1 / T)
    sep = one_hot_rows([T - 1] * T)
    return np.stack([np.stack([previous, following, itself, cls, uniform]), np.stack([sep] * 5)])


def test_each_pattern_is_found_in_the_head_built_for_it():
    heads = classify_heads(TOKENS, synthetic())
    assert [h.pattern for h in heads[0]] == ["previous", "next", "self", "first", "broad"]
    assert heads[0][0].score == pytest.approx(1.0)
    assert heads[0][4].score == pytest.approx(1.0)  # uniform rows: entropy is maximal
    assert describe_head(TOKENS, heads[0][0]) == (
        "layer 1 head 1 mostly attends to the previous token (100% of its attention)"
    )
    assert "parks on [CLS]" in describe_head(TOKENS, heads[0][3])


def test_layer_summary_names_the_majority():
    heads = classify_heads(TOKENS, synthetic())
    assert summarise_layer(TOKENS, heads[1]) == "most heads in layer 2 park on [SEP] (5 of 5)"
    assert summarise_layer(TOKENS, heads[0]).startswith("layer 1 is a mix")


def test_causal_attention_is_detected_and_has_no_next_token_pattern():
    tokens = ["a", "b", "c", "d"]
    causal = np.tril(np.ones((4, 4)))
    causal /= causal.sum(-1, keepdims=True)  # uniform over the visible past
    weights = causal[None, None]  # (1, 1, 4, 4)
    assert is_causal(weights) and not is_causal(synthetic())
    scores = pattern_scores(tokens, weights)
    assert "next" not in scores and "separator" not in scores
    assert normalised_entropy(weights)[0, 0] == pytest.approx(1.0)
    head = classify_heads(tokens, weights)[0][0]
    assert head.pattern == "broad"
    assert "the first token" in describe_head(
        tokens, classify_heads(tokens, one_hot_rows_causal())[0][0]
    )


def one_hot_rows_causal():
    weights = np.zeros((1, 1, 4, 4))
    weights[0, 0, :, 0] = 1.0  # every token looks at the first one
    return weights


def test_mixed_heads_name_their_largest_share():
    row = np.full(T, 0.3 / T)
    row[0] += 0.4  # [CLS] gets 45% in all
    row[-1] += 0.3  # [SEP] gets 35%
    weights = np.tile(row, (1, 1, T, 1))  # (1, 1, T, T)
    head = classify_heads(TOKENS, weights)[0][0]
    assert head.pattern == "mixed"
    assert describe_head(TOKENS, head).endswith("its largest share goes to [CLS] (45%)")


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="weights must be"):
        pattern_scores(TOKENS[:3], synthetic())


def test_strongest_links_skip_self_and_specials():
    links = strongest_links(TOKENS, synthetic()[0, 0], limit=2, skip=frozenset({"[CLS]", "[SEP]"}))
    assert [(TOKENS[i], TOKENS[j]) for i, j, _ in links] == [("cat", "the"), ("sat", "cat")]


def test_minilm_has_a_real_previous_token_head():
    """Found in the weights, not canned: layer 1 head 3 of MiniLM tracks the previous token."""
    result = minilm_attention("The cat sat on the mat because it was tired.")
    heads = classify_heads(result.tokens, result.weights)
    best = strongest_heads(heads)
    assert any(h.pattern == "previous" and h.score > 0.9 for h in best)
    previous = pattern_scores(result.tokens, result.weights)["previous"]
    assert np.unravel_index(np.argmax(previous), previous.shape) == (0, 2)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 9), st.booleans(), st.integers(0, 2**32 - 1))
def test_scores_are_shares_between_zero_and_one_for_any_rows(length, causal, seed):
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(length), size=(2, 3, length))  # (2, 3, T, T)
    if causal:
        weights = np.tril(weights)
        weights /= weights.sum(-1, keepdims=True)
    tokens = ["[CLS]"] + [f"w{i}" for i in range(length - 2)] + ["[SEP]"] if length > 1 else ["w"]
    for name, score in pattern_scores(tokens, weights).items():
        assert score.shape == (2, 3)
        assert np.all(score >= -1e-9) and np.all(score <= 1 + 1e-9), name
    heads = classify_heads(tokens, weights)
    assert all(
        h.pattern in {"previous", "next", "self", "first", "separator", "broad", "mixed"}
        for row in heads
        for h in row
    )
