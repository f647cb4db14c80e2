"""Named attention patterns, found in the weights themselves (any model, any length).

Input is always `tokens: list[str]` and `weights: ndarray (layers, heads, T, T)` whose rows
sum to 1 (row = the token that looks, column = the token looked at). Each pattern scores a head
between 0 and 1 as the average share of a row's attention that goes to one place: the previous
token, the next token, the token itself, the first token ([CLS] in BERT), or [SEP]. "broad" is
the normalised entropy of the rows (1 = perfectly uniform). Works for causal (decoder) attention
too: "next token" is impossible there and is skipped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

MOSTLY = 0.5  # a head "mostly" does X when X takes at least half of its attention on average
BROAD = 0.8  # normalised entropy above which a head counts as spreading its attention
SEPARATORS = frozenset({"[SEP]"})


@dataclass(frozen=True)
class HeadPattern:
    """The dominant pattern of one head (layer and head are 1-based, as the lesson counts)."""

    layer: int
    head: int
    pattern: str  # a key of PHRASES
    score: float  # share of attention (or normalised entropy for "broad")
    scores: dict[str, float]


def is_causal(weights: np.ndarray, tol: float = 1e-6) -> bool:
    """True when no token attends to later tokens (everything above the diagonal is ~0)."""
    upper = np.triu(np.ones(weights.shape[-2:], dtype=bool), k=1)  # (T, T)
    return bool(np.all(weights[..., upper] <= tol))


def first_token_name(tokens: list[str]) -> str:
    """How the text calls the first position: "[CLS]" for BERT, "the first token" otherwise."""
    return "[CLS]" if tokens and tokens[0] == "[CLS]" else "the first token"


def targets(tokens: list[str]) -> dict[str, str]:
    """Where each positional/special pattern sends attention, as a noun phrase."""
    return {
        "previous": "the previous token",
        "next": "the next token",
        "self": "the token itself",
        "first": first_token_name(tokens),
        "separator": "[SEP]",
    }


def phrase(tokens: list[str], pattern: str, plural: bool = False) -> str:
    """A pattern in words: 'attends to the previous token' (or 'attend to ...' for many heads)."""
    if pattern == "broad":
        return "spread their attention broadly" if plural else "spreads its attention broadly"
    if pattern == "mixed":
        return "show no single simple pattern" if plural else "shows no single simple pattern"
    verb = "park on" if pattern in ("first", "separator") else "attend to"
    if not plural:
        verb = verb.replace("park", "parks").replace("attend", "attends")
    return f"{verb} {targets(tokens)[pattern]}"


def _visible_counts(weights: np.ndarray) -> np.ndarray:
    """How many tokens each row may look at: T for bidirectional, i + 1 for causal -> (T,)."""
    length = weights.shape[-1]
    return np.arange(1, length + 1) if is_causal(weights) else np.full(length, length)


def _row_mean(per_row: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Average (L, H, T) over the selected rows -> (L, H); zeros when no row qualifies."""
    if not rows.any():
        return np.zeros(per_row.shape[:2])
    return per_row[..., rows].mean(-1)


def normalised_entropy(weights: np.ndarray) -> np.ndarray:
    """Mean over rows of entropy / log(number of tokens the row may see) -> (layers, heads)."""
    allowed = _visible_counts(weights)  # (T,)
    p = np.clip(weights, 1e-12, 1.0)
    entropy = -(weights * np.log(p)).sum(-1)  # (L, H, T)
    rows = allowed > 1
    return _row_mean(entropy / np.log(np.maximum(allowed, 2)), rows)  # (L, H)


def pattern_scores(tokens: list[str], weights: np.ndarray) -> dict[str, np.ndarray]:
    """Every pattern's score for every head: name -> (layers, heads) array in [0, 1].

    Only rows with a real choice count: in causal attention the first token can only look at
    itself, so it says nothing about a head's habits.
    """
    length = len(tokens)
    if weights.ndim != 4 or weights.shape[-2:] != (length, length):
        raise ValueError(
            f"weights must be (layers, heads, {length}, {length}), got {weights.shape}"
        )
    causal = is_causal(weights)
    index = np.arange(length)
    rows = _visible_counts(weights) > 1  # (T,)
    before, after = np.maximum(index - 1, 0), np.minimum(index + 1, length - 1)
    scores = {"previous": _row_mean(weights[..., index, before], rows & (index > 0))}
    if not causal:
        scores["next"] = _row_mean(weights[..., index, after], rows & (index < length - 1))
    scores["self"] = _row_mean(weights[..., index, index], rows)
    scores["first"] = _row_mean(weights[..., :, 0], rows)
    separators = [j for j, t in enumerate(tokens) if t in SEPARATORS]
    if separators:
        scores["separator"] = _row_mean(weights[..., :, separators].sum(-1), rows)
    scores["broad"] = normalised_entropy(weights)
    return scores


