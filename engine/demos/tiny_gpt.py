"""The tiny GPT that tutorbot trained itself: next-character probabilities, sampling, attention.

The checkpoint (``data/tiny_gpt.safetensors`` + ``data/tiny_gpt.json``) is made by
``scripts/train_tiny_gpt.py`` from the project's own corpus. It reads and writes single
characters; ``load_tiny_gpt()`` loads it once per process.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file

from engine.demos.char_vocab import CharVocab
from engine.demos.gpt_model import GPT, GPTConfig
from engine.demos.lm_generate import generate_batch, last_logits
from engine.demos.sampling import next_token_probs

DATA_DIR = Path(__file__).parent / "data"
CHECKPOINT_PATH = DATA_DIR / "tiny_gpt.safetensors"
META_PATH = DATA_DIR / "tiny_gpt.json"
#: What the model reads when the learner gives no text: the start of a new paragraph.
EMPTY_CONTEXT = "\n\n"


@dataclass(frozen=True)
class TinyGPT:
    """The loaded model with its vocabulary and the metadata written at training time."""

    model: GPT
    vocab: CharVocab
    training: Mapping[str, Any]

    @property
    def config(self) -> GPTConfig:
        """The model's shape."""
        return self.model.cfg


@functools.cache
def load_tiny_gpt() -> TinyGPT:
    """Load the shipped checkpoint (once per process), in eval mode, gradients off."""
    meta = json.loads(META_PATH.read_text(encoding="utf-8"))
    model = GPT(GPTConfig(**meta["config"]))
    model.load_state_dict(load_file(CHECKPOINT_PATH))
    model.eval().requires_grad_(False)
    return TinyGPT(model, CharVocab(meta["vocab"]), meta["training"])


@dataclass(frozen=True)
class Prompt:
    """The learner's text as the model reads it."""

    text: str  # the characters fed to the model (folded, maybe cut)
    ids: list[int]
    replaced: dict[str, str] = field(default_factory=dict)  # unknown char -> stand-in ("" = dropped)
    cut: int = 0  # characters dropped from the start to fit the context window
    fallback: bool = False  # nothing readable was given: the model starts a new paragraph


def prepare_prompt(text: str, max_tokens: int) -> Prompt:
    """Encode ``text`` for the tiny GPT, keeping its last ``max_tokens`` characters.

    Empty (or all-unknown) text becomes the start of a paragraph, so there is always
    something to continue.
    """
    vocab = load_tiny_gpt().vocab
    enc = vocab.encode(text)
    if not enc.ids:
        enc = vocab.encode(EMPTY_CONTEXT)
        return Prompt(enc.text, enc.ids, vocab.encode(text).replaced, fallback=True)
    cut = max(0, len(enc.ids) - max_tokens)
    return Prompt(enc.text[cut:], enc.ids[cut:], enc.replaced, cut)


@dataclass(frozen=True)
class Distribution:
    """Next-character probabilities, most likely first (only non-zero ones after top-k)."""

    prompt: Prompt
    temperature: float
    top_k: int | None
    tokens: tuple[str, ...]
    probs: np.ndarray  # (n,) float64, descending, sums to 1

    def top(self, n: int) -> list[tuple[str, float]]:
        """The ``n`` most likely characters with their probabilities."""
        return [(t, float(p)) for t, p in zip(self.tokens[:n], self.probs[:n], strict=True)]


def next_token_distributions(
    text: str, temperatures: Sequence[float], top_k: int | None = None
) -> list[Distribution]:
    """What the tiny GPT thinks comes after ``text``, at each temperature (one forward pass)."""
    tiny = load_tiny_gpt()
    prompt = prepare_prompt(text, tiny.config.block_size)
    logits = last_logits(tiny.model, prompt.ids)  # (V,)
    out = []
    for t in temperatures:
        probs = next_token_probs(logits, t, top_k)  # (V,)
        order = [i for i in np.argsort(-probs, kind="stable") if probs[i] > 0]
        tokens = tuple(tiny.vocab.chars[i] for i in order)
        out.append(Distribution(prompt, t, top_k, tokens, probs[order]))
    return out


def next_token_distribution(
    text: str, temperature: float = 1.0, top_k: int | None = None
) -> Distribution:
    """What the tiny GPT thinks comes after ``text`` at this temperature and top-k."""
    return next_token_distributions(text, [temperature], top_k)[0]


def sample_many(
    text: str, n_tokens: int, temperatures: Sequence[float], top_k: int | None, seed: int
) -> list[str]:
    """One continuation of ``text`` per temperature, written in a single batch.

    Same arguments -> same texts. The prompt keeps its last ``block_size - n_tokens``
    characters so the continuation fits the model's context window.
    """
    tiny = load_tiny_gpt()
    prompt = prepare_prompt(text, tiny.config.block_size - n_tokens)
    rows = generate_batch(tiny.model, prompt.ids, n_tokens, temperatures, top_k, seed)
    return [tiny.vocab.decode(ids) for ids in rows]


def sample(
    text: str,
    n_tokens: int = 60,
    temperature: float = 0.8,
    top_k: int | None = None,
    seed: int = 0,
) -> str:
    """``n_tokens`` characters the tiny GPT writes after ``text`` (the continuation only)."""
    return sample_many(text, n_tokens, [temperature], top_k, seed)[0]


@torch.inference_mode()
def tiny_gpt_attention(text: str, max_tokens: int | None = None) -> tuple[list[str], np.ndarray]:
    """The tiny GPT's causal attention over the first ``max_tokens`` characters of ``text``.

    Returns the characters it read (one token each, unknown ones replaced as in
    ``CharVocab.encode``) and weights of shape (layers, heads, T, T): row i is how much
    character i attends to each character j <= i; entries above the diagonal are 0 and
    every row sums to 1. Raises ValueError if no character of ``text`` can be read.
    """
    tiny = load_tiny_gpt()
    limit = min(max_tokens or tiny.config.block_size, tiny.config.block_size)
    enc = tiny.vocab.encode(text)
    if not enc.ids:
        raise ValueError("there is no text to attend over (empty or only unreadable characters)")
    ids = enc.ids[:limit]
    out = tiny.model(torch.tensor([ids], dtype=torch.long))
    weights = torch.stack([a[0] for a in out.attentions])  # (layers, heads, T, T)
    return list(enc.text[: len(ids)]), weights.double().numpy()
