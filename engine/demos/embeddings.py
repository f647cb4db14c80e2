"""Sentence embeddings from all-MiniLM-L6-v2: meaning as a point in 384-dimensional space.

The recipe sentence-transformers uses for this model: run MiniLM, average the last layer's token
vectors over the real tokens (mean pooling with the attention mask, so padding does not count),
then scale the average to length 1. The cosine similarity of two sentences is then simply the dot
product of their vectors. To draw the points we project them onto the 2 directions along which
they differ most (PCA through an SVD), with a fixed sign so the same sentences always give the
same picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.demos.minilm import load_minilm

MAX_SEQ_LENGTH = 256  # the model's sentence-transformers config cuts sentences here


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average token vectors (B, T, D) over positions where mask (B, T) is 1 -> (B, D)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
    summed = (hidden * weights).sum(dim=1)  # (B, D)
    counts = weights.sum(dim=1).clamp(min=1e-9)  # (B, 1)
    return summed / counts


def embed(sentences: list[str]) -> np.ndarray:
    """L2-normalised sentence embeddings (N, 384) for a batch of sentences."""
    minilm = load_minilm()
    batch = minilm.tokenizer(
        sentences, padding=True, truncation=True, max_length=MAX_SEQ_LENGTH, return_tensors="pt"
    )
    with torch.no_grad():
        hidden = minilm.model(**batch).last_hidden_state  # (N, T, 384)
    pooled = mean_pool(hidden, batch["attention_mask"])  # (N, 384)
    normalised = torch.nn.functional.normalize(pooled, p=2, dim=1)  # (N, 384), each of length 1
    return normalised.numpy().astype(np.float64)


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of rows of (N, D) -> (N, N), 1 on the diagonal."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)  # (N, 1)
    unit = vectors / np.where(norms == 0, 1.0, norms)
    return np.clip(unit @ unit.T, -1.0, 1.0)  # (N, N)


@dataclass(frozen=True)
class Projection:
    """Points in 2-D and how much of the spread each axis keeps."""

    points: np.ndarray  # (N, 2)
    explained: tuple[float, float]  # share of total variance on axis 1 and axis 2


def pca_2d(vectors: np.ndarray) -> Projection:
    """Project rows of (N, D) onto their 2 main directions; each direction's sign is fixed so
    that its largest-magnitude coordinate is positive (SVD alone may flip it between runs)."""
    centred = vectors - vectors.mean(axis=0, keepdims=True)  # (N, D)
    _, singular, directions = np.linalg.svd(centred, full_matrices=False)  # directions: (k, D)
    directions = directions[:2]
    for row in directions:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    points = centred @ directions.T  # (N, <=2)
    if points.shape[1] < 2:
        points = np.pad(points, ((0, 0), (0, 2 - points.shape[1])))
    variance = singular**2
    total = float(variance.sum())
    explained = [float(v / total) if total > 0 else 0.0 for v in variance[:2]]
    explained += [0.0] * (2 - len(explained))
    return Projection(points, (explained[0], explained[1]))


@dataclass(frozen=True)
class EmbeddingResult:
    """Everything /embed shows."""

    sentences: list[str]
    vectors: np.ndarray  # (N, 384)
    similarity: np.ndarray  # (N, N)
    projection: Projection


def compare_sentences(sentences: list[str]) -> EmbeddingResult:
    """Embed sentences, compare every pair and project them to 2-D."""
    vectors = embed(sentences)
    return EmbeddingResult(sentences, vectors, cosine_matrix(vectors), pca_2d(vectors))


def most_similar_pair(similarity: np.ndarray) -> tuple[int, int, float]:
    """The two different sentences with the highest cosine similarity (i < j)."""
    n = similarity.shape[0]
    rows, cols = np.triu_indices(n, k=1)
    best = int(np.argmax(similarity[rows, cols]))
    return int(rows[best]), int(cols[best]), float(similarity[rows[best], cols[best]])


def least_similar_pair(similarity: np.ndarray) -> tuple[int, int, float]:
    """The two sentences with the lowest cosine similarity (i < j)."""
    n = similarity.shape[0]
    rows, cols = np.triu_indices(n, k=1)
    worst = int(np.argmin(similarity[rows, cols]))
    return int(rows[worst]), int(cols[worst]), float(similarity[rows[worst], cols[worst]])
