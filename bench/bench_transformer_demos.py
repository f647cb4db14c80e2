"""Warm medians of the transformer demos, measured through their job functions in ONE process
that is set up like a pool worker (one torch/BLAS thread, models loaded once by the warm-ups),
then that worker's peak memory.

Run: .venv/bin/python bench/bench_transformer_demos.py
Goals: /attention (12 tokens) <= 0.4 s, /tokenize comparison <= 0.25 s, /embed (5) <= 0.4 s.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_name] = "1"  # as engine.workers.pool sets them in every worker
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.common import peak_rss_mib, report, timed  # noqa: E402
from bot.app import WARMUPS  # noqa: E402
from engine.commands.parsing import parse  # noqa: E402
from engine.domain.replies import no_progress  # noqa: E402
from engine.jobs import attention, embed, position, tokenize  # noqa: E402

# 12 tokens for MiniLM: [CLS] + 10 word pieces + [SEP]
ATTENTION = "/attention The product team ships a small feature every single week"
TOKENIZE = "/tokenize Tokenization decides what an LLM costs: My name is Pawel 👋 naïve café!"
EMBED = (
    "/embed A cat sleeps on the sofa | A kitten naps on the couch | Stocks fell sharply today"
    " | Share prices dropped at the close | How do I reset my password?"
)
CASES = (
    ("/attention view=head (12 tokens)", attention, ATTENTION, 0.4),
    ("/attention view=grid (12 tokens)", attention, ATTENTION + " view=grid", 0.4),
    ("/attention view=lines (12 tokens)", attention, ATTENTION + " view=lines", 0.4),
    (
        "/attention model=tiny-gpt (23 characters)",
        attention,
        "/attention The cat sat on the mat ok model=tiny-gpt",
        None,
    ),
    ("/tokenize comparison (cl100k + WordPiece)", tokenize, TOKENIZE, 0.25),
    ("/embed 5 sentences", embed, EMBED, 0.4),
    ("/position with 16 tokens", position, "/position " + TOKENIZE[10:], None),
)


def main() -> None:
    torch.set_num_threads(1)
    for warm in WARMUPS:
        warm()
    tokens = attention.run(parse(ATTENTION), no_progress).facts["tokens"]
    assert len(tokens) == 12, tokens
    for name, job, line, goal in CASES:
        request = parse(line)
        report(
            name,
            timed(
                lambda job=job, request=request: job.run(request, no_progress), repeat=20, warmup=2
            ),
            goal=goal,
        )
    print(
        f"peak RSS of a worker with cl100k, WordPiece, MiniLM and the tiny GPT loaded, every "
        "demo run: "
        f"{peak_rss_mib():.0f} MiB"
    )


if __name__ == "__main__":
    main()
