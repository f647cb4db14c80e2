"""Writing text with a decoder: predict a distribution, draw a token, append, repeat."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from engine.demos.gpt_model import GPT
from engine.demos.sampling import draw, next_token_probs


@torch.inference_mode()
def last_logits(model: GPT, ids: list[int]) -> np.ndarray:
    """The model's scores for the token after ``ids`` (at most block_size of them): (V,)."""
    if not ids:
        raise ValueError("need at least one token of context")
    idx = torch.tensor([ids[-model.cfg.block_size :]], dtype=torch.long)  # (1, T)
    return model(idx).logits[0, -1].double().numpy()  # (V,)


@torch.inference_mode()
def generate_batch(
    model: GPT,
    ids: list[int],
    n_tokens: int,
    temperatures: Sequence[float],
    top_k: int | None,
    seed: int,
) -> list[list[int]]:
    """One continuation of ``ids`` per temperature, ``n_tokens`` ids each, in one batch.

    Every row draws with its own ``numpy`` generator seeded with ``seed``, so a row depends
    only on (prompt, temperature, top_k, seed). The prompt is cut to its last
    ``block_size - n_tokens`` tokens so the whole continuation fits the context window and a
    key/value cache can be used (one small forward pass per new token, not a full one).
    """
    block = model.cfg.block_size
    if not 0 < n_tokens < block:
        raise ValueError(f"can write 1 to {block - 1} tokens at once, asked for {n_tokens}")
    if not ids:
        raise ValueError("need at least one token of context")
    was_training = model.training
    model.eval()
    rows = len(temperatures)
    rngs = [np.random.default_rng(seed) for _ in range(rows)]
    context = ids[-(block - n_tokens) :]
    out = model(torch.tensor([context] * rows, dtype=torch.long))  # logits (R, T, V)
    new: list[list[int]] = [[] for _ in range(rows)]
    for step in range(n_tokens):
        logits = out.logits[:, -1].double().numpy()  # (R, V)
        for r, t in enumerate(temperatures):
            new[r].append(draw(next_token_probs(logits[r], t, top_k), rngs[r]))
        if step < n_tokens - 1:
            last = torch.tensor([[row[-1]] for row in new], dtype=torch.long)  # (R, 1)
            out = model(last, cache=out.cache)  # logits (R, 1, V)
    model.train(was_training)
    return new


def generate_ids(
    model: GPT, ids: list[int], n_tokens: int, temperature: float, top_k: int | None, seed: int
) -> list[int]:
    """``n_tokens`` new token ids continuing ``ids``; same arguments -> same ids."""
    if n_tokens <= 0:
        return []
    return generate_batch(model, ids, n_tokens, [temperature], top_k, seed)[0]
