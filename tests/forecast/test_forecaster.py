"""Forecasts from the store: the known signal comes back, closed hours stay closed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
from fcdata import AHT_S, expected_calls

from callscope.forecast.accuracy import wape
from callscope.forecast.forecaster import forecast_intervals
from callscope.forecast.series import SpecialDays
from callscope.store import Store
from callscope.store.forecasts import interval_series


def _rows(path: Path):
    with Store(path, read_only=True) as s:
        return interval_series(s, 1800).to_pandas()


def test_known_signal_recovered_and_closed_hours_closed(signal_store: Path) -> None:
    run = forecast_intervals(_rows(signal_store), interval_s=1800, horizon_s=7 * 86400)
    r = run.rows
    t = r["interval_start"].to_numpy().astype("datetime64[us]")
    assert t[0] == np.datetime64("2024-02-24T00:00")  # the midnight after the last contact
    assert len(r) == 7 * 48
    truth = expected_calls(t)
    closed = r["model"].to_numpy() == "closed"
    # closed exactly where the signal is closed (nights, weekends), and zero there
    assert (closed == (truth == 0)).all()
    assert (r.loc[closed, ["calls", "calls_lo", "calls_hi"]].to_numpy() == 0).all()
    assert wape(truth, r["calls"]) < 0.05
    assert abs(float(np.average(r.loc[~closed, "aht_s"])) - AHT_S) < 10
    assert (r["calls_lo"] <= r["calls"]).all() and (r["calls"] <= r["calls_hi"]).all()
    assert run.choices[0].model in {
        "ensemble",
        "daily_profile",
        "daily_ets",
        "daily_theta",
        "week_mean4",
        "week_mean8",
    }


def test_special_days_close_or_scale(signal_store: Path) -> None:
    sp = SpecialDays.parse(["2024-02-27", "2024-02-28=0.5"])
    base = forecast_intervals(
        _rows(signal_store), interval_s=1800, horizon_s=7 * 86400, models=["daily_profile"]
    ).rows
    run = forecast_intervals(
        _rows(signal_store),
        interval_s=1800,
        horizon_s=7 * 86400,
        special=sp,
        models=["daily_profile"],
    ).rows
    day = run["interval_start"].dt.date.astype(str)
    tue, wed = day == "2024-02-27", day == "2024-02-28"
    assert (run.loc[tue, "model"] == "closed").all() and run.loc[tue, "calls"].sum() == 0
    assert run.loc[wed, "calls"].sum() == np.float64(0.5 * base.loc[wed, "calls"].sum())


def test_origin_and_reforecast_inputs(signal_store: Path) -> None:
    run = forecast_intervals(
        _rows(signal_store),
        interval_s=1800,
        horizon_s=86400,
        origin=datetime(2024, 2, 19),
        models=["week_mean4"],
    )
    t = run.rows["interval_start"].to_numpy().astype("datetime64[us]")
    assert t[0] == np.datetime64("2024-02-19T00:00") and t.size == 48
