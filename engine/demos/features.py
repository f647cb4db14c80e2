"""Input features of the Playground network: functions of the point (x1, x2).

The Playground lets the learner feed the network hand-made features besides the raw
coordinates; with x1² and x2² a network without hidden layers can draw a circle, with
sin(x1) and sin(x2) it can follow a spiral. Names are ASCII so they work in commands
(`features=x1,x2,x1sq`); `label` is what the pictures show.

The network's input order is always the registry order (as in the Playground's
INPUTS), whatever order the learner typed, so a feature set has one canonical form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from engine.demos.registry import UnknownName, lookup


@dataclass(frozen=True)
class Feature:
    """One input feature: `fn` maps x1, x2 arrays of shape (N,) to an (N,) array."""

    name: str
    label: str
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x1", "x₁", lambda x1, x2: x1),
        Feature("x2", "x₂", lambda x1, x2: x2),
        Feature("x1sq", "x₁²", lambda x1, x2: x1 * x1),
        Feature("x2sq", "x₂²", lambda x1, x2: x2 * x2),
        Feature("x1x2", "x₁·x₂", lambda x1, x2: x1 * x2),
        Feature("sinx1", "sin(x₁)", lambda x1, x2: np.sin(x1)),
        Feature("sinx2", "sin(x₂)", lambda x1, x2: np.sin(x2)),
    )
}

DEFAULT_FEATURES: tuple[str, ...] = ("x1", "x2")

#: Other spellings learners type, the TensorFlow Playground's own among them (its URL names
#: ``x``, ``xSquared``, ``sinX``...; its labels X₁, X₁², sin(X₁)...), lower-cased.
ALIASES: dict[str, str] = {
    **{alias: "x1" for alias in ("x", "x_1", "x₁")},
    **{alias: "x2" for alias in ("y", "x_2", "x₂")},
    **{alias: "x1sq" for alias in ("x1^2", "x1²", "x₁²", "x1_sq", "x1_squared", "xsquared",
                                   "x1*x1")},
    **{alias: "x2sq" for alias in ("x2^2", "x2²", "x₂²", "x2_sq", "x2_squared", "ysquared",
                                   "x2*x2")},
    **{alias: "x1x2" for alias in ("x1*x2", "x1·x2", "x₁x₂", "x₁·x₂", "x1_x2", "xtimesy",
                                   "x1_times_x2")},
    **{alias: "sinx1" for alias in ("sin_x1", "sin(x1)", "sin(x₁)", "sinx", "sin(x)")},
    **{alias: "sinx2" for alias in ("sin_x2", "sin(x2)", "sin(x₂)", "siny", "sin(y)")},
}


def canonical(names: Iterable[str]) -> tuple[str, ...]:
    """Validate feature names and return them deduplicated, in registry order.

    Raises UnknownName for a name not in FEATURES and ValueError for an empty set.
    """
    chosen = set()
    for name in names:
        lookup(FEATURES, name, "feature")
        chosen.add(name)
    if not chosen:
        raise ValueError(f"Choose at least one feature from: {', '.join(FEATURES)}.")
    return tuple(name for name in FEATURES if name in chosen)


def build_inputs(names: tuple[str, ...], points: np.ndarray) -> np.ndarray:
    """Feature matrix for `points` (N, 2): returns (N, F), columns in the order of `names`."""
    x1, x2 = points[:, 0], points[:, 1]  # (N,), (N,)
    columns = [lookup(FEATURES, name, "feature").fn(x1, x2) for name in names]
    return np.stack(columns, axis=1).astype(np.float64, copy=False)  # (N, F)


__all__ = ["ALIASES", "DEFAULT_FEATURES", "FEATURES", "Feature", "UnknownName", "build_inputs", "canonical"]
