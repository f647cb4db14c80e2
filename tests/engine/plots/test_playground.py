"""/train-demo pictures: fixed sizes, identical bytes for identical views, small GIFs."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from engine.plots.playground import render_compare, render_png
from engine.plots.playground_gif import MAX_FRAMES, render_gif
from engine.plots.playground_style import Frame, NetworkView, RunView, link_width, to_rgb


def _view(seed: int = 0, sizes=(2, 4, 2, 1), warning=None) -> RunView:
    rng = np.random.default_rng(seed)
    tiles = tuple(rng.uniform(-1, 1, (n, 12, 12)) for n in sizes)
    weights = tuple(rng.normal(0, 2, (a, b)) for a, b in zip(sizes, sizes[1:], strict=False))
    biases = tuple(rng.normal(0, 1, b) for b in sizes[1:])
    labels = tuple(f"f{i}" for i in range(sizes[0]))
    points = rng.uniform(-6, 6, (50, 2))
    return RunView(
        title="test view",
        output=rng.uniform(-1, 1, (40, 40)),
        x_train=points[:30], y_train=np.sign(points[:30, 0]),
        x_test=points[30:], y_test=np.sign(points[30:, 0]),
        train_loss=np.linspace(0.5, 0.1, 11), test_loss=np.linspace(0.5, 0.2, 11),
        metrics=("Test loss 0.200", "Epoch 10"),
        network=NetworkView(labels, tiles, weights, biases),
        show_test=True,
        warning=warning,
    )


def _size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def test_playground_colours_and_link_widths():
    assert to_rgb(np.array(-1.0)).tolist() == [245, 147, 34]  # #f59322
    assert to_rgb(np.array(5.0)).tolist() == [8, 119, 189]  # #0877bd, clamped
    assert to_rgb(np.zeros((2, 3))).shape == (2, 3, 3)
    assert link_width(np.array([0.0, 2.5, -5.0, 50.0])).tolist() == [1.0, 5.5, 10.0, 10.0]


def test_single_run_png_has_a_fixed_size_and_identical_bytes():
    first, again = render_png(_view()), render_png(_view())
    assert first == again and _size(first) == (1200, 480)
    assert render_png(_view(seed=1)) != first
    biggest = render_png(_view(sizes=(7, 8, 8, 8, 8, 8, 8, 1), warning="Diverged at epoch 3"))
    assert _size(biggest) == (1200, 480) and len(biggest) < 400_000


@pytest.mark.parametrize("runs", [2, 3, 4])
def test_compare_puts_runs_side_by_side(runs):
    views = [_view(seed=i) for i in range(runs)]
    png = render_compare(views, [f"lr={i}" for i in range(runs)], "compare lr")
    assert _size(png) == (20 + runs * 320, 590)
    assert png == render_compare(views, [f"lr={i}" for i in range(runs)], "compare lr")


def _frames(n: int) -> list[Frame]:
    rng = np.random.default_rng(n)
    losses = np.linspace(0.6, 0.05, n)
    return [Frame(e, rng.uniform(-1, 1, (73, 73)), losses[: e + 1], losses[: e + 1] * 1.1)
            for e in range(n)]


def test_gif_keeps_at_most_40_frames_including_the_last():
    points = np.random.default_rng(0).uniform(-6, 6, (100, 2))
    data = render_gif(_frames(55), points, np.sign(points[:, 1]), "gif")
    gif = Image.open(io.BytesIO(data))
    assert gif.n_frames == MAX_FRAMES == 40 and gif.size == (620, 330)
    assert gif.info["loop"] == 0
    assert data == render_gif(_frames(55), points, np.sign(points[:, 1]), "gif")
    assert len(data) < 2 * 1024 * 1024  # noise heatmaps are the worst case for GIF size


def test_heatmap_pixels_cover_the_whole_domain_the_right_way_up():
    from engine.plots.heatmap_pixels import heatmap_pixels

    axis = np.linspace(-6, 6, 80)
    x1, x2 = np.meshgrid(axis, axis)  # row i: x2 = axis[i], column j: x1 = axis[j]
    none = np.empty((0, 2))
    by_x1 = heatmap_pixels(x1 / 6, 370, none, np.empty(0))
    assert by_x1[185, 0].tolist() == to_rgb(np.array(-1.0)).tolist()  # left edge: x1 = -6
    assert by_x1[185, -1].tolist() == to_rgb(np.array(1.0)).tolist()  # right edge: x1 = 6
    by_x2 = heatmap_pixels(x2 / 6, 370, none, np.empty(0))
    assert by_x2[0, 185].tolist() == to_rgb(np.array(1.0)).tolist()  # top row: x2 = 6
    assert by_x2[-1, 185].tolist() == to_rgb(np.array(-1.0)).tolist()
    point = heatmap_pixels(np.zeros((80, 80)), 370, np.array([[6.0, 6.0]]), np.array([1.0]))
    assert point[1, -2].tolist() == to_rgb(np.array(1.0)).tolist()  # a blue point top right