def classify_heads(tokens: list[str], weights: np.ndarray) -> list[list[HeadPattern]]:
    """The dominant pattern of every head: [layer][head] -> HeadPattern."""
    scores = pattern_scores(tokens, weights)
    mass = [name for name in scores if name != "broad"]
    layers, heads = weights.shape[:2]
    result = []
    for layer in range(layers):
        row = []
        for head in range(heads):
            own = {name: float(s[layer, head]) for name, s in scores.items()}
            best = max(mass, key=lambda name: own[name])
            if own[best] >= MOSTLY:
                pattern, score = best, own[best]
            elif own["broad"] >= BROAD:
                pattern, score = "broad", own["broad"]
            else:
                pattern, score = "mixed", own[best]
            row.append(HeadPattern(layer + 1, head + 1, pattern, score, own))
        result.append(row)
    return result


def describe_head(tokens: list[str], head: HeadPattern) -> str:
    """One sentence, e.g. 'layer 1 head 3 mostly attends to the previous token (98%)'."""
    where = f"layer {head.layer} head {head.head}"
    if head.pattern == "broad":
        return f"{where} {phrase(tokens, 'broad')} (entropy {head.score:.0%} of uniform)"
    if head.pattern == "mixed":
        best = max((k for k in head.scores if k != "broad"), key=head.scores.__getitem__)
        share = head.scores[best]
        return f"{where} {phrase(tokens, 'mixed')}; its largest share goes to {targets(tokens)[best]} ({share:.0%})"
    return f"{where} mostly {phrase(tokens, head.pattern)} ({head.score:.0%} of its attention)"


def summarise_layer(tokens: list[str], heads: list[HeadPattern]) -> str:
    """A layer in one sentence, e.g. 'most heads in layer 5 park on [CLS] (9 of 12)'."""
    counts = Counter(h.pattern for h in heads)
    layer = heads[0].layer
    pattern, count = counts.most_common(1)[0]
    if count * 2 > len(heads):
        return f"most heads in layer {layer} {phrase(tokens, pattern, plural=True)} ({count} of {len(heads)})"
    parts = ", ".join(f"{n} {name}" for name, n in counts.most_common())
    return f"layer {layer} is a mix ({parts})"


def strongest_heads(classified: list[list[HeadPattern]], limit: int = 4) -> list[HeadPattern]:
    """The clearest example head of each positional/special pattern, best first."""
    best: dict[str, HeadPattern] = {}
    for head in (h for layer in classified for h in layer):
        if head.pattern in ("broad", "mixed"):
            continue
        if head.pattern not in best or head.score > best[head.pattern].score:
            best[head.pattern] = head
    return sorted(best.values(), key=lambda h: -h.score)[:limit]


def strongest_links(
    tokens: list[str], head_weights: np.ndarray, limit: int = 3, skip: frozenset[str] = frozenset()
) -> list[tuple[int, int, float]]:
    """The (query, key, weight) pairs one head (T, T) weighs most, ignoring self-links and `skip` tokens."""
    weights = np.array(head_weights, dtype=float)  # (T, T)
    np.fill_diagonal(weights, -1.0)
    for j, token in enumerate(tokens):
        if token in skip:
            weights[:, j] = -1.0
            weights[j, :] = -1.0
    order = np.argsort(-weights, axis=None, kind="stable")[:limit]
    pairs = [divmod(int(k), weights.shape[1]) for k in order]
    return [(i, j, float(head_weights[i, j])) for i, j in pairs if weights[i, j] >= 0]


def short_tag(tokens: list[str], head: HeadPattern) -> str:
    """A few characters for a thumbnail caption: 'prev 98%', '[CLS] 71%', 'broad', ''."""
    if head.pattern == "mixed":
        return ""
    if head.pattern == "broad":
        return "broad"
    names = {"previous": "prev", "next": "next", "self": "self", "separator": "[SEP]"}
    name = names.get(head.pattern) or ("[CLS]" if first_token_name(tokens) == "[CLS]" else "first")
    return f"{name} {head.score:.0%}"
