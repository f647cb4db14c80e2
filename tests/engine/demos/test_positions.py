"""Sinusoidal encodings and RoPE: the properties the lesson claims, checked numerically."""

import math

import numpy as np
import pytest

from engine.demos.positions import (
    SCHEMES,
    rope,
    rope_relative_check,
    shift_matrix,
    similarity_by_distance,
    sinusoidal,
    wavelengths,
)


def reference_sinusoidal(positions, dims):
    """The 2017 paper's formula, written out with plain loops."""
    table = np.zeros((positions, dims))
    for p in range(positions):
        for i in range(dims // 2):
            angle = p / (10000 ** (2 * i / dims))
            table[p, 2 * i] = math.sin(angle)
            table[p, 2 * i + 1] = math.cos(angle)
    return table


def test_matches_the_paper_formula():
    np.testing.assert_allclose(sinusoidal(40, 24), reference_sinusoidal(40, 24), atol=1e-12)


def test_position_zero_and_range():
    table = sinusoidal(100, 64)
    np.testing.assert_array_equal(table[0, 0::2], 0.0)
    np.testing.assert_array_equal(table[0, 1::2], 1.0)
    assert np.abs(table).max() <= 1.0
    # each (sin, cos) pair lies on the unit circle, so every row has norm sqrt(dims / 2)
    np.testing.assert_allclose(np.linalg.norm(table, axis=1), math.sqrt(32))


def test_a_shift_is_the_same_rotation_at_every_position():
    table = sinusoidal(60, 32)
    for offset in (1, 5, 17):
        shifted = table[:-offset] @ shift_matrix(offset, 32).T  # (P - offset, dims)
        np.testing.assert_allclose(shifted, table[offset:], atol=1e-10)


def test_dot_product_depends_only_on_distance_and_falls_off():
    table = sinusoidal(80, 64)
    for k in (1, 3, 10):
        dots = [table[p] @ table[p + k] for p in range(0, 60, 7)]
        np.testing.assert_allclose(dots, dots[0], atol=1e-9)
    similarity = similarity_by_distance(table)
    assert similarity[0] == pytest.approx(32.0)
    assert similarity[1] > similarity[5] > similarity[20]


def test_wavelengths_grow_geometrically_from_two_pi():
    lengths = wavelengths(64)
    assert lengths[0] == pytest.approx(2 * math.pi)
    ratios = lengths[1:] / lengths[:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    assert lengths[-1] == pytest.approx(2 * math.pi * 10000 ** (62 / 64))


def test_odd_dims_are_refused():
    with pytest.raises(ValueError, match="even"):
        sinusoidal(10, 7)


def test_rope_keeps_lengths_and_is_identity_at_position_zero():
    x = np.random.default_rng(1).standard_normal((5, 16))
    np.testing.assert_allclose(rope(x, np.zeros(5)), x)
    rotated = rope(x, np.arange(5) * 7)
    np.testing.assert_allclose(np.linalg.norm(rotated, axis=1), np.linalg.norm(x, axis=1))


def test_rope_scores_depend_only_on_the_distance():
    check = rope_relative_check(distance=3)
    print(f"RoPE scores at distance 3: {check.scores}, spread {check.spread:.2e}")
    assert check.spread < 1e-9
    other = rope_relative_check(distance=9)
    assert abs(other.scores[0] - check.scores[0]) > 1e-3  # a different distance scores differently


def test_rope_matches_complex_multiplication():
    """RoPE is multiplying each pair, read as a complex number, by e^(i * position * w)."""
    x = np.random.default_rng(2).standard_normal((3, 8))
    positions = np.array([0, 4, 11])
    freqs = 1.0 / 10000 ** (np.arange(0, 8, 2) / 8)
    z = (x[:, 0::2] + 1j * x[:, 1::2]) * np.exp(1j * positions[:, None] * freqs)
    out = rope(x, positions)
    np.testing.assert_allclose(out[:, 0::2], z.real, atol=1e-12)
    np.testing.assert_allclose(out[:, 1::2], z.imag, atol=1e-12)


def test_three_schemes_are_explained():
    assert set(SCHEMES) == {"learned", "sinusoidal", "rotary"}
    assert "GPT-2" in SCHEMES["learned"].used_by
