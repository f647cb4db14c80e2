"""Training a tiny decoder on the project's own corpus, with reports along the way.

Used twice: by ``scripts/train_tiny_gpt.py`` to make the shipped checkpoint, and by the
live ``/train-demo model=transformer`` job, which trains a fresh, smaller decoder for a
bounded time and shows the loss falling while the sampled text turns into English.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from engine.demos.char_vocab import CharVocab
from engine.demos.gpt_model import GPT, GPTConfig
from engine.demos.lm_generate import generate_ids

CORPUS_PATH = Path(__file__).parent / "data" / "tiny_gpt_corpus.txt"
#: Every VAL_EVERY-th paragraph of the corpus is held out for validation.
VAL_EVERY = 10


@dataclass(frozen=True)
class Corpus:
    """Token ids of the training and validation text, and their vocabulary."""

    vocab: CharVocab
    train: torch.Tensor  # (N_train,) long
    val: torch.Tensor  # (N_val,) long


def load_corpus(text: str | None = None, vocab: CharVocab | None = None) -> Corpus:
    """Split the corpus by paragraph (every 10th held out) and encode it."""
    text = CORPUS_PATH.read_text(encoding="utf-8") if text is None else text
    vocab = vocab or CharVocab.from_text(text)
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    val = [p for i, p in enumerate(paragraphs) if i % VAL_EVERY == VAL_EVERY - 1]
    train = [p for i, p in enumerate(paragraphs) if i % VAL_EVERY != VAL_EVERY - 1]

    def ids(parts: list[str]) -> torch.Tensor:
        return torch.tensor(vocab.encode("\n\n".join(parts) + "\n\n").ids, dtype=torch.long)

    return Corpus(vocab, ids(train), ids(val))


@functools.cache
def cached_corpus() -> Corpus:
    """The shipped corpus, split and encoded once per process."""
    return load_corpus()


@dataclass(frozen=True)
class TrainConfig:
    """How long and how hard to train. Training stops at max_steps or max_seconds."""

    max_steps: int = 600
    max_seconds: float | None = 60.0
    batch_size: int = 32
    learning_rate: float = 3e-3
    final_lr_fraction: float = 0.1  # cosine decay ends at this fraction of the peak
    warmup_steps: int = 20
    weight_decay: float = 0.05
    grad_clip: float = 1.0
    seed: int = 0
    sample_at: tuple[float, ...] = (0.0, 0.1, 0.25, 0.5, 1.0)  # fractions of max_steps
    sample_prompt: str = "The model "
    sample_tokens: int = 60
    sample_temperature: float = 0.8


@dataclass(frozen=True)
class Sample:
    """Text the model wrote at one point of training, with the validation loss then."""

    step: int
    seconds: float
    val_loss: float
    text: str


@dataclass(frozen=True)
class TrainEvent:
    """Reported to the callback once per step, and for step 0 if it is sampled.

    ``sample`` is set at the sampling points (and at the last step).
    """

    step: int
    max_steps: int
    seconds: float
    loss: float
    sample: Sample | None = None


@dataclass
class TrainResult:
    """Everything a picture of the run needs."""

    losses: list[tuple[int, float]] = field(default_factory=list)  # (step, train batch loss)
    samples: list[Sample] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    stopped_by_time: bool = False


def get_batch(
    data: torch.Tensor, block_size: int, batch_size: int, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of text (B, T) and the same windows shifted by one (the targets)."""
    starts = torch.randint(len(data) - block_size - 1, (batch_size,), generator=gen)  # (B,)
    offsets = torch.arange(block_size)  # (T,)
    x = data[starts[:, None] + offsets]  # (B, T)
    y = data[starts[:, None] + offsets + 1]  # (B, T)
    return x, y


