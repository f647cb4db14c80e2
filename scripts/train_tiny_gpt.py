"""Train the tiny GPT shipped with tutorbot and write its checkpoint.

    nice -n 10 python scripts/train_tiny_gpt.py     # ~5 CPU-minutes on one thread

Writes engine/demos/data/tiny_gpt.safetensors (weights) and tiny_gpt.json (config,
vocabulary, training settings and final train/validation loss). Fixed seed: the same
torch build on the same number of threads reproduces the same weights.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.demos.gpt_model import GPT, GPTConfig  # noqa: E402
from engine.demos.lm_training import (  # noqa: E402
    CORPUS_PATH,
    TrainConfig,
    TrainEvent,
    corpus_loss,
    load_corpus,
    train,
)
from engine.demos.tiny_gpt import CHECKPOINT_PATH, META_PATH  # noqa: E402

#: The shipped model's shape (vocab_size is filled in from the corpus).
MODEL = {"block_size": 128, "n_layer": 4, "n_head": 4, "n_embd": 128, "dropout": 0.1}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out-dir", type=Path, default=CHECKPOINT_PATH.parent)
    return p.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    corpus = load_corpus()
    torch.manual_seed(args.seed)
    model_cfg = GPTConfig(vocab_size=corpus.vocab.size, **MODEL)
    model = GPT(model_cfg)
    cfg = TrainConfig(max_steps=args.steps, max_seconds=None, batch_size=args.batch_size,
                      learning_rate=args.lr, seed=args.seed, sample_at=(0.5, 1.0))
    print(f"{model.num_params():,} parameters, vocab {corpus.vocab.size}, "
          f"{len(corpus.train):,} train / {len(corpus.val):,} val characters")

    def report(ev: TrainEvent) -> None:
        if ev.sample:
            print(f"  step {ev.step}: val {ev.sample.val_loss:.3f}  {ev.sample.text!r}")
        elif ev.step % 50 == 0:
            print(f"step {ev.step}/{ev.max_steps}  loss {ev.loss:.3f}  {ev.seconds:.0f}s", flush=True)

    start, cpu_start = time.perf_counter(), time.process_time()
    result = train(model, corpus, cfg, report)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    train_loss = corpus_loss(model, corpus.train)
    val_loss = corpus_loss(model, corpus.val)
    print(f"done in {seconds:.0f}s ({cpu_seconds:.0f}s CPU): train loss {train_loss:.3f}, val loss {val_loss:.3f}")

    args.out_dir.mkdir(parents=True, exist_ok=True)
    weights = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(weights, args.out_dir / CHECKPOINT_PATH.name)
    meta = {
        "config": model_cfg.to_dict(),
        "vocab": corpus.vocab.chars,
        "training": {
            "script": "scripts/train_tiny_gpt.py",
            "seed": args.seed,
            "steps": result.steps,
            "batch_size": args.batch_size,
            "learning_rate": args.lr,
            "threads": args.threads,
            "seconds": round(seconds, 1),  # wall clock: longer on a busy machine
            "cpu_seconds": round(cpu_seconds, 1),
            "tokens_seen": result.steps * args.batch_size * model_cfg.block_size,
            "parameters": model.num_params(),
            "train_loss": round(train_loss, 4),
            "val_loss": round(val_loss, 4),
            "loss": "mean cross-entropy (nats per character) over all of the text",
            "corpus_sha256": hashlib.sha256(CORPUS_PATH.read_bytes()).hexdigest(),
            "torch": torch.__version__,
        },
    }
    (args.out_dir / META_PATH.name).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out_dir / CHECKPOINT_PATH.name} "
          f"({(args.out_dir / CHECKPOINT_PATH.name).stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
