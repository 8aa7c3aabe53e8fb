"""Intraday reforecast: today's actuals so far update the rest of today."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_backtest import anonymous_bank, weinberg

from callscope.forecast.accuracy import wape
from callscope.forecast.models import DailyProfile
from callscope.forecast.reforecast import reforecast_day
from callscope.forecast.series import calendar_features


def test_ratio_shrinks_towards_one() -> None:
    r = reforecast_day([10, 10, 10, 10], [15, 15], pseudo=0.0)
    assert r.ratio == 1.5 and r.forecast.tolist() == [15, 15, 15, 15]
    # the default prior of half the day's forecast (20 calls): (30 + 20) / (20 + 20)
    assert reforecast_day([10, 10, 10, 10], [15, 15]).ratio == 1.25
    assert reforecast_day([10, 10], [100], pseudo=0.0).ratio == 2.0  # clipped


def _noon_update(series) -> tuple[float, float]:
    """WAPE of the afternoon, original vs reforecast at noon, over the last 4 weeks."""
    h = 336 if len(series) % 48 == 0 else 145
    y = series.y
    X = calendar_features(series.start, 1800)
    act, orig, upd = [], [], []
    for k in range(4, 0, -1):
        o = len(y) - k * h
        f = DailyProfile().point(y[:o], X[:o], X[o : o + h])
        for d in np.unique(X[o : o + h, 0]):
            m = X[o : o + h, 0] == d
            slots = X[o : o + h, 1][m]
            cut = int(np.searchsorted(slots, 24))  # intervals before 12:00 are done
            r = reforecast_day(f[m], y[o : o + h][m][:cut])
            act.append(y[o : o + h][m][cut:])
            orig.append(f[m][cut:])
            upd.append(r.forecast[cut:])
    a = np.concatenate(act)
    return wape(a, np.concatenate(orig)), wape(a, np.concatenate(upd))


def test_noon_reforecast_improves_the_afternoon(shared_data: Path) -> None:
    for s in (weinberg(shared_data), anonymous_bank(shared_data)):
        before, after = _noon_update(s)
        assert after < before
