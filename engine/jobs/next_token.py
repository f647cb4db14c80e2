"""/next-token: what the tiny GPT expects next, at low, medium and high temperature.

torch and matplotlib are imported inside the functions: this module is imported by the Tutor
in the event-loop process (to name the job), but only pool workers should pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.commands import Request
from engine.domain.replies import Button, Image, ProgressFn, Reply
from engine.plots.text_glyphs import one_line, percent, token_label

if TYPE_CHECKING:
    from engine.demos.tiny_gpt import Distribution
    from engine.plots.next_token import TemperaturePanel

#: The temperatures every picture compares (the learner's own is added if different).
TEMPERATURES = (0.2, 0.8, 1.5)
BARS = 8  # characters shown per temperature
SAMPLE_CHARS = 60
LISTED = 5  # top characters named in the text
EXPLAIN = (
    "The model gives every possible next character a score. **Temperature** divides the scores "
    "before they become probabilities: low (0.2) makes the favourite almost certain, so text is "
    "safe but repetitive; high (1.5) flattens the odds, so unlikely characters get picked and "
    "text gets varied — and sloppy. It never changes what the model knows, only how boldly it "
    "picks."
)


def warm() -> None:
    """Load the tiny GPT (and matplotlib) once when a worker starts."""
    import engine.plots.next_token  # noqa: F401
    from engine.demos.tiny_gpt import load_tiny_gpt

    load_tiny_gpt()


def _panels(request: Request, seed: int) -> tuple[list[TemperaturePanel], dict[float, Distribution]]:
    """One panel per temperature (the fixed three plus the learner's own)."""
    from engine.demos.tiny_gpt import next_token_distributions, sample_many
    from engine.plots.next_token import TemperaturePanel

    mine, top_k = request.options["temperature"], request.options.get("top_k")
    temps = sorted({*TEMPERATURES, mine})
    dists = dict(zip(temps, next_token_distributions(request.text, temps, top_k), strict=True))
    texts = sample_many(request.text, SAMPLE_CHARS, temps, top_k, seed)
    panels = [TemperaturePanel(t, dists[t].tokens[:BARS], dists[t].probs[:BARS].tolist(), text,
                               highlight=t == mine) for t, text in zip(temps, texts, strict=True)]
    return panels, dists


def _notes(dist: Distribution) -> list[str]:
    """Plain words about anything the model could not read as typed."""
    from engine.demos.tiny_gpt import load_tiny_gpt

    tiny, prompt, notes = load_tiny_gpt(), dist.prompt, []
    block = tiny.config.block_size
    if prompt.replaced:
        shown = ", ".join(f"{k!r} → {v!r}" if v else f"{k!r} dropped"
                          for k, v in list(prompt.replaced.items())[:6])
        notes.append(f"_The tiny model only knows the {tiny.vocab.size} characters of its "
                     f"training text (plain English letters and punctuation), so: {shown}._")
    if prompt.fallback:
        notes.append("_None of your characters could be read, so it starts a new paragraph._")
    if prompt.cut:
        notes.append(f"_It reads at most {block} characters, so it saw only the end of your text "
                     f"(the samples continue from the last {block - SAMPLE_CHARS})._")
    return notes


def _text(request: Request, panels: list[TemperaturePanel], yours: Distribution) -> str:
    from engine.demos.tiny_gpt import load_tiny_gpt

    top_k, train = request.options.get("top_k"), load_tiny_gpt().training
    listing = " · ".join(f"`{token_label(c)}` {percent(p)}" for c, p in yours.top(LISTED))
    return "\n".join([
        f"**What comes next?** At temperature {yours.temperature:g}"
        f"{f' (top_k={top_k})' if top_k else ''}: {listing}",
        "",
        EXPLAIN + (f" **top_k={top_k}** keeps only the {top_k} likeliest." if top_k else ""),
        "",
        *[f"- {p.temperature:g}: `…{one_line(p.continuation)}`" for p in panels],
        "",
        f"_This GPT reads and writes one character at a time: {train['parameters']:,} "
        f"parameters, trained by tutorbot in {train['cpu_seconds'] / 60:.0f} CPU-minutes on its own "
        f"~80 KB of lesson text (validation loss {train['val_loss']:.2f}). Big LLMs take the "
        "same next-token step with vocabularies of ~32k to ~200k tokens and billions of "
        "parameters._",
        *_notes(yours),
    ])


def run(request: Request, progress: ProgressFn) -> Reply:
    """Next-character probabilities at several temperatures, each with a sampled continuation."""
    from engine.plots.next_token import render_next_token

    seed = request.options.get("seed") or 0
    panels, dists = _panels(request, seed)
    yours = dists[request.options["temperature"]]
    png = render_next_token(yours.prompt.text, panels)
    temps = ", ".join(f"{p.temperature:g}" for p in panels)
    return Reply(
        text=_text(request, panels, yours),
        images=(Image("next-token.png", png, alt=f"Next-character probabilities after "
                      f"'{yours.prompt.text[-80:]}' at temperatures {temps}"),),
        buttons=(Button(f"run:{request.with_options(seed=seed + 1).canonical()}",
                        "Sample again"),),
        command=request.invocation(),
        facts={
            "model": "tiny-gpt", "temperature": yours.temperature, "top_k": yours.top_k,
            "seed": seed, "top_tokens": [[c, round(p, 4)] for c, p in yours.top(BARS)],
            "by_temperature": {f"{p.temperature:g}": {
                "top": [[c, round(q, 4)] for c, q in dists[p.temperature].top(BARS)],
                "sample": p.continuation} for p in panels},
            "prompt_chars_read": len(yours.prompt.ids), "cut_chars": yours.prompt.cut,
            "replaced": dict(yours.prompt.replaced),
        },
    )
