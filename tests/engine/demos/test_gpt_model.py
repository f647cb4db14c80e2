"""The explicit decoder: attention against torch's reference, causality, the cache."""

import math

import pytest
import torch
from torch.nn import functional as F

from engine.demos.gpt_model import GPT, GPTConfig, causal_attention

CFG = GPTConfig(vocab_size=11, block_size=16, n_layer=2, n_head=2, n_embd=16, dropout=0.0)


def small_model(seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    model = GPT(CFG).eval()
    # GPT-2 init makes everything tiny; scale up so attention is far from uniform
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(20 if p.dim() == 2 else 1)
    return model


def test_explicit_attention_matches_torch_sdpa():
    torch.manual_seed(1)
    q, k, v = (torch.randn(3, 4, 9, 8, dtype=torch.float64) for _ in range(3))  # (B, heads, T, hs)
    ours, weights = causal_attention(q, k, v)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(ours, ref, rtol=1e-10, atol=1e-12)
    assert torch.all(weights.triu(diagonal=1) == 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 4, 9, dtype=torch.float64))


def test_attention_with_a_cache_offset_equals_the_last_rows_of_full_attention():
    torch.manual_seed(2)
    q, k, v = (torch.randn(1, 2, 7, 4, dtype=torch.float64) for _ in range(3))
    full_out, full_w = causal_attention(q, k, v)
    tail_out, tail_w = causal_attention(q[:, :, 5:], k, v, past=5)
    torch.testing.assert_close(tail_out, full_out[:, :, 5:])
    torch.testing.assert_close(tail_w, full_w[:, :, 5:])


def test_model_attention_layer_matches_sdpa_on_its_own_qkv():
    model = small_model()
    attn = model.blocks[0].attn
    x = torch.randn(2, 10, CFG.n_embd)  # (B, T, C)
    q, k, v = attn.split_heads(x)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, heads, T, hs)
    ref = attn.proj(ref.transpose(1, 2).reshape(2, 10, CFG.n_embd))
    out, weights, _ = attn(x)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    assert weights.shape == (2, CFG.n_head, 10, 10)


def test_changing_a_later_token_never_changes_earlier_predictions():
    model = small_model()
    idx = torch.randint(0, CFG.vocab_size, (1, 12))
    changed = idx.clone()
    changed[0, 8] = (idx[0, 8] + 1) % CFG.vocab_size
    a, b = model(idx), model(changed)
    torch.testing.assert_close(a.logits[:, :8], b.logits[:, :8])
    assert not torch.allclose(a.logits[:, 8:], b.logits[:, 8:])
    for w in a.attentions:  # (B, heads, T, T)
        assert torch.all(w.triu(diagonal=1) == 0)
        assert w[0, :, 5, :6].std() > 0.01  # attention is not just uniform


def test_cached_decoding_gives_the_same_logits_as_a_full_pass():
    model = small_model(3)
    idx = torch.randint(0, CFG.vocab_size, (1, 10))
    full = model(idx).logits  # (1, 10, V)
    out = model(idx[:, :6])
    steps = [out.logits[:, -1]]
    for i in range(6, 10):
        out = model(idx[:, i : i + 1], cache=out.cache)
        steps.append(out.logits[:, -1])
    torch.testing.assert_close(torch.stack(steps, 1), full[:, 5:], rtol=1e-5, atol=1e-5)


def test_untrained_loss_is_about_log_vocab_and_gradients_reach_embeddings():
    torch.manual_seed(0)
    model = GPT(CFG)
    idx = torch.randint(0, CFG.vocab_size, (4, 16))
    out = model(idx, targets=idx)
    assert out.loss.item() == pytest.approx(math.log(CFG.vocab_size), abs=0.1)
    out.loss.backward()
    assert model.tok_emb.weight.grad.abs().sum() > 0
    assert model.pos_emb.weight.grad.abs().sum() > 0


def test_context_longer_than_the_block_is_refused():
    with pytest.raises(ValueError, match="block_size"):
        GPT(CFG)(torch.zeros(1, 17, dtype=torch.long))


def test_bad_head_count_is_refused():
    with pytest.raises(ValueError, match="multiple"):
        GPTConfig(vocab_size=5, n_embd=10, n_head=3)
