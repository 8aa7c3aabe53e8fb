"""WAPE, MASE and bias on hand-worked numbers."""

from __future__ import annotations

import math

import numpy as np

from callscope.forecast.accuracy import bias, mase, mase_scale, wape


def test_wape_hand_worked() -> None:
    # |10-12| + |20-18| + |10-10| = 4 over 40 actual calls
    assert wape([10, 20, 10], [12, 18, 10]) == 0.1
    assert math.isnan(wape([0, 0], [1, 1]))


def test_bias_sign_means_over_forecast() -> None:
    assert bias([10, 20, 10], [12, 18, 14]) == 0.1
    assert bias([10, 10], [8, 8]) == -0.2


def test_mase_against_seasonal_naive_scale() -> None:
    train = np.array([1, 2, 3, 5, 6, 7], dtype=float)
    # lag-3 differences: 4, 4, 4 -> scale 4
    assert mase_scale(train, 3) == 4.0
    assert mase([10, 20], [12, 18], 4.0) == 0.5
    # the in-sample seasonal naive itself scores exactly 1
    assert mase(train[3:], train[:3], mase_scale(train, 3)) == 1.0
    assert math.isnan(mase_scale([1, 2], 3))
