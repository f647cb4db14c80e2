"""Pictures of the language demos: no tofu, capped sizes, deterministic bytes."""

import io

import numpy as np
from PIL import Image

from engine.demos.tokenizers import compare
from engine.plots.attention import render_grid, render_head
from engine.plots.glyphs import has_tofu, printable
from engine.plots.heatmap import cell_size
from engine.plots.tokens import MAX_CHIPS, _layout, render_token_comparison


def size(png):
    return Image.open(io.BytesIO(png)).size


def test_characters_the_font_lacks_become_code_point_labels():
    assert printable("文👍😀a") == "<U+6587><U+1F44D>😀a"  # DejaVu Sans has 😀 but no CJK or 👍
    assert not has_tofu(printable("文字 👍 ﷽ 𝔘"))


def test_token_picture_caps_the_chips_and_stays_a_reasonable_size():
    results = compare("👍" * 3000, ("cl100k_base", "bert-wordpiece"))
    chips, _ = _layout(results[0], 0)
    assert len(chips) == MAX_CHIPS + 1 and chips[-1].label.startswith("… +")
    png = render_token_comparison(results, ["a", "b"], "title")
    width, height = size(png)
    assert width == 1100 and height < 1400


def test_mosaic_is_one_image_with_a_thumbnail_per_head():
    weights = np.random.default_rng(0).dirichlet(np.ones(9), size=(6, 12, 9))  # (6, 12, 9, 9)
    png = render_grid(weights, [[""] * 12] * 6, "grid")
    width, height = size(png)
    assert width > 12 * 56 and height > 6 * 56
    assert png == render_grid(weights, [[""] * 12] * 6, "grid")


def test_head_heatmap_scales_cells_with_the_token_count():
    assert cell_size(12) == 44 and cell_size(64) == 9
    tokens = [f"t{i}" for i in range(64)]
    png = render_head(tokens, np.eye(64), "64 tokens")
    assert size(png)[0] < 1000


def test_lines_view_draws_the_whole_layer_and_marks_the_chosen_head():
    from engine.plots.attention_lines import render_layer_lines

    weights = np.random.default_rng(1).dirichlet(np.ones(7), size=(12, 7))  # (12 heads, 7, 7)
    tokens = ["[CLS]", "a", "b", "c", "d", "e", "[SEP]"]
    png = render_layer_lines(tokens, weights, 2, ["prev 90%"] * 12, "layer 1")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    red = np.all(np.array(image) == (0xD1, 0x24, 0x2F), axis=-1)  # the chosen head's frame
    assert red.sum() > 100
    assert png == render_layer_lines(tokens, weights, 2, ["prev 90%"] * 12, "layer 1")
