"""Divergence: when training blows up or makes the network worse, say why and what to change.

Three kinds, checked by the training loop:
- "nan": the loss or a weight became NaN or infinite (the numbers overflowed);
- "exploded": the loss grew past EXPLODE_FACTOR times where it started (or of always
  answering 0), or a weight passed MAX_WEIGHT;
- "worse": training finished with a loss at least WORSE_FACTOR times the starting one,
  i.e. the steps overshot and the output swung to confident wrong answers.
The cause is the step size: the learning rate, or the regularisation step lr · reg_rate
when that reaches 1 (an L2 step then flips every weight's sign). The fix names a
concrete new value: ten times smaller.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from engine.demos.mlp import LR_RANGE, MLPConfig, Network

EXPLODE_FACTOR = 100.0
MAX_WEIGHT = 1e6
WORSE_FACTOR = 1.25


@dataclass(frozen=True)
class Divergence:
    """What went wrong at which epoch, why, and the option change that fixes it."""

    epoch: int
    kind: str  # "nan" | "exploded" | "worse"
    reason: str
    fix: str
    suggestion: Mapping[str, float] = field(default_factory=dict)  # e.g. {"lr": 1.0}


def reference_loss(initial_loss: float, zero_loss: float) -> float:
    """The scale a healthy run stays under: the larger of the starting loss and the loss of
    always answering 0."""
    return max(initial_loss, zero_loss)


def check_epoch(
    config: MLPConfig, net: Network, train_loss: Sequence[float], zero_loss: float, epoch: int
) -> Divergence | None:
    """Called after every epoch: a Divergence if the loss or the weights blew up, else None."""
    current, start = train_loss[-1], train_loss[0]
    if not math.isfinite(current) or not net.is_finite():
        what = f"The loss became {'NaN' if math.isnan(current) else 'infinite'} at epoch {epoch}"
        return _diverged(
            config, epoch, "nan", f"{what}: the weights grew until the numbers overflowed."
        )
    if current > EXPLODE_FACTOR * reference_loss(start, zero_loss):
        what = f"The loss exploded from {start:.3g} to {current:.3g} by epoch {epoch}"
        return _diverged(config, epoch, "exploded", f"{what}: every step overshoots further.")
    if net.largest_weight() > MAX_WEIGHT:
        what = f"A weight passed {MAX_WEIGHT:.0e} by epoch {epoch}"
        return _diverged(config, epoch, "exploded", f"{what}: every step overshoots further.")
    return None


def check_final(
    config: MLPConfig, train_loss: Sequence[float], zero_loss: float
) -> Divergence | None:
    """Called after the last epoch: a Divergence if training left the loss clearly worse."""
    start, end = train_loss[0], train_loss[-1]
    if end < WORSE_FACTOR * reference_loss(start, zero_loss):
        return None
    reason = (
        f"Training made the network worse: the loss rose from {start:.3f} to {end:.3f}. "
        "The steps overshoot, so the output swings to confident wrong answers."
    )
    return _diverged(config, len(train_loss) - 1, "worse", reason)


def _diverged(config: MLPConfig, epoch: int, kind: str, what: str) -> Divergence:
    reg_step = config.lr * config.reg_rate
    if config.regularization != "none" and reg_step >= 1.0:
        rate = config.reg_rate / 10
        why = (
            f" The regularisation step lr × reg_rate = {reg_step:g} is too big: "
            "each step overshoots zero and flips the weights."
        )
        fix = f"Lower the regularisation rate ten times: reg_rate={rate:g}."
        return Divergence(epoch, kind, what + why, fix, {"reg_rate": rate})
    lr = max(LR_RANGE[0], float(f"{config.lr / 10:.3g}"))
    why = f" The learning rate {config.lr:g} is too high for this network."
    fix = f"Lower the learning rate ten times: lr={lr:g}."
    return Divergence(epoch, kind, what + why, fix, {"lr": lr})
