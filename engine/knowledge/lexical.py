"""Lexical search over the chunks: BM25 (``bm25s``) on stemmed, stop-worded tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import bm25s
import numpy as np
import Stemmer

from engine.knowledge.chunks import Chunk

WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# words every question has that say nothing about its topic (on top of English stop words)
QUESTION_WORDS = frozenset(["what", "whats", "how", "why", "when", "where", "which", "who", "whom", "does", "do", "did", "is", "are", "was", "were", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "explain", "mean", "means", "meaning", "tell", "me", "please", "thanks", "thank", "hi", "hello", "hey", "difference", "between", "vs", "versus", "example", "examples", "simple", "simply", "terms", "exactly", "actually", "really", "work", "works", "working", "use", "used", "using", "our", "we", "us", "my", "i", "you", "your", "it", "its", "get", "gets", "thing", "things"])


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | QUESTION_WORDS


def tokens(text: str) -> list[str]:
    """Lower-cased words without stop words, stemmed ("epochs" -> "epoch")."""
    stop = _stopwords()
    words = [w.replace("'", "") for w in WORD.findall(text.casefold())]
    words = [w for w in words if w not in stop and (len(w) > 1 or w.isdigit())]
    return _stemmer().stemWords(words)


class LexicalIndex:
    """BM25 scores of a question against every chunk's ``search_text``."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        corpus = [tokens(c.search_text) for c in chunks]
        self.size = len(corpus)
        self.vocabulary = frozenset(t for doc in corpus for t in doc)
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """One BM25 score per chunk (0 where no query term occurs)."""
        known = [t for t in tokens(query) if t in self.vocabulary]
        if not known or not self.size:
            return np.zeros(self.size)
        return np.asarray(self.bm25.get_scores(known), dtype=np.float64)

    def coverage(self, query: str) -> float:
        """The share of the question's content words the course uses at all (0 to 1)."""
        words = tokens(query)
        if not words:
            return 0.0
        return sum(t in self.vocabulary for t in words) / len(words)
