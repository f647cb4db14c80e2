"""/position: how a transformer knows word order (sinusoidal, learned and rotary positions)."""

from __future__ import annotations

from engine.commands import Request
from engine.demos.positions import SCHEMES, rope_relative_check, similarity_by_distance, sinusoidal
from engine.demos.tokenizers import get_tokenizer
from engine.domain.errors import BadOption
from engine.domain.replies import Image, ProgressFn, Reply
from engine.plots.positions import render_positions

MAX_TOKENS = 64
EMPTY_POSITIONS = 48  # rows drawn when no text is given


def _rope_line() -> str:
    near, far = rope_relative_check(distance=3), rope_relative_check(distance=9)
    pairs = ", ".join(f"({q},{k})" for q, k in near.pairs)
    return (
        f"RoPE, checked numerically: one query and one key at positions {pairs} — always 3 apart — "
        f"score {near.scores[0]:.3f} every time (spread {near.spread:.0e}); 9 apart they score "
        f"{far.scores[0]:.3f}. Only the distance matters, not where in the text."
    )


def run(request: Request, progress: ProgressFn) -> Reply:
    """Draw the sinusoidal table with the learner's tokens and explain the three schemes."""
    dims = request["dims"]
    if dims % 2:
        raise BadOption(
            f"`dims` must be an even number (sine and cosine come in pairs); got {dims}."
        )
    tokenization = get_tokenizer("cl100k_base").tokenize(request.text) if request.text else None
    tokens = [t.display for t in tokenization.tokens] if tokenization else []
    cut = len(tokens) > MAX_TOKENS
    tokens = tokens[:MAX_TOKENS]
    positions = max(32, len(tokens) + 8) if tokens else EMPTY_POSITIONS
    table = sinusoidal(positions, dims)  # (positions, dims)
    png = render_positions(table, tokens, similarity_by_distance(table))
    lines = [
        "**Word order.** Attention alone cannot tell 'dog bites man' from 'man bites dog', "
        "so every transformer adds position information. Three ways:"
    ]
    lines += [f"- **{s.name}** ({s.used_by}): {s.how}; {s.trade_off}." for s in SCHEMES.values()]
    if tokens:
        lines.append(
            f"The picture marks your {len(tokens)} tokens (GPT-4's tokenizer) at positions "
            f"0–{len(tokens) - 1}; each row is the {dims}-number vector added to that token."
        )
    if cut:
        lines.append(
            f"_Your text has {tokenization.count} tokens; I marked the first {MAX_TOKENS}._"
        )
    lines.append(_rope_line())
    return Reply(
        text="\n".join(lines),
        images=(Image("positions.png", png, alt=f"sinusoidal positions, {positions} x {dims}"),),
        command=request.invocation(),
        facts={
            "positions": positions,
            "dims": dims,
            "tokens": tokens,
            "rope_scores": list(rope_relative_check(distance=3).scores),
            # the largest difference between those scores: ~0 when only the distance matters
            "rope_spread": float(rope_relative_check(distance=3).spread),
            "rope_far_score": float(rope_relative_check(distance=9).scores[0]),
        },
    )
