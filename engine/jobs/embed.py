"""/embed: sentences as vectors of meaning, compared (all-MiniLM-L6-v2)."""

from __future__ import annotations

from engine.commands import Request
from engine.demos.embeddings import compare_sentences, least_similar_pair, most_similar_pair
from engine.demos.minilm import load_minilm, load_wordpiece
from engine.demos.tokenizers import clean_text
from engine.domain.errors import BadInput
from engine.domain.replies import Image, ProgressFn, Reply, cmd
from engine.domain.text import shorten
from engine.plots.embeddings import render_embeddings

MIN_SENTENCES, MAX_SENTENCES = 2, 10


def warm() -> None:
    """Load MiniLM once when a worker starts."""
    load_minilm()


def split_sentences(text: str) -> list[str]:
    """'A | B | C' -> ['A', 'B', 'C']; empty pieces are dropped; 2 to 10 are allowed."""
    sentences = [s.strip() for s in clean_text(text).split("|")]
    sentences = [s for s in sentences if s]
    if not MIN_SENTENCES <= len(sentences) <= MAX_SENTENCES:
        raise BadInput(
            f"`/embed` compares {MIN_SENTENCES} to {MAX_SENTENCES} sentences separated by `|`; "
            f"I found {len(sentences)}. Example: "
            f"`{cmd('embed', 'A cat sleeps | A kitten naps | Stocks fell', 'sentences')}`"
        )
    return sentences


def _unknown_only(sentence: str) -> bool:
    """True when MiniLM knows none of the sentence's characters (all [UNK])."""
    tokens = load_wordpiece().encode(sentence, add_special_tokens=False).tokens
    return not tokens or all(t == "[UNK]" for t in tokens)


def run(request: Request, progress: ProgressFn) -> Reply:
    """Embed the sentences, compare every pair and draw the matrix and a 2-D map."""
    sentences = split_sentences(request.text)
    result = compare_sentences(sentences)
    sim = result.similarity
    png = render_embeddings(sentences, sim, result.projection.points, result.projection.explained)
    i, j, best = most_similar_pair(sim)
    k, m, worst = least_similar_pair(sim)
    lines = [
        f"**{len(sentences)} sentences as points of meaning** (all-MiniLM-L6-v2: each sentence "
        "becomes 384 numbers, the average of its token vectors, scaled to length 1).",
        *[f"- S{n + 1}: {shorten(s, 90)}" for n, s in enumerate(sentences)],
        f"Closest: S{i + 1} and S{j + 1} (cosine similarity {best:.2f}). "
        f"Furthest apart: S{k + 1} and S{m + 1} ({worst:.2f}).",
    ]
    ranking = sorted(range(1, len(sentences)), key=lambda n: -sim[0][n])
    if len(sentences) > 2:
        ranked = " · ".join(f"S{n + 1} {sim[0][n]:.2f}" for n in ranking)
        lines.append(f"With S1 as the search query, a retriever would rank: {ranked}.")
    lines.append(
        "_Closeness comes from what the sentences are about more than from shared words, "
        "which is how semantic search and retrieval (RAG) find a passage. Each vector is an "
        "average over tokens, so word order barely changes it: 'dog bites man' and 'man bites "
        "dog' land close together._"
    )
    unknown = [n + 1 for n, s in enumerate(sentences) if _unknown_only(s)]
    if unknown:
        names = ", ".join(f"S{n}" for n in unknown)
        lines.append(
            f"_{names}: MiniLM knows none of those characters ([UNK]), so that vector "
            "carries almost no meaning._"
        )
    return Reply(
        text="\n".join(lines),
        images=(Image("embeddings.png", png, alt=f"similarity of {len(sentences)} sentences"),),
        command=request.invocation(),
        facts={
            "sentences": sentences,
            "similarity": [[round(float(v), 4) for v in row] for row in sim],
            "points": [[round(float(v), 4) for v in row] for row in result.projection.points],
            "most_similar": [i + 1, j + 1, round(best, 4)],
            "least_similar": [k + 1, m + 1, round(worst, 4)],
            "ranking": [n + 1 for n in ranking],  # S2.. by closeness to S1, closest first
        },
    )
