"""A tiny GPT-style decoder, written out so every step of a transformer is visible.

Token embeddings + learned position embeddings (as in GPT-2) -> ``n_layer`` blocks of
[LayerNorm -> causal self-attention -> residual, LayerNorm -> MLP -> residual] -> LayerNorm
-> a linear layer giving one score (logit) per token of the vocabulary.

Attention is computed explicitly (scores, causal mask, softmax, weighted sum) so the
weights can be returned for pictures; ``causal_attention`` is checked against
``torch.nn.functional.scaled_dot_product_attention(is_causal=True)`` in the tests.
A small key/value cache makes sampling one character at a time cheap.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

#: Per-layer cache of keys and values seen so far: each (B, heads, T_past, head_size).
KVCache = list[tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class GPTConfig:
    """Shape of a tiny decoder. ``vocab_size`` comes from the tokenizer."""

    vocab_size: int
    block_size: int = 128  # longest context the model can read, in tokens
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd={self.n_embd} must be a multiple of n_head={self.n_head}")

    def to_dict(self) -> dict[str, int | float]:
        """Plain dict for JSON metadata."""
        return asdict(self)


def causal_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, past: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention where position i may only look at positions <= i.

    q: (B, heads, T, hs) for positions ``past .. past+T-1``; k, v: (B, heads, past+T, hs).
    Returns the output (B, heads, T, hs) and the attention weights (B, heads, T, past+T).
    """
    t_q, t_k = q.size(-2), k.size(-2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))  # (B, heads, T, past+T)
    if t_q > 1:  # a single new query (cached decoding) is the latest position: nothing to hide
        rows = torch.arange(past, past + t_q).unsqueeze(1)  # (T, 1) absolute query positions
        cols = torch.arange(t_k).unsqueeze(0)  # (1, past+T) key positions
        scores = scores.masked_fill(cols > rows, float("-inf"))  # (B, heads, T, past+T)
    weights = F.softmax(scores, dim=-1)  # (B, heads, T, past+T) each row sums to 1
    return weights @ v, weights  # (B, heads, T, hs), (B, heads, T, past+T)


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention with a causal mask."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def split_heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Queries, keys and values for ``x`` (B, T, C), each (B, heads, T, hs)."""
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)  # each (B, T, C)
        shape = (b, t, self.n_head, c // self.n_head)
        q = q.view(shape).transpose(1, 2)  # (B, heads, T, hs)
        k = k.view(shape).transpose(1, 2)  # (B, heads, T, hs)
        v = v.view(shape).transpose(1, 2)  # (B, heads, T, hs)
        return q, k, v

    def forward(
        self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Attend over the cache plus ``x`` (B, T, C); returns output, weights, new cache."""
        b, t, c = x.shape
        q, k, v = self.split_heads(x)  # each (B, heads, T, hs)
        past = 0
        if cache is not None:
            past = cache[0].size(2)
            k = torch.cat([cache[0], k], dim=2)  # (B, heads, past+T, hs)
            v = torch.cat([cache[1], v], dim=2)  # (B, heads, past+T, hs)
        y, weights = causal_attention(q, k, v, past)  # (B, heads, T, hs), (B, heads, T, past+T)
        y = y.transpose(1, 2).reshape(b, t, c)  # (B, T, C) heads side by side
        return self.drop(self.proj(y)), weights, (k, v)  # (B, T, C)


class MLP(nn.Module):
    """Per-position feed-forward network: expand 4x, GELU, project back."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.up = nn.Linear(cfg.n_embd, 4 * cfg.n_embd)
        self.down = nn.Linear(4 * cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, C) -> (B, T, C)."""
        return self.drop(self.down(F.gelu(self.up(x))))  # (B, T, C)


class Block(nn.Module):
    """One transformer block with pre-LayerNorm and residual connections."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.n_embd)
        self.attn = CausalSelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = MLP(cfg)

    def forward(self, x: torch.Tensor, cache=None):
        """(B, T, C) -> (B, T, C), attention weights (B, heads, T, past+T), new cache."""
        a, weights, cache = self.attn(self.ln1(x), cache)  # (B, T, C)
        x = x + a  # (B, T, C) residual
        x = x + self.mlp(self.ln2(x))  # (B, T, C) residual
        return x, weights, cache


@dataclass(frozen=True)
class GPTOutput:
    """Logits (B, T, V); loss if targets were given; per-layer attention (B, heads, T, past+T)."""

    logits: torch.Tensor
    loss: torch.Tensor | None
    attentions: tuple[torch.Tensor, ...]
    cache: KVCache


class GPT(nn.Module):
    """The decoder. ``forward(idx)`` predicts, at every position, the next token."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.pos_emb = nn.Embedding(cfg.block_size, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size)
        self.apply(_init_weights)

    def num_params(self) -> int:
        """Number of trainable numbers in the model."""
        return sum(p.numel() for p in self.parameters())

    def forward(
        self,
        idx: torch.Tensor,
        targets: torch.Tensor | None = None,
        cache: KVCache | None = None,
    ) -> GPTOutput:
        """idx (B, T) token ids -> logits (B, T, V); cross-entropy loss against targets (B, T)."""
        b, t = idx.shape
        past = cache[0][0].size(2) if cache else 0
        if past + t > self.cfg.block_size:
            raise ValueError(f"context of {past + t} tokens exceeds block_size {self.cfg.block_size}")
        pos = torch.arange(past, past + t)  # (T,)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(pos))  # (B, T, C)
        attentions, new_cache = [], []
        for i, block in enumerate(self.blocks):
            x, weights, layer_cache = block(x, cache[i] if cache else None)  # (B, T, C)
            attentions.append(weights)  # (B, heads, T, past+T)
            new_cache.append(layer_cache)
        logits = self.head(self.ln_f(x))  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(b * t, -1), targets.view(b * t))  # scalar
        return GPTOutput(logits, loss, tuple(attentions), new_cache)


def _init_weights(module: nn.Module) -> None:
    """GPT-2 style: small normal weights, zero biases."""
    if isinstance(module, nn.Linear | nn.Embedding):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)
