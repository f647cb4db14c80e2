"""Writing text with a decoder: predict a distribution, draw a token, append, repeat."""

from __future__ import annotations

import numpy as np
import torch

from engine.demos.gpt_model import GPT
from engine.demos.sampling import draw, next_token_probs


@torch.no_grad()
def last_logits(model: GPT, ids: list[int]) -> np.ndarray:
    """The model's scores for the token after ``ids`` (at most block_size of them): (V,)."""
    if not ids:
        raise ValueError("need at least one token of context")
    idx = torch.tensor([ids[-model.cfg.block_size :]], dtype=torch.long)  # (1, T)
    out = model(idx)
    return out.logits[0, -1].double().numpy()  # (V,)


@torch.no_grad()
def generate_ids(
    model: GPT,
    ids: list[int],
    n_tokens: int,
    temperature: float,
    top_k: int | None,
    seed: int,
) -> list[int]:
    """``n_tokens`` new token ids continuing ``ids``; same arguments -> same ids.

    The prompt is cut to its last ``block_size - n_tokens`` tokens so the whole continuation
    fits in the model's context and a key/value cache can be used (one small forward pass
    per new token instead of a full one).
    """
    if n_tokens <= 0:
        return []
    block = model.cfg.block_size
    if n_tokens >= block:
        raise ValueError(f"can write at most {block - 1} tokens at once, asked for {n_tokens}")
    if not ids:
        raise ValueError("need at least one token of context")
    was_training = model.training
    model.eval()
    rng = np.random.default_rng(seed)
    context = ids[-(block - n_tokens) :]
    idx = torch.tensor([context], dtype=torch.long)  # (1, T)
    out = model(idx)
    new: list[int] = []
    for _ in range(n_tokens):
        logits = out.logits[0, -1].double().numpy()  # (V,)
        token = draw(next_token_probs(logits, temperature, top_k), rng)
        new.append(token)
        if len(new) == n_tokens:
            break
        out = model(torch.tensor([[token]], dtype=torch.long), cache=out.cache)  # (1, 1, V)
    model.train(was_training)
    return new
