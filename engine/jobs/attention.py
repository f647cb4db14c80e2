"""/attention: the real attention weights of a transformer, with patterns named from the weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.commands import Request
from engine.demos.attention import MAX_TOKENS, minilm_attention
from engine.demos.attention_patterns import (
    HeadPattern,
    classify_heads,
    describe_head,
    is_causal,
    short_tag,
    strongest_heads,
    strongest_links,
    summarise_layer,
)
from engine.demos.minilm import load_minilm
from engine.demos.tokenizers import clean_text, visible
from engine.domain.errors import BadInput, BadOption
from engine.domain.replies import Button, Image, ProgressFn, Reply, cmd
from engine.domain.text import shorten
from engine.plots.attention import render_grid, render_head
from engine.plots.attention_lines import render_layer_lines

MODEL_NAMES = {"minilm": "MiniLM (all-MiniLM-L6-v2, a small BERT)", "tiny-gpt": "our tiny GPT"}
SPECIALS = frozenset({"[CLS]", "[SEP]", "[PAD]"})


@dataclass(frozen=True)
class Weights:
    """What every model hands the analysis: tokens, (L, H, T, T) weights and how it was cut."""

    tokens: list[str]
    weights: np.ndarray
    total_tokens: int
    own_error: float | None = None  # our recomputation vs the model (MiniLM only)


def warm() -> None:
    """Load MiniLM once when a worker starts and run it once."""
    load_minilm()
    minilm_attention("warm up")


def _tiny_gpt(text: str) -> Weights:
    """The tiny GPT's causal attention (one token per character), cut to MAX_TOKENS."""
    from engine.demos.tiny_gpt import tiny_gpt_attention

    try:
        chars, weights = tiny_gpt_attention(text, MAX_TOKENS)
    except ValueError as err:
        raise BadInput(f"The tiny GPT cannot read that text ({err}).") from None
    tokens = [visible(c) for c in chars]
    # a character vocabulary reads one token per character, so the text's length is its count
    return Weights(tokens, np.asarray(weights), max(len(tokens), len(text)))


def load_weights(model: str, text: str) -> Weights:
    """Attention of the chosen model for the text, cut to MAX_TOKENS tokens."""
    if model == "tiny-gpt":
        return _tiny_gpt(text)
    result = minilm_attention(text)
    return Weights(result.tokens, result.weights, result.total_tokens, result.max_abs_error)


def pick_head(
    classified: list[list[HeadPattern]], layer: int | None, head: int | None
) -> HeadPattern:
    """The requested head; when layer or head is left open, the clearest head there."""
    layers, heads = len(classified), len(classified[0])
    if layer is not None and layer > layers:
        raise BadOption(f"`layer` must be from 1 to {layers} for this model; got {layer}.")
    if head is not None and head > heads:
        raise BadOption(f"`head` must be from 1 to {heads} for this model; got {head}.")
    candidates = [
        h
        for row in classified
        for h in row
        if (layer is None or h.layer == layer) and (head is None or h.head == head)
    ]
    clear = [h for h in candidates if h.pattern not in ("mixed", "broad")] or candidates
    return max(clear, key=lambda h: h.score)


def _links(data: Weights, chosen: HeadPattern) -> list[tuple[int, int, float]]:
    """The chosen head's three strongest links between words (not [CLS]/[SEP], not self)."""
    matrix = data.weights[chosen.layer - 1, chosen.head - 1]  # (T, T)
    return strongest_links(data.tokens, matrix, limit=3, skip=SPECIALS)


def _link_lines(data: Weights, chosen: HeadPattern) -> list[str]:
    links = _links(data, chosen)
    words = [
        f"'{data.tokens[i]}' → '{data.tokens[j]}' ({w:.2f})"  # chat fonts draw CJK, emoji
        for i, j, w in links
    ]
    return [f"Strongest links in this head: {', '.join(words)}."] if words else []


