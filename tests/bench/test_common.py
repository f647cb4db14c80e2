"""The one percentile every bench reports with."""

import pytest

from bench.common import percentile


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(200, 0, -1)]  # order does not matter
    assert percentile(values, 0.99) == 198.0  # 99 % of 200 values are at or below the 198th
    assert percentile(values, 0.5) == 100.0
    assert percentile(values, 1.0) == 200.0
    assert percentile(values, 0.0) == 1.0
    assert percentile([0.1, 0.3, 0.2], 0.9) == 0.3  # rank ceil(2.7) = 3
    assert percentile([0.4], 0.99) == 0.4


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 0.5)
