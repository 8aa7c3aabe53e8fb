"""Forecast accuracy: WAPE, MASE and bias, the three numbers every backtest reports.

All three take the actual values ``y`` and the forecasts ``f`` of the same intervals (any
shape, flattened) and return plain floats. Closed intervals are not part of the series,
so they never enter these sums. Source: Hyndman & Koehler (2006), "Another look at
measures of forecast accuracy", International Journal of Forecasting 22(4) (MASE);
WAPE and bias as used in workforce management (``KPIS.md``: "Forecast accuracy is
reported as WAPE and MASE on held-out weeks, against a seasonal-naive baseline").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["bias", "mase", "mase_scale", "wape"]


def wape(y: ArrayLike, f: ArrayLike) -> float:
    """Weighted absolute percentage error, as a fraction.

    ``WAPE = sum |y_t - f_t| / sum y_t`` (units: fraction of the actual volume; 0.075 is
    7.5 %). Unlike MAPE it stays finite when some intervals have zero calls and weights
    busy intervals by their volume, which is what staffing cares about.

    >>> round(wape([10, 20, 10], [12, 18, 10]), 3)
    0.1
    """
    ya = np.asarray(y, dtype=float).ravel()
    fa = np.asarray(f, dtype=float).ravel()
    den = ya.sum()
    return float(np.abs(ya - fa).sum() / den) if den > 0 else float("nan")


def bias(y: ArrayLike, f: ArrayLike) -> float:
    """Forecast bias, as a fraction of the actual volume.

    ``bias = sum (f_t - y_t) / sum y_t``: positive means over-forecasting (overstaffing),
    negative under-forecasting.

    >>> round(bias([10, 20, 10], [12, 18, 14]), 3)
    0.1
    """
    ya = np.asarray(y, dtype=float).ravel()
    fa = np.asarray(f, dtype=float).ravel()
    den = ya.sum()
    return float((fa - ya).sum() / den) if den > 0 else float("nan")


def mase_scale(train: ArrayLike, season: int) -> float:
    """The MASE denominator: in-sample mean absolute error of the seasonal-naive forecast.

    ``scale = mean_{t > m} |y_t - y_{t-m}|`` over the training data only, with ``m`` the
    season length in steps (for interval data: the number of open intervals in a week).

    >>> mase_scale([1, 2, 3, 5, 6, 7], 3)
    4.0
    """
    x = np.asarray(train, dtype=float).ravel()
    if x.size <= season:
        return float("nan")
    return float(np.abs(x[season:] - x[:-season]).mean())


def mase(y: ArrayLike, f: ArrayLike, scale: float) -> float:
    """Mean absolute scaled error.

    ``MASE = mean |y_t - f_t| / scale`` with ``scale`` from :func:`mase_scale` on the
    training data. Below 1: better than the in-sample seasonal-naive forecast.

    >>> mase([10, 20], [12, 18], 4.0)
    0.5
    """
    ya = np.asarray(y, dtype=float).ravel()
    fa = np.asarray(f, dtype=float).ravel()
    if not scale or not np.isfinite(scale):
        return float("nan")
    return float(np.abs(ya - fa).mean() / scale)
