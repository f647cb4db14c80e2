"""Pictures for /next-token and live LM training: sizes, determinism, helpers."""

from io import BytesIO

import pytest
from PIL import Image

from engine.plots.lm_training import SamplePoint, moving_average, render_lm_training
from engine.plots.next_token import PANEL_W, TemperaturePanel, render_next_token
from engine.plots.text_glyphs import one_line, percent, token_label, visible


def panels(n: int) -> list[TemperaturePanel]:
    return [TemperaturePanel(0.2 + i, ["e", " ", "\n"], [0.7, 0.2, 0.1], "he model\nis", i == 1)
            for i in range(n)]


def test_next_token_picture_has_one_column_per_temperature_and_is_deterministic():
    three, four = render_next_token("The cat sat on th", panels(3)), render_next_token("x", panels(4))
    assert Image.open(BytesIO(three)).size[0] == 3 * PANEL_W
    assert Image.open(BytesIO(four)).size[0] == 4 * PANEL_W
    assert render_next_token("The cat sat on th", panels(3)) == three
    with pytest.raises(ValueError, match="at least one"):
        render_next_token("x", [])


def test_training_picture_is_deterministic_and_grows_with_samples():
    losses = [(i, 4.0 - i / 100) for i in range(1, 201)]
    samples = [SamplePoint(s, 4.0 - s / 100, "The model " + "abc " * 15) for s in (0, 50, 200)]
    png = render_lm_training(losses, samples, "title")
    assert png == render_lm_training(losses, samples, "title")
    short = render_lm_training(losses, samples[:1], "title")
    assert Image.open(BytesIO(png)).size[1] > Image.open(BytesIO(short)).size[1]


def test_moving_average_is_centred_so_it_does_not_lag():
    line = [float(i) for i in range(50)]
    smooth = moving_average(line, 9)
    assert smooth[10:40] == pytest.approx(line[10:40])  # a straight line is left where it is
    assert moving_average([3.0] * 7, 4) == [3.0] * 7
    assert moving_average([1.0, 5.0], 0) == [1.0, 5.0]


def test_whitespace_and_probabilities_are_shown_for_people():
    assert visible("a b\n") == "a\u2423b\u21b5"
    assert token_label(" ") == "\u2423 space" and token_label("\n") == "\u21b5 newline"
    assert token_label("e") == "e"
    assert one_line("a\nb") == "a \u21b5 b"
    assert [percent(p) for p in (0.0, 0.001, 0.005, 0.0051, 0.5, 0.996, 1.0)] == [
        "0%", "<1%", "<1%", "1%", "50%", ">99%", "100%"]