def _text(model: str, data: Weights, classified, chosen: HeadPattern, view: str) -> str:
    tokens = data.tokens
    lines = [
        f"**Attention in {MODEL_NAMES[model]}** for {len(tokens)} tokens "
        f"({len(classified)} layers × {len(classified[0])} heads)."
    ]
    if data.total_tokens > len(tokens):
        lines.append(
            f"_Your text has {data.total_tokens} tokens; a picture can label {MAX_TOKENS}, "
            f"so I used the first {len(tokens)}._"
        )
    if view != "grid":
        lines.append(f"Showing {describe_head(tokens, chosen)}.")
        lines += _link_lines(data, chosen)
    lines.append("What the heads do, found in the weights:")
    lines += [f"- {describe_head(tokens, h)}" for h in strongest_heads(classified)]
    lines += [f"- {summarise_layer(tokens, row)}" for row in classified]
    if is_causal(data.weights):
        lines.append(
            "_This is a decoder: each token may look only at itself and earlier tokens (the "
            "causal mask zeroes everything above the diagonal), which is what lets it "
            "predict the next token._"
        )
    if model == "minilm":
        lines.append(
            "_Heads that park on [CLS] or [SEP] are mostly idle: parking is how a head says "
            "'nothing useful for me here'._"
        )
    if data.own_error is not None:
        lines.append(
            f"_Checked: my own softmax(QKᵀ/√d) from the model's queries and keys matches its "
            f"attention to within {data.own_error:.1e}._"
        )
    return "\n".join(lines)


def _picture(view: str, data: Weights, classified, chosen: HeadPattern, model: str) -> bytes:
    where = f"layer {chosen.layer} head {chosen.head}"
    if view == "grid":
        tags = [[short_tag(data.tokens, h) for h in row] for row in classified]
        return render_grid(data.weights, tags, f"{MODEL_NAMES[model]}: every layer and head")
    matrix = data.weights[chosen.layer - 1]  # (heads, T, T)
    if view == "lines":
        tags = [short_tag(data.tokens, h) for h in classified[chosen.layer - 1]]
        title = f"{MODEL_NAMES[model]}: layer {chosen.layer}, head {chosen.head} large"
        return render_layer_lines(data.tokens, matrix, chosen.head - 1, tags, title)
    return render_head(data.tokens, matrix[chosen.head - 1], f"{model}: {where}")


def _buttons(request: Request, chosen: HeadPattern) -> tuple[Button, ...]:
    base = f"run:/attention {request.text}"
    model = f" model={request['model']}" if request["model"] != "minilm" else ""
    spot = f" layer={chosen.layer} head={chosen.head}"
    views = {"head": "One head", "grid": "Every head", "lines": "As lines"}
    return tuple(
        Button(f"{base}{spot if view != 'grid' else ''} view={view}{model}", label)
        for view, label in views.items()
        if view != request["view"]
    )


def run(request: Request, progress: ProgressFn) -> Reply:
    """Compute the attention, find its patterns and draw the chosen view."""
    text = clean_text(request.text)
    if not text.strip():
        raise BadInput("`/attention` needs some text, e.g. "
                       f"`{cmd('attention', 'The cat sat on the mat', 'text')}`.")
    model, view = request["model"], request["view"]
    data = load_weights(model, text)
    if not [t for t in data.tokens if t not in SPECIALS]:
        raise BadInput(
            "The model found no words in that text (spaces and control characters are dropped). "
            f"Try a sentence, e.g. `{cmd('attention', 'The cat sat on the mat', 'text')}`."
        )
    classified = classify_heads(data.tokens, data.weights)
    chosen = pick_head(classified, request["layer"], request["head"])
    png = _picture(view, data, classified, chosen, model)
    alt = f"{view} view of attention for: {shorten(text, 150)}"
    return Reply(
        text=_text(model, data, classified, chosen, view),
        images=(Image(f"attention-{view}.png", png, alt=alt),),
        buttons=_buttons(request, chosen),
        command=request.invocation(),
        facts={
            "model": model,
            "tokens": data.tokens,
            "total_tokens": data.total_tokens,
            "truncated": data.total_tokens > len(data.tokens),
            "layer": chosen.layer,
            "head": chosen.head,
            "pattern": chosen.pattern,
            "patterns": [[h.pattern for h in row] for row in classified],
            # the chosen head's strongest links, as the text names them: [from, to, weight]
            "links": [[data.tokens[i], data.tokens[j], round(w, 4)]
                      for i, j, w in _links(data, chosen)],
            "max_abs_error": data.own_error,
        },
    )
