"""Intraday reforecast: today's actuals so far update the rest of today."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fcdata import anonymous_bank, weinberg

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


def test_reforecast_today_on_forecast_rows() -> None:
    from datetime import datetime

    import pandas as pd

    from callscope.forecast.reforecast import reforecast_today

    t = pd.date_range("2024-03-04 08:00", periods=4, freq="30min").append(
        pd.DatetimeIndex(["2024-03-05 08:00"])
    )
    fc = pd.DataFrame(
        {
            "interval_start": t,
            "interval_s": 1800,
            "queue": "q",
            "channel": "voice",
            "calls": 10.0,
            "aht_s": 200.0,
            "calls_lo": 8.0,
            "calls_hi": 12.0,
            "model": ["daily_profile"] * 3 + ["closed", "daily_profile"],
        }
    )
    fc.loc[3, "calls"] = 0.0
    act = pd.DataFrame(
        {
            "queue": ["q", "q"],
            "channel": ["voice", "voice"],
            "interval_start": t[:2],
            "calls": [20.0, 16.0],
        }
    )
    out, (u,) = reforecast_today(fc, act, datetime(2024, 3, 4, 9, 5))
    # 2 of 3 open intervals done: (36 + 15) / (20 + 15) with c = half the day's 30 calls
    assert u.intervals_done == 2 and u.ratio == (36 + 15) / (20 + 15)
    assert out.loc[2, "calls"] == 10 * u.ratio and out.loc[2, "model"] == "daily_profile+intraday"
    assert out.loc[3, "calls"] == 0 and out.loc[3, "model"] == "closed"
    assert out.loc[4, "calls"] == 10 and out.loc[2, "calls_hi"] == 12 * u.ratio
