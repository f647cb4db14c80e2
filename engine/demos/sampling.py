"""Turning a language model's scores (logits) into probabilities and picking a next token.

Pure numpy, no model: the same helpers serve the shipped tiny GPT, the live training demo
and any lesson that wants to show what temperature and top-k do to a distribution.
"""

from __future__ import annotations

import numpy as np

#: Temperatures at or below this are treated as "always take the most likely token".
GREEDY_TEMPERATURE = 1e-6


def temperature_softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax of ``logits / temperature`` along the last axis, in float64.

    Temperature 1 leaves the model's distribution unchanged, below 1 sharpens it, above 1
    flattens it. The order of the tokens never changes. A temperature of (almost) zero puts
    all the probability on the largest logit (ties share it equally).
    """
    if temperature < 0 or not np.isfinite(temperature):
        raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}")
    z = np.asarray(logits, dtype=np.float64)  # (..., V)
    top = z.max(axis=-1, keepdims=True)  # (..., 1)
    if temperature <= GREEDY_TEMPERATURE:
        hot = (z == top).astype(np.float64)  # (..., V) one-hot on the argmax (ties shared)
        return hot / hot.sum(axis=-1, keepdims=True)  # (..., V)
    scaled = (z - top) / temperature  # (..., V) largest entry is 0, so exp cannot overflow
    e = np.exp(scaled)  # (..., V)
    return e / e.sum(axis=-1, keepdims=True)  # (..., V)


def top_k_filter(probs: np.ndarray, k: int | None) -> np.ndarray:
    """Keep the ``k`` most probable entries of a 1-D distribution, zero the rest, renormalise.

    ``k=None`` or ``k >= len(probs)`` keeps everything. Ties at the cut-off are broken by
    position (the earlier index wins), so the result is deterministic.
    """
    p = np.asarray(probs, dtype=np.float64)  # (V,)
    if k is None or k >= p.size:
        return p / p.sum()
    if k < 1:
        raise ValueError(f"top_k must be at least 1, got {k}")
    keep = np.argsort(-p, kind="stable")[:k]  # (k,) indices of the k largest
    out = np.zeros_like(p)  # (V,)
    out[keep] = p[keep]
    return out / out.sum()


def next_token_probs(logits: np.ndarray, temperature: float, top_k: int | None) -> np.ndarray:
    """The distribution a sampler actually draws from: temperature softmax, then top-k."""
    return top_k_filter(temperature_softmax(logits, temperature), top_k)


def draw(probs: np.ndarray, rng: np.random.Generator) -> int:
    """Draw one index from a 1-D distribution with ``rng`` (inverse-CDF, reproducible)."""
    cdf = np.cumsum(probs)  # (V,)
    u = rng.random() * cdf[-1]
    return int(min(np.searchsorted(cdf, u, side="right"), probs.size - 1))
