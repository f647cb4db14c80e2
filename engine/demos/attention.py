"""Self-attention of a real pretrained transformer (all-MiniLM-L6-v2), recomputed by hand.

For every head, attention is softmax(Q K^T / sqrt(d) + mask): each token (a row) spreads one unit
of attention over the tokens it may look at (the columns). We run MiniLM and ask it for the
attention weights it used; we ALSO catch the queries and keys its layers computed (forward hooks
on the query and key projections) and redo the scaled dot product ourselves, so the lesson's
formula is checked against the model on every request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from engine.demos.minilm import load_minilm

MAX_TOKENS = 64  # a picture can label about this many tokens; longer text is cut, not refused


@dataclass(frozen=True)
class AttentionResult:
    """Attention weights of every layer and head for one text."""

    model: str
    tokens: list[str]  # as the model sees them, specials included ("[CLS]", "my", ..., "[SEP]")
    weights: np.ndarray  # (layers, heads, T, T): row = query token, column = key token
    own_weights: np.ndarray  # (layers, heads, T, T): recomputed from Q and K by hand
    total_tokens: int  # tokens the whole text would have had before cutting (specials included)

    @property
    def truncated(self) -> bool:
        """True when the text was cut to fit the picture."""
        return self.total_tokens > len(self.tokens)

    @property
    def max_abs_error(self) -> float:
        """Worst absolute difference between our attention and the model's own."""
        return float(np.max(np.abs(self.weights - self.own_weights)))


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """(B, T, heads * d) -> (B, heads, T, d)."""
    batch, length, width = x.shape
    return x.view(batch, length, heads, width // heads).transpose(1, 2)  # (B, heads, T, d)


def scaled_dot_product_attention(
    queries: torch.Tensor, keys: torch.Tensor, key_mask: torch.Tensor | None = None
) -> torch.Tensor:
    """softmax(Q K^T / sqrt(d) + mask) for queries and keys of shape (B, heads, T, d).

    key_mask is (B, T) with 1 for real tokens and 0 for padding; padded keys get no attention.
    """
    d = queries.shape[-1]
    scores = queries @ keys.transpose(-1, -2) / math.sqrt(d)  # (B, heads, T, T)
    if key_mask is not None:
        blocked = key_mask[:, None, None, :] == 0  # (B, 1, 1, T)
        scores = scores.masked_fill(blocked, torch.finfo(scores.dtype).min)
    return torch.softmax(scores, dim=-1)  # (B, heads, T, T), each row sums to 1


def attention_with_own(
    input_ids: torch.Tensor, attention_mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run MiniLM on a batch; return (model's attentions, our own), each (layers, B, heads, T, T)."""
    minilm = load_minilm()
    captured: dict[tuple[int, str], torch.Tensor] = {}
    hooks = []
    for index, layer in enumerate(minilm.model.encoder.layer):
        for name in ("query", "key"):
            projection = getattr(layer.attention.self, name)

            def keep(_module, _inputs, output, key=(index, name)):
                captured[key] = output.detach()  # (B, T, heads * d)

            hooks.append(projection.register_forward_hook(keep))
    try:
        with torch.no_grad():
            out = minilm.model(
                input_ids=input_ids, attention_mask=attention_mask, output_attentions=True
            )
    finally:
        for hook in hooks:
            hook.remove()
    heads = minilm.num_heads
    own = [
        scaled_dot_product_attention(
            split_heads(captured[(i, "query")], heads),
            split_heads(captured[(i, "key")], heads),
            attention_mask,
        )
        for i in range(minilm.num_layers)
    ]
    return torch.stack(list(out.attentions)), torch.stack(own)  # (layers, B, heads, T, T)


def minilm_attention(text: str, max_tokens: int = MAX_TOKENS) -> AttentionResult:
    """MiniLM's attention for one text, cut to at most `max_tokens` tokens (specials included)."""
    tokenizer = load_minilm().tokenizer
    total = len(tokenizer(text)["input_ids"])
    encoded = tokenizer(text, truncation=True, max_length=max_tokens, return_tensors="pt")
    model_weights, own = attention_with_own(encoded["input_ids"], encoded["attention_mask"])
    return AttentionResult(
        model="minilm",
        tokens=tokenizer.convert_ids_to_tokens(encoded["input_ids"][0].tolist()),
        weights=model_weights[:, 0].numpy(),  # (layers, heads, T, T)
        own_weights=own[:, 0].numpy(),  # (layers, heads, T, T)
        total_tokens=total,
    )