@torch.no_grad()
def corpus_loss(model: GPT, data: torch.Tensor, batch_size: int = 64) -> float:
    """Mean next-token cross-entropy over all of ``data``, read as consecutive windows."""
    was_training = model.training
    model.eval()
    t = model.cfg.block_size
    n = (len(data) - 1) // t
    x = data[: n * t].view(n, t)  # (N, T)
    y = data[1 : n * t + 1].view(n, t)  # (N, T) the next character of each position
    total = 0.0
    for i in range(0, n, batch_size):
        xb, yb = x[i : i + batch_size], y[i : i + batch_size]  # (b, T), (b, T)
        total += model(xb, yb).loss.item() * yb.numel()
    model.train(was_training)
    return total / (n * t)


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to ``final_lr_fraction`` of the peak at max_steps."""
    if step < cfg.warmup_steps:
        return cfg.learning_rate * (step + 1) / cfg.warmup_steps
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
    floor = cfg.final_lr_fraction
    return cfg.learning_rate * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def make_sample(model: GPT, corpus: Corpus, cfg: TrainConfig, step: int, seconds: float) -> Sample:
    """Validation loss and a seeded continuation of the sample prompt, right now."""
    prompt = corpus.vocab.encode(cfg.sample_prompt).ids
    new = generate_ids(model, prompt, cfg.sample_tokens, cfg.sample_temperature, None, cfg.seed)
    val = corpus_loss(model, corpus.val)
    return Sample(step, seconds, val, cfg.sample_prompt + corpus.vocab.decode(new))


def train(
    model: GPT,
    corpus: Corpus,
    cfg: TrainConfig,
    on_event: Callable[[TrainEvent], None] | None = None,
) -> TrainResult:
    """Train ``model`` with AdamW on ``corpus.train``; report every step through ``on_event``."""
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    opt = make_optimizer(model, cfg)
    sample_steps = {round(f * cfg.max_steps) for f in cfg.sample_at}
    result = TrainResult()
    start = time.perf_counter()
    model.train()
    step = 0
    while True:
        elapsed = time.perf_counter() - start
        final = step == cfg.max_steps or (cfg.max_seconds is not None and elapsed >= cfg.max_seconds)
        if step in sample_steps or (final and step > 0):
            _record_sample(model, corpus, cfg, result, step, elapsed, final)
            if on_event:
                last = result.losses[-1][1] if result.losses else result.samples[-1].val_loss
                on_event(TrainEvent(step, cfg.max_steps, elapsed, last, result.samples[-1]))
        elif step > 0 and on_event:
            on_event(TrainEvent(step, cfg.max_steps, elapsed, result.losses[-1][1]))
        if final:
            result.stopped_by_time = step < cfg.max_steps
            break
        loss = _step(model, opt, corpus, cfg, step, gen)
        step += 1
        result.losses.append((step, loss))
    result.steps, result.seconds = step, time.perf_counter() - start
    model.eval()
    return result


def _record_sample(model: GPT, corpus: Corpus, cfg: TrainConfig, result: TrainResult,
                   step: int, elapsed: float, final: bool) -> None:
    """Add a sample; a last-moment one replaces a sample taken just before (time ran out)."""
    last = result.samples[-1].step if result.samples else 0
    if final and last > 0 and step - last < max(1, cfg.max_steps // 50):
        result.samples.pop()
    result.samples.append(make_sample(model, corpus, cfg, step, elapsed))


def make_optimizer(model: GPT, cfg: TrainConfig) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices and embeddings only (not biases or LayerNorm)."""
    params = list(model.parameters())
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": cfg.weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=cfg.learning_rate, betas=(0.9, 0.99))


def _step(model: GPT, opt, corpus: Corpus, cfg: TrainConfig, step: int, gen) -> float:
    """One optimiser step on a fresh random batch; returns its loss."""
    for group in opt.param_groups:
        group["lr"] = lr_at(step, cfg)
    x, y = get_batch(corpus.train, model.cfg.block_size, cfg.batch_size, gen)  # (B, T), (B, T)
    loss = model(x, y).loss
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
    opt.step()
    return loss.item()


#: The decoder trained live in ``/train-demo model=transformer``: small enough to learn
#: visibly in well under a minute on one CPU thread.
LIVE_MODEL = {"block_size": 64, "n_layer": 2, "n_head": 4, "n_embd": 64, "dropout": 0.0}


def train_live(
    cfg: TrainConfig, on_event: Callable[[TrainEvent], None] | None = None
) -> tuple[TrainResult, GPT]:
    """Train a fresh small decoder from scratch on the corpus (seeded by ``cfg.seed``)."""
    corpus = cached_corpus()
    torch.manual_seed(cfg.seed)
    model = GPT(GPTConfig(vocab_size=corpus.vocab.size, **LIVE_MODEL))
    return train(model, corpus, cfg, on_event), model
