"""Hybrid retrieval, pure: reciprocal rank fusion of the lexical ranking, the dense ranking
(cosine similarities computed in a worker) and exact term matches, then the decision whether
the course covers the question at all (a threshold calibrated on bench/data/ask_eval.yaml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from engine.knowledge.chunks import Chunk
from engine.knowledge.lexical import LexicalIndex

RRF_K = 60  # the constant of Cormack et al. (2009): damps the weight of the very top ranks
DEPTH = 40  # how deep each ranking goes into the fusion
TERM_WEIGHT = 1.0  # an exact glossary term / lesson alias in the question counts as a ranking


@dataclass(frozen=True)
class Threshold:
    """When the course covers a question: the best passage's meaning is close enough
    (cosine of MiniLM embeddings), or — without the dense side — BM25 finds enough.

    ``dense``: minimum best cosine; ``coverage``: minimum share of the question's content words
    the course uses; ``lexical``: minimum best BM25 score when only BM25 is available."""

    dense: float = 0.40
    coverage: float = 0.34
    lexical: float = 1.5
    lexical_coverage: float = 0.75  # BM25 alone: most of the question's words are the course's
    margin: float = 0.08  # dense may be this much lower when a course term is named exactly

    def accepts(self, ranking: Ranking) -> bool:
        if not ranking.hits or ranking.coverage < self.coverage:
            return False
        if ranking.dense_top is None:
            return (ranking.lexical_top >= self.lexical
                    and ranking.coverage >= self.lexical_coverage)
        floor = self.dense - (self.margin if ranking.term_hits else 0.0)
        return ranking.dense_top >= floor


@dataclass(frozen=True)
class Hit:
    """One chunk in the fused ranking."""

    chunk: Chunk
    score: float  # fused (RRF)
    lexical: float  # BM25
    dense: float | None  # cosine, when the dense side answered


@dataclass(frozen=True)
class Ranking:
    """The fused ranking of one question and the signals the threshold reads."""

    hits: tuple[Hit, ...]
    dense_top: float | None
    lexical_top: float
    coverage: float
    term_hits: tuple[str, ...] = ()  # glossary terms / aliases named in the question

    @cached_property
    def lessons(self) -> tuple[str, ...]:
        """Lesson ids in the order their first chunk ranks."""
        return tuple(dict.fromkeys(h.chunk.lesson_id for h in self.hits))


def rrf(rankings: Sequence[Sequence[int]], *, k: int = RRF_K,
        weights: Sequence[float] | None = None) -> dict[int, float]:
    """Reciprocal rank fusion: each ranking adds weight / (k + rank) to each item it ranks."""
    fused: dict[int, float] = {}
    for index, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[index]
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


class TermIndex:
    """Which chunks a question names exactly: a glossary term or alias, a lesson's title or
    alias (whole words, case ignored). Longer names first: "fine-tuning" before "tuning"."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        names: dict[str, list[int]] = {}
        for index, chunk in enumerate(chunks):
            for key in chunk.names:
                norm = _norm(key)
                if len(norm) >= 2 and index not in names.get(norm, ()):
                    names.setdefault(norm, []).append(index)  # once, however many names match
        self.names = {k: tuple(v) for k, v in names.items()}
        alternatives = sorted(self.names, key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<![a-z0-9])(" + "|".join(re.escape(n) for n in alternatives) + r")(?![a-z0-9])"
        ) if alternatives else None

    def find(self, query: str) -> tuple[tuple[str, ...], list[int]]:
        """The names found in the question and the chunks they point at (glossary first)."""
        if self.pattern is None:
            return (), []
        found = tuple(dict.fromkeys(m.group(1) for m in self.pattern.finditer(_norm(query))))
        chunks: list[int] = []
        for name in found:
            chunks += [i for i in self.names[name] if i not in chunks]
        return found, chunks


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[-_/]+", " ", text.casefold()).split())


def rank(chunks: Sequence[Chunk], lexical: LexicalIndex, terms: TermIndex, query: str,
         dense: np.ndarray | None = None, *, depth: int = DEPTH) -> Ranking:
    """Fuse BM25, the dense cosines (None: lexical only) and exact term matches."""
    bm25 = lexical.scores(query)
    lexical_order = [int(i) for i in np.argsort(-bm25, kind="stable")[:depth] if bm25[i] > 0]
    rankings = [lexical_order]
    weights = [1.0]
    if dense is not None:
        rankings.append([int(i) for i in np.argsort(-dense, kind="stable")[:depth]])
        weights.append(1.0)
    found, term_chunks = terms.find(query)
    if term_chunks:
        rankings.append(term_chunks[:depth])
        weights.append(TERM_WEIGHT)
    fused = rrf(rankings, weights=weights)
    order = sorted(fused, key=lambda i: (-fused[i], i))
    hits = tuple(Hit(chunks[i], fused[i], float(bm25[i]),
                     None if dense is None else float(dense[i])) for i in order)
    return Ranking(hits=hits,
                   dense_top=None if dense is None or not len(dense) else float(dense.max()),
                   lexical_top=float(bm25.max()) if len(bm25) else 0.0,
                   coverage=lexical.coverage(query), term_hits=found)
