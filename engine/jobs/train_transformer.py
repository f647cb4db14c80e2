"""Live training of a tiny GPT from random weights: ``/train-demo model=transformer``.

The job the train-demo command runs when ``model=transformer``. It reads two options from
the request: ``seed`` (None -> 0) and, if the command defines it, ``seconds`` (the
wall-clock budget, capped at ``MAX_SECONDS``). Training stops after ``LIVE_STEPS`` steps or
at the budget, whichever comes first; a run that finishes its steps is reproducible from
its seed. torch and matplotlib are imported inside the functions (workers only).
"""

from __future__ import annotations

import math
import re
import time
from functools import cache

from engine.commands import Request
from engine.domain.replies import Button, Image, Progress, ProgressFn, Reply
from engine.plots.text_glyphs import one_line

LIVE_STEPS = 600
DEFAULT_SECONDS = 40.0
MAX_SECONDS = 60.0
SAMPLE_AT = (0.0, 0.05, 0.15, 0.35, 0.6, 1.0)  # fractions of LIVE_STEPS
PROGRESS_EVERY = 1.0  # seconds between progress reports (samples are always reported)


def warm() -> None:
    """Import torch and the corpus once when a worker starts."""
    from engine.demos.lm_training import cached_corpus

    cached_corpus()


@cache
def _known_words() -> frozenset[str]:
    from engine.demos.lm_training import CORPUS_PATH

    return frozenset(re.findall(r"[a-z]+", CORPUS_PATH.read_text(encoding="utf-8").lower()))


def real_word_share(text: str) -> float:
    """Share of the complete words in ``text`` that are real words of the training text."""
    words = re.findall(r"[a-z]+", text.lower())[:-1]  # the last word may be cut off
    return sum(w in _known_words() for w in words) / len(words) if words else 0.0


def _reporter(progress: ProgressFn):
    """A TrainEvent callback that forwards throttled progress to the learner."""
    last = [-PROGRESS_EVERY]

    def report(ev) -> None:
        now = time.monotonic()
        if ev.sample is None and now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        text = f"Training a tiny GPT: step {ev.step}/{ev.max_steps}, loss {ev.loss:.2f}"
        if ev.sample is not None:
            text += f" — it writes: “{one_line(ev.sample.text)}”"
        progress(Progress(text, min(1.0, ev.step / ev.max_steps)))

    return report


def _budget(request: Request) -> float:
    seconds = request.options.get("seconds") or DEFAULT_SECONDS
    return float(min(max(seconds, 1.0), MAX_SECONDS))


def run(request: Request, progress: ProgressFn) -> Reply:
    """Train a fresh tiny GPT live; answer with the loss curve and its samples over time."""
    from engine.demos.lm_training import TrainConfig, train_live

    seed = request.options.get("seed") or 0
    cfg = TrainConfig(max_steps=LIVE_STEPS, max_seconds=_budget(request), seed=seed,
                      sample_at=SAMPLE_AT)
    result, model = train_live(cfg, _reporter(progress))
    return _reply(request, seed, result, model)


def _reply(request: Request, seed: int, result, model) -> Reply:
    from engine.demos.lm_training import TrainConfig
    from engine.plots.lm_training import SamplePoint, render_lm_training

    first, last = result.samples[0], result.samples[-1]
    title = (f"A tiny GPT learning English from scratch: {result.steps} steps "
             f"in {result.seconds:.0f} s (seed {seed})")
    png = render_lm_training(result.losses,
                             [SamplePoint(s.step, s.val_loss, s.text) for s in result.samples],
                             title)
    params, model_cfg = model.num_params(), model.cfg
    prompt = len(TrainConfig.sample_prompt)
    words_then, words_now = (real_word_share(s.text[prompt:]) for s in (first, last))
    cut = (f" It stopped at the {_budget(request):.0f}-second limit before step "
           f"{LIVE_STEPS}." if result.stopped_by_time else "")
    lines = [
        f"**Watch a language model learn.** A fresh GPT with {params:,} random weights read "
        f"tutorbot's lesson text one character at a time and guessed the next one, "
        f"{result.steps} times.{cut}",
        f"Loss on held-out text: **{first.val_loss:.2f} → {last.val_loss:.2f}** "
        f"(random guessing among {model_cfg.vocab_size} characters is "
        f"{math.log(model_cfg.vocab_size):.2f}). Share of real words in what it wrote: "
        f"{words_then:.0%} → {words_now:.0%}.",
        "",
        *[f"- step {s.step}: `{one_line(s.text)}`" for s in result.samples],
        "",
        "_First it types random characters, then learns which letters are common and where "
        "spaces go, then short words like “the”, then phrases. Nobody wrote rules for any of "
        "this: every improvement comes from nudging weights to make the next guess less wrong._",
    ]
    return Reply(
        text="\n".join(lines),
        images=(Image("train-transformer.png", png,
                      alt=f"Loss curve of a tiny GPT over {result.steps} steps with its "
                      "sampled text at several points"),),
        buttons=(Button(f"run:{request.with_options(seed=seed + 1).canonical()}",
                        "Train again (new seed)"),),
        command=request.invocation(),
        facts={
            "model": "transformer", "seed": seed, "parameters": params,
            "steps": result.steps, "seconds": round(result.seconds, 2),
            "stopped_by_time": result.stopped_by_time,
            "first_val_loss": round(first.val_loss, 4), "final_val_loss": round(last.val_loss, 4),
            "final_train_loss": round(sum(v for _, v in result.losses[-20:])
                                      / max(1, len(result.losses[-20:])), 4),
            "samples": [{"step": s.step, "val_loss": round(s.val_loss, 4), "text": s.text}
                        for s in result.samples],
            "real_word_share": [round(words_then, 3), round(words_now, 3)],
            "config": model_cfg.to_dict(),
        },
    )
