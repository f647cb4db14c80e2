"""From a training result to the plain views the /train-demo renderers draw."""

from __future__ import annotations

import numpy as np
from PIL import Image

from engine.demos.features import FEATURES
from engine.demos.mlp import MLPConfig, Network, neuron_grids, output_grid
from engine.demos.training import TrainResult
from engine.jobs import train_demo_notes as notes
from engine.plots.network_diagram import TILE_RESOLUTION
from engine.plots.playground_style import Frame, NetworkView, RunView, to_rgb
from engine.plots.png import image_to_png

HEATMAP_GRID = 80  # grid points per side of the big output heatmap
PREVIEW_PX = 160


def title(config: MLPConfig) -> str:
    """One line with every setting that shaped the picture."""
    parts = [notes.describe(config), f"lr {config.lr:g}", f"batch {config.batch}"]
    if config.noise:
        parts.insert(1, f"noise {config.noise}")
    if tuple(config.features) != ("x1", "x2"):
        parts.insert(1, " ".join(FEATURES[f].label for f in config.features))
    if config.regularization != "none":
        parts.append(f"{config.regularization.upper()} {config.reg_rate:g}")
    parts.append(f"seed {config.seed}")
    return " · ".join(parts)


def metrics(config: MLPConfig, result: TrainResult) -> tuple[str, ...]:
    lines = [f"Test loss {result.test_loss[-1]:.3f}", f"Training loss {result.train_loss[-1]:.3f}"]
    if not config.regression:
        lines.append(f"Test accuracy {notes.percent(result.test_accuracy)}")
    return (*lines, f"Epoch {result.epochs_run}")


def caption(config: MLPConfig, result: TrainResult) -> str:
    text = f"test loss {result.test_loss[-1]:.3f}"
    if not config.regression:
        text += f" · accuracy {notes.percent(result.test_accuracy)}"
    return text


def warning(result: TrainResult) -> str | None:
    d = result.divergence
    if d is None:
        return None
    change = ", ".join(f"{k}={v:g}" for k, v in d.suggestion.items())
    if d.kind == "worse":
        return f"Training made it worse. Try {change}"
    what = {"nan": "the loss became NaN", "exploded": "the loss exploded"}[d.kind]
    return f"Diverged at epoch {d.epoch}: {what}. Try {change}"


def network_view(config: MLPConfig, net: Network) -> NetworkView:
    return NetworkView(
        labels=tuple(FEATURES[f].label for f in config.features),
        tiles=tuple(neuron_grids(net, config.features, TILE_RESOLUTION)),
        weights=tuple(w.copy() for w in net.weights),
        biases=tuple(b.copy() for b in net.biases),
    )


def run_view(config: MLPConfig, result: TrainResult, show_test: bool) -> RunView:
    """Everything the single-run picture shows."""
    data = result.data
    return RunView(
        title=title(config),
        output=output_grid(result.network, config.features, HEATMAP_GRID),
        x_train=data.x_train,
        y_train=data.y_train,
        x_test=data.x_test,
        y_test=data.y_test,
        train_loss=result.train_loss,
        test_loss=result.test_loss,
        metrics=metrics(config, result),
        caption=caption(config, result),
        network=network_view(config, result.network),
        show_test=show_test,
        warning=warning(result),
    )


def frames(result: TrainResult) -> list[Frame]:
    """One animation frame per snapshot: the boundary then and the losses up to then."""
    return [
        Frame(s.epoch, s.output, result.train_loss[: s.epoch + 1], result.test_loss[: s.epoch + 1])
        for s in result.snapshots
    ]


def preview_png(config: MLPConfig, net: Network) -> bytes:
    """A small, quick picture of the current output for progress messages."""
    grid = output_grid(net, config.features, PREVIEW_PX // 4)
    pixels = np.repeat(np.repeat(to_rgb(grid[::-1]), 4, axis=0), 4, axis=1)
    return image_to_png(Image.fromarray(pixels))
