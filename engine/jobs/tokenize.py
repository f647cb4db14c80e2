"""/tokenize: how GPT-4's tokenizer splits the learner's text."""

from __future__ import annotations

from engine.commands import Request
from engine.demos import cl100k
from engine.plots.tokens import Span, render_tokens
from engine.replies import Image, ProgressFn, Reply

IDS_SHOWN = 64


def warm() -> None:
    """Load the encoding once when a worker starts."""
    cl100k.encoding()


def run(request: Request, progress: ProgressFn) -> Reply:
    """Tokenize the text and picture the spans."""
    text = request.text
    tokens = cl100k.tokenize(text)
    ids = [t.id for t in tokens]
    per_token = len(text) / len(tokens)
    summary = (f"{len(tokens)} tokens · {len(text)} characters · "
               f"{per_token:.2f} characters per token")
    png = render_tokens([Span(t.text, t.id, t.partial) for t in tokens],
                        title="cl100k_base (GPT-4, GPT-3.5) — each colour is one token",
                        footer=summary)
    shown = ", ".join(map(str, ids[:IDS_SHOWN])) + (", …" if len(ids) > IDS_SHOWN else "")
    lines = [
        f"**{len(tokens)} tokens** for {len(text)} characters "
        f"({per_token:.2f} characters per token) with cl100k_base, GPT-4's tokenizer.",
        f"Token ids: `[{shown}]`",
        "_Models read and bill by the token, not the word: common words are one token, "
        "rare names and other languages take several._",
    ]
    if any(t.partial for t in tokens):
        lines.append("Grey tokens hold only part of a character (shown as their bytes): "
                     "the tokenizer works on UTF-8 bytes, not letters.")
    return Reply(
        text="\n".join(lines),
        images=(Image("tokens.png", png, alt=f"{text[:200]} split into {len(tokens)} tokens"),),
        command=request.canonical(),
        facts={"token_count": len(tokens), "ids": ids, "characters": len(text),
               "chars_per_token": round(per_token, 3)},
    )
