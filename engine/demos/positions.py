"""Positional information: how a transformer knows word order.

Attention itself is order-blind (shuffle the tokens and each token sees the same set), so models
add position. Three schemes the lesson compares:

- learned absolute (GPT-2, BERT): a trained table with one vector per position (GPT-2: 1 024
  positions x 768 dims) added to the token embedding; nothing beyond the last trained position.
- sinusoidal (the original 2017 Transformer): fixed waves, PE[p, 2i] = sin(p / 10000^(2i/d)),
  PE[p, 2i+1] = cos(p / 10000^(2i/d)); fast waves in the first dimensions, slow ones later.
- rotary, RoPE (LLaMA, Mistral, Qwen, ...): rotate each pair of query/key dimensions by an angle
  proportional to the position; the query-key dot product then depends only on the distance
  between the two tokens, which `rope_relative_check` shows numerically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASE = 10_000.0


@dataclass(frozen=True)
class PositionScheme:
    """One way of giving a transformer word order, in a product manager's words."""

    name: str
    used_by: str
    how: str
    trade_off: str


SCHEMES: dict[str, PositionScheme] = {
    s.name: s
    for s in (
        PositionScheme(
            "learned",
            "GPT-2, BERT, MiniLM",
            "a trained table with one vector per position (GPT-2: 1 024 positions x 768 numbers), "
            "added to each token's embedding",
            "simple and flexible, but the model knows nothing past the last position it was trained on",
        ),
        PositionScheme(
            "sinusoidal",
            "the original Transformer (2017)",
            "fixed sine and cosine waves of many speeds, added to each token's embedding: "
            "nothing to learn",
            "works for any length, and a shift by k positions is the same rotation everywhere",
        ),
        PositionScheme(
            "rotary",
            "LLaMA, Mistral, Qwen and most open LLMs today (RoPE)",
            "no vector is added: each pair of numbers in a query and a key is rotated by an angle "
            "that grows with the position",
            "the attention score then depends only on how far apart two tokens are",
        ),
    )
}


def frequencies(dims: int, base: float = BASE) -> np.ndarray:
    """Angular speed of each sine/cosine pair: 1 / base^(2i/dims) -> (dims // 2,)."""
    return 1.0 / base ** (np.arange(0, dims, 2) / dims)


def sinusoidal(positions: int, dims: int, base: float = BASE) -> np.ndarray:
    """The sinusoidal encoding table (positions, dims); even dims are sines, odd dims cosines."""
    if dims < 2 or dims % 2:
        raise ValueError(f"dims must be an even number >= 2, got {dims}")
    angles = np.arange(positions)[:, None] * frequencies(dims, base)[None, :]  # (P, dims / 2)
    table = np.empty((positions, dims))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return table  # (P, dims)


def wavelengths(dims: int, base: float = BASE) -> np.ndarray:
    """Positions needed for each pair's wave to repeat: 2*pi ... ~2*pi*base -> (dims // 2,)."""
    return 2 * np.pi / frequencies(dims, base)


def shift_matrix(offset: int, dims: int, base: float = BASE) -> np.ndarray:
    """The (dims, dims) block rotation M with PE[p + offset] = M @ PE[p] for every position p."""
    matrix = np.zeros((dims, dims))
    for i, w in enumerate(frequencies(dims, base)):
        c, s = np.cos(offset * w), np.sin(offset * w)
        # (sin, cos) of (p + k) w from (sin, cos) of p w: the angle-addition formulas.
        matrix[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[c, s], [-s, c]]
    return matrix


def rope(x: np.ndarray, positions: np.ndarray, base: float = BASE) -> np.ndarray:
    """Rotary position embedding: rotate pairs (x[2i], x[2i+1]) of x (T, dims) by position * w_i."""
    dims = x.shape[-1]
    angles = (
        np.asarray(positions, dtype=float)[:, None] * frequencies(dims, base)[None, :]
    )  # (T, d/2)
    cos, sin = np.cos(angles), np.sin(angles)
    even, odd = x[..., 0::2], x[..., 1::2]  # (T, d/2) each
    out = np.empty_like(x, dtype=float)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out  # (T, dims)


@dataclass(frozen=True)
class RopeCheck:
    """Query-key scores under RoPE for several position pairs at the same distance."""

    distance: int
    pairs: tuple[tuple[int, int], ...]  # (query position, key position)
    scores: tuple[float, ...]

    @property
    def spread(self) -> float:
        """Largest minus smallest score: ~0 because only the distance matters."""
        return max(self.scores) - min(self.scores)


def rope_relative_check(
    distance: int = 3, starts: tuple[int, ...] = (0, 5, 20, 100), dims: int = 64, seed: int = 0
) -> RopeCheck:
    """Score one fixed query and key at positions (m + distance, m) for several m: all equal."""
    rng = np.random.default_rng(seed)
    query, key = rng.standard_normal((2, dims))  # (dims,) each
    pairs = tuple((m + distance, m) for m in starts)
    scores = tuple(
        float(rope(query[None], np.array([q]))[0] @ rope(key[None], np.array([k]))[0])
        for q, k in pairs
    )
    return RopeCheck(distance, pairs, scores)


def similarity_by_distance(table: np.ndarray) -> np.ndarray:
    """Dot product of position 0's encoding with every position's: falls off with distance."""
    return table @ table[0]  # (P,)
