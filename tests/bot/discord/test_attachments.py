"""Pictures within Discord's upload limits: oversized GIFs shrink or become a still frame."""

import io

import numpy as np
from PIL import Image as PILImage

from bot.discord.attachments import FILES_PER_MESSAGE, fit, needs_work
from engine.domain.replies import Image
from tests.bot.discord.conftest import noise_gif

PNG = b"\x89PNG\r\n\x1a\n"


def frames_of(data: bytes) -> tuple[int, tuple[int, int]]:
    with PILImage.open(io.BytesIO(data)) as picture:
        return picture.n_frames, picture.size


def test_an_oversized_animation_is_shrunk_below_the_limit_and_stays_animated():
    gif = Image("training.gif", noise_gif(), "training", mime="image/gif")
    limit = len(gif.data) // 3
    fitted = fit((gif,), limit)
    [[shrunk]] = fitted.groups
    assert len(shrunk.data) <= limit and shrunk.mime == "image/gif"
    count, size = frames_of(shrunk.data)
    assert count > 1 and (count < 24 or size[0] < 160)
    assert "shrunk to fit" in fitted.notes[0]


def test_an_animation_that_cannot_shrink_enough_becomes_its_last_frame():
    gif = Image("training.gif", noise_gif(frames=6, size=200), "training", mime="image/gif")
    limit = 2_000  # smaller than any animated version; the plain last frame fits
    fitted = fit((gif,), limit)
    [[still]] = fitted.groups
    assert still.name == "training.png" and still.mime == "image/png"
    assert still.data.startswith(PNG) and len(still.data) <= limit
    assert "last frame" in fitted.notes[0]
    with PILImage.open(io.BytesIO(still.data)) as picture:
        assert np.asarray(picture.convert("L")).max() < 60  # the dark last frame


def test_pictures_are_grouped_ten_per_message_and_small_ones_pass_untouched():
    small = Image("a.png", PNG + b"x" * 100, "a")
    images = (small,) * 12
    assert needs_work(images, 10_000) and not needs_work((small,), 10_000)
    fitted = fit(images, 10_000)
    assert [len(g) for g in fitted.groups] == [FILES_PER_MESSAGE, 2]
    assert fitted.groups[0][0] is small and not fitted.notes


def test_a_picture_that_is_not_an_image_and_too_large_is_left_out_with_a_note():
    broken = Image("x.png", b"not a picture" * 1000, "x")
    fitted = fit((broken,), 1000)
    assert fitted.groups == () and "left out" in fitted.notes[0]
