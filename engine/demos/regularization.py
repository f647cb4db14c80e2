"""Weight penalties of the Playground: none, L1 and L2, as a registry.

The penalty is rate · Σ R(w) over the weights (never the biases). The Playground applies
it as a separate step after the gradient step, using R'(w) at the weight before the
step; an L1 step that would push a weight across zero sets it to exactly 0 and freezes
that link for good (engine.demos.training.sgd_update).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from engine.demos.registry import lookup


@dataclass(frozen=True)
class Regularization:
    """A weight penalty R(w) (elementwise) and its derivative R'(w)."""

    name: str
    penalty: Callable[[np.ndarray], np.ndarray]
    der: Callable[[np.ndarray], np.ndarray]


REGULARIZATIONS: dict[str, Regularization] = {
    r.name: r
    for r in (
        Regularization("none", np.zeros_like, np.zeros_like),
        Regularization("l1", np.abs, lambda w: np.where(w < 0, -1.0, 1.0)),  # R'(0) = 1 as nn.ts
        Regularization("l2", lambda w: 0.5 * w * w, lambda w: w),
    )
}


def penalty(weights: Iterable[np.ndarray], name: str, rate: float) -> float:
    """rate · Σ R(w) over all weight matrices."""
    reg = lookup(REGULARIZATIONS, name, "regularization")
    return rate * float(sum(reg.penalty(w).sum() for w in weights))
