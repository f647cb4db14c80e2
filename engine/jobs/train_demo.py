"""/train-demo: train the Playground network in a worker and answer with its picture.

One run gives a PNG (network, decision boundary, loss curves, metrics) or, with
animate=yes, a GIF; compare=OPTION:V1,V2 trains once per value on the same data and seed
and shows the runs side by side. Every reply carries the exact reproducing command, facts,
a computed "what to notice" hint and "run again with …" buttons.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from engine.commands import COMMANDS, Request
from engine.demos.mlp import MLPConfig
from engine.demos.training import EpochReport, TrainResult, animation_epochs, train
from engine.domain.errors import BadOption, Refused
from engine.domain.replies import Button, Image, Progress, ProgressFn, Reply
from engine.jobs import train_demo_notes as notes
from engine.jobs.playground_link import playground_url
from engine.jobs.train_demo_view import frames, preview_png, run_view, title
from engine.plots.playground import render_compare, render_png
from engine.plots.playground_gif import render_gif

MAX_WORK = 500_000  # epochs x updates per epoch x layers of weights, summed over runs
GIF_GRID = 73  # grid points per side of an animation frame (292 px / 4)
MAX_BUTTONS = 4  # "run again with …" buttons; the Playground link comes on top
PLAYGROUND_LABEL = "Open in TensorFlow Playground"
CONFIG_FIELDS = ("dataset", "noise", "train_share", "features", "layers", "activation", "lr",
                 "batch", "regularization", "reg_rate", "epochs", "seed")


def config_from(request: Request, **overrides: Any) -> MLPConfig:
    """The demo configuration a request asks for (already validated by the command table)."""
    values = {name: overrides.get(name, request[name]) for name in CONFIG_FIELDS}
    try:
        return MLPConfig(**values)
    except ValueError as err:  # unreachable through the table; kept for direct callers
        raise BadOption(str(err)) from None


def work(config: MLPConfig) -> int:
    """Weight-matrix updates a run needs: epochs x updates per epoch x layers of weights."""
    return config.epochs * notes.updates_per_epoch(config) * (len(config.layers) + 1)


def check_work(configs: Sequence[MLPConfig]) -> None:
    """Refuse runs too big for a chat demo, stating the limit and what to change."""
    total = sum(work(c) for c in configs)
    if total <= MAX_WORK:
        return
    runs = f" over {len(configs)} runs" if len(configs) > 1 else ""
    most = max(1, configs[0].epochs * MAX_WORK // total)
    raise Refused(
        f"That is too much training for one chat demo: {total:,} weight updates{runs} "
        f"(epochs × updates per epoch × weight layers); the limit is {MAX_WORK:,}. "
        f"Use at most {most} epochs with these settings, a larger batch, fewer layers "
        "or a smaller train_share."
    )


class Reporter:
    """Turns epoch reports into Progress: text every `text_every` s, a preview image every
    `image_every` s (so a chat message can be updated in place during long runs)."""

    def __init__(self, progress: ProgressFn, config: MLPConfig, label: str, done: float = 0.0,
                 share: float = 1.0, text_every: float = 0.5, image_every: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.progress, self.config, self.label = progress, config, label
        self.done, self.share = done, share
        self.text_every, self.image_every, self.clock = text_every, image_every, clock
        self.last_text = self.last_image = clock()

    def __call__(self, report: EpochReport) -> None:
        now = self.clock()
        if now - self.last_text < self.text_every:
            return
        self.last_text = now
        fraction = self.done + self.share * report.epoch / report.epochs
        text = (f"Training {self.label}: epoch {report.epoch}/{report.epochs}, "
                f"test loss {report.test_loss:.3f}")
        image = None
        if now - self.last_image >= self.image_every:
            self.last_image = now
            image = Image("progress.png", preview_png(self.config, report.network), alt=text)
        self.progress(Progress(text, fraction=round(fraction, 3), image=image))


def warm() -> None:
    """Load the plotting stack and its fonts once when a worker starts."""
    config = MLPConfig(epochs=1, layers=(1,))
    render_png(run_view(config, train(config), show_test=False))


def run(request: Request, progress: ProgressFn) -> Reply:
    """Train as the request says and answer with the picture, the command and the facts."""
    if request["model"] != "mlp":
        raise Refused("This job trains the Playground network (model=mlp); "
                      "model=transformer runs engine.jobs.train_transformer.")
    if request["compare"] is not None:
        return _compare(request, progress)
    config = config_from(request)
    check_work([config])
    request = request.with_options(features=config.features)
    animate = request["animate"]
    result = train(
        config,
        snapshot_epochs=animation_epochs(config.epochs) if animate else (),
        grid_resolution=GIF_GRID,
        on_epoch=Reporter(progress, config, notes.describe(config)),
    )
    view = run_view(config, result, show_test=request["show_test"])
    if animate:
        gif = render_gif(frames(result), result.data.x_train, result.data.y_train, title(config),
                         view.warning)
        image = Image("train-demo.gif", gif, alt=_alt(config, result), mime="image/gif")
    else:
        image = Image("train-demo.png", render_png(view), alt=_alt(config, result))
    notice = notes.notice(config, result)
    text = [notes.summary(config, result), f"_What to notice:_ {notice.text}"]
    if animate:
        text.append(f"The animation shows {len(result.snapshots)} frames, epoch 0 to "
                    f"{result.snapshots[-1].epoch}.")
    extra = () if animate else (notes.Suggestion("Animate it", {"animate": True}),)
    return Reply(
        text="\n".join(text),
        images=(image,),
        buttons=_buttons(request, (*notice.suggestions, *extra)),
        command=request.invocation(),
        facts=_facts(config, result, animate),
    )


def _alt(config: MLPConfig, result: TrainResult) -> str:
    score = (f"test loss {result.test_loss[-1]:.3f}" if config.regression
             else f"test accuracy {notes.percent(result.test_accuracy)}")
    return f"Decision boundary and network for {notes.describe(config)}: {score}"


def _facts(config: MLPConfig, result: TrainResult, animate: bool = False) -> dict[str, Any]:
    d = result.divergence
    facts: dict[str, Any] = {
        "dataset": config.dataset,
        "layers": list(config.layers),
        "activation": config.activation,
        "seed": config.seed,
        "epochs": result.epochs_run,
        "epochs_requested": config.epochs,
        "batch": config.batch,
        "updates_per_epoch": notes.updates_per_epoch(config),
        "updates": result.epochs_run * notes.updates_per_epoch(config),
        "parameters": notes.parameters(result),
        "test_loss": round(float(result.test_loss[-1]), 6),
        "train_loss": round(float(result.train_loss[-1]), 6),
        "test_accuracy": None if config.regression else round(result.test_accuracy, 4),
        "train_accuracy": None if config.regression else round(result.train_accuracy, 4),
        "overfitting": notes.overfits(config, result),
        "diverged": d is not None,
        "divergence": None if d is None else d.kind,
        "fix": None if d is None else dict(d.suggestion),
    }
    if config.regularization == "l1":
        facts["dead_links"] = notes.dead_links(result)
    if animate:
        facts["frames"] = len(result.snapshots)
    return facts


def _buttons(request: Request, suggestions: Sequence[notes.Suggestion]) -> tuple[Button, ...]:
    """'run:<command>' buttons for the suggestions, plus new data. Ids over 100 characters
    are fine here: the Tutor stores them and sends a short key instead."""
    buttons: list[Button] = []
    base = request.with_options(compare=None)
    new_data = notes.Suggestion("New data (new seed)", {"seed": None})
    for suggestion in (*suggestions[: MAX_BUTTONS - 1], new_data):
        changes = dict(suggestion.changes)
        if changes.get("compare"):
            changes["animate"] = False  # comparisons are stills
        button_id = "run:" + base.with_options(**changes).canonical()
        if all(b.id != button_id for b in buttons):
            buttons.append(Button(button_id, suggestion.label[:75]))
    buttons.append(Button("link:playground", PLAYGROUND_LABEL, url=playground_url(base)))
    return tuple(buttons)


def _compare(request: Request, progress: ProgressFn) -> Reply:
    """Train once per compared value on the same data and seed; picture them side by side."""
    if request["animate"]:
        raise BadOption("`animate=yes` works on a single run; drop `compare` or `animate`.")
    name, values = request["compare"]
    option = COMMANDS["train-demo"].option(name)
    request = request.with_options(**{name: option.default})
    configs = [config_from(request, **{name: value}) for value in values]
    check_work(configs)
    labels = [f"{name}={option.format(value)}" for value in values]
    results = []
    for i, (config, label) in enumerate(zip(configs, labels, strict=True)):
        reporter = Reporter(progress, config, label, done=i / len(configs), share=1 / len(configs))
        results.append(train(config, on_epoch=reporter))
    views = [run_view(c, r, request["show_test"]) for c, r in zip(configs, results, strict=True)]
    base = notes.describe(configs[0]) if name not in ("layers", "activation") else configs[0].dataset
    png = render_compare(views, labels, f"{base} · seed {configs[0].seed} · compare {name}")
    lines, best = _compare_lines(configs, results, labels)
    choice = notes.Suggestion(f"Open {labels[best]} alone", {name: values[best]})
    return Reply(
        text="\n".join(lines),
        images=(Image("train-demo-compare.png", png, alt=f"{len(values)} runs compared by {name}"),),
        buttons=_buttons(request, (choice,)),
        command=request.with_options(compare=(name, values)).invocation(),
        facts={"compare": name, "best": option.format(values[best]),
               "runs": [{"value": option.format(v), **_facts(c, r)}
                        for v, c, r in zip(values, configs, results, strict=True)]},
    )


def _compare_lines(configs, results, labels) -> tuple[list[str], int]:
    scores = [r.test_loss[-1] if r.divergence is None else math.inf for r in results]
    best = min(range(len(scores)), key=scores.__getitem__)
    lines = [f"**{len(configs)} runs** on the same data and seed; only one setting changes."]
    for config, result, label in zip(configs, results, labels, strict=True):
        if result.divergence is not None:
            lines.append(f"- `{label}`: diverged — {result.divergence.fix}")
            continue
        accuracy = "" if config.regression else f", accuracy {notes.percent(result.test_accuracy)}"
        lines.append(f"- `{label}`: test loss {result.test_loss[-1]:.3f}{accuracy}")
    lines.append(f"_What to notice:_ `{labels[best]}` ends with the lowest test loss here; "
                 "try another seed to see whether that holds.")
    return lines, best

