"""Our own softmax(QK^T / sqrt(d)) reproduces the attention MiniLM reports."""

import numpy as np
import pytest
import torch

from engine.demos.attention import (
    MAX_TOKENS,
    attention_with_own,
    minilm_attention,
    scaled_dot_product_attention,
    split_heads,
)
from engine.demos.minilm import load_minilm

TEXTS = [
    "My name is Pawel",
    "The cat sat on the mat because it was tired.",
    "Tokens 🫡 and émojis, numbers 12345 and a\ttab.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_own_attention_equals_the_models(text):
    result = minilm_attention(text)
    print(f"worst absolute error for {text!r}: {result.max_abs_error:.3e}")
    assert result.weights.shape == (6, 12, len(result.tokens), len(result.tokens))
    assert result.max_abs_error < 1e-5
    assert result.tokens[0] == "[CLS]" and result.tokens[-1] == "[SEP]"


def test_own_attention_equals_the_models_on_a_padded_batch():
    tokenizer = load_minilm().tokenizer
    batch = tokenizer(["short one", TEXTS[1]], padding=True, return_tensors="pt")
    model_weights, own = attention_with_own(batch["input_ids"], batch["attention_mask"])
    error = float((model_weights - own).abs().max())
    print(f"worst absolute error on a padded batch: {error:.3e}")
    assert error < 1e-5
    padded = batch["attention_mask"][0] == 0
    assert padded.any()
    assert float(own[:, 0][..., padded].abs().max()) < 1e-6  # padding receives no attention


@pytest.mark.parametrize("text", TEXTS)
def test_rows_sum_to_one(text):
    result = minilm_attention(text)
    np.testing.assert_allclose(result.weights.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(result.own_weights.sum(-1), 1.0, atol=1e-5)
    assert (result.weights >= 0).all()


def test_attention_times_values_matches_torch_sdpa():
    """An independent reference: torch's fused attention output equals weights @ V."""
    gen = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(3, 2, 4, 7, 16, generator=gen)  # (B, heads, T, d) each
    mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0]])  # (B, T)
    weights = scaled_dot_product_attention(q, k, mask)  # (B, heads, T, T)
    expected = torch.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=mask[:, None, None, :].bool()
    )
    torch.testing.assert_close(weights @ v, expected, atol=1e-5, rtol=1e-5)


def test_split_heads_puts_consecutive_dims_in_one_head():
    x = torch.arange(2 * 3 * 8, dtype=torch.float32).view(2, 3, 8)  # (B, T, heads * d)
    heads = split_heads(x, 4)  # (B, 4, T, 2)
    assert heads.shape == (2, 4, 3, 2)
    torch.testing.assert_close(heads[1, 2, 0], x[1, 0, 4:6])


def test_long_text_is_cut_to_the_picture_limit_with_the_full_count_kept():
    result = minilm_attention("word " * 200)
    assert len(result.tokens) == MAX_TOKENS
    assert result.total_tokens == 202 and result.truncated
    assert result.tokens[-1] == "[SEP]"
    assert not minilm_attention("short").truncated
