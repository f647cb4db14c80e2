"""/tokenize: the learner's text through several tokenizers, compared in one picture."""

from __future__ import annotations

from engine.commands import Request
from engine.demos.tokenizers import TOKENIZERS, Tokenization, compare
from engine.domain.replies import Image, ProgressFn, Reply
from engine.plots.tokens import render_token_comparison

IDS_SHOWN = 64
NOTES = {
    "cl100k_base": "`␣` marks a space that belongs to the token: GPT's BPE keeps spaces "
    "inside tokens, so ` name` and `name` are different tokens.",
    "bert-wordpiece": "WordPiece lower-cases, drops spaces, and marks a piece that continues "
    "a word with `##`; `[UNK]` means the character is not in its 30k vocabulary.",
    "utf8-bytes": "Raw bytes are what byte-level BPE starts from before it learns merges: "
    "no unknown characters, but many tokens.",
}


def warm() -> None:
    """Load every tokenizer once when a worker starts (cheap: no model weights)."""
    for tokenizer in TOKENIZERS.values():
        tokenizer.encode("warm up")


def _ids(result: Tokenization) -> str:
    ids = result.ids
    return "[" + ", ".join(map(str, ids[:IDS_SHOWN])) + (", …]" if len(ids) > IDS_SHOWN else "]")


def _plural(n: int) -> str:
    return f"{n} token" if n == 1 else f"{n} tokens"


def _lines(text: str, results: list[Tokenization]) -> list[str]:
    first, *others = results
    first_label = TOKENIZERS[first.tokenizer].label
    lines = [
        f"**{_plural(first.count)}** for {len(text)} characters "
        f"({first.chars_per_token:.2f} characters per token) with {first_label}.",
        f"Token ids: `{_ids(first)}`",
    ]
    for other in others:
        lines.append(
            f"- {TOKENIZERS[other.tokenizer].label}: **{_plural(other.count)}** "
            f"({other.chars_per_token:.2f} characters per token), ids `{_ids(other)}`"
        )
    if others:
        lines.append(_verdict(results))
    lines += [f"_{NOTES[r.tokenizer]}_" for r in results]
    if any(t.partial for r in results for t in r.tokens):
        lines.append(
            "`<0x..>` chips hold only part of a character (its UTF-8 bytes): byte-level "
            "tokenizers work on bytes, not letters, so one emoji can take several tokens."
        )
    return lines


def _verdict(results: list[Tokenization]) -> str:
    """Who used the fewest tokens: a winner only when exactly one used strictly fewest."""
    fewest = min(r.count for r in results)
    best = [TOKENIZERS[r.tokenizer].label for r in results if r.count == fewest]
    why = ("Models read, remember and bill by the token, so the same text can cost different "
           "amounts in different models.")
    if len(best) == 1:
        return f"Fewest tokens: {best[0]}. {why}"
    if len(best) == len(results):
        return f"A tie: every tokenizer used {_plural(fewest)}. {why}"
    return f"A tie for fewest tokens ({_plural(fewest)}): {' and '.join(best)}. {why}"


def run(request: Request, progress: ProgressFn) -> Reply:
    """Tokenize the text with each chosen tokenizer and picture them together."""
    text = request.text
    names = tuple(request.options.get("tokenizers") or ("cl100k_base",))
    results = compare(text, names)
    labels = [TOKENIZERS[n].label for n in names]
    count = "1 tokenizer" if len(names) == 1 else f"{len(names)} tokenizers"
    title = f"Your {len(text)} characters through {count} (each chip is one token, id below)"
    png = render_token_comparison(results, labels, title)
    first = results[0]
    alt = "; ".join(f"{lab}: {r.count} tokens" for lab, r in zip(labels, results, strict=True))
    return Reply(
        text="\n".join(_lines(text, results)),
        images=(Image("tokens.png", png, alt=f"{text[:150]} — {alt}"),),
        command=request.invocation(),
        facts={
            "token_count": first.count,
            "ids": first.ids,
            "characters": len(text),
            "chars_per_token": round(first.chars_per_token, 3),
            "tokenizers": {
                r.tokenizer: {
                    "token_count": r.count,
                    "ids": r.ids,
                    "chars_per_token": round(r.chars_per_token, 3),
                }
                for r in results
            },
        },
    )
