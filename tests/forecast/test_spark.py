"""The same models on Spark through statsforecast's Fugue backend give the same forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fcdata import expected_calls

from callscope.forecast.frame import forecast_frame, long_frame, run_forecast
from callscope.forecast.models import DailyProfile, WeekMean
from callscope.forecast.series import IntervalSeries


def _series(seed: int, scale: float) -> tuple[IntervalSeries, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.datetime64("2024-01-01", "us") + np.arange(42 * 48) * np.timedelta64(30, "m")
    lam = expected_calls(t) * scale
    keep = lam > 0
    fut = np.datetime64("2024-02-12", "us") + np.arange(7 * 48) * np.timedelta64(30, "m")
    fut = fut[expected_calls(fut) > 0]
    return IntervalSeries(t[keep], rng.poisson(lam[keep]).astype(float), 1800), fut


@pytest.mark.spark
def test_forecast_on_spark_equals_local(spark) -> None:
    series, futures = {}, []
    for i, scale in enumerate((1.0, 0.3, 2.0)):
        s, fut = _series(i, scale)
        series[f"q{i}"] = s
        futures.append(forecast_frame(f"q{i}", fut, 1800, len(s)))
    df = long_frame(series)
    X = pd.concat(futures, ignore_index=True)
    h = len(futures[0])
    models = [DailyProfile(), WeekMean(4)]
    local = run_forecast(df, X, models, h, (80,), n_jobs=2)
    sdf = spark.createDataFrame(df)
    sX = spark.createDataFrame(X)
    remote = run_forecast(sdf, sX, models, h, (80,)).toPandas()
    key = ["unique_id", "ds"]
    a = local.sort_values(key).reset_index(drop=True)
    b = remote.sort_values(key).reset_index(drop=True)
    assert len(b) == 3 * h
    for col in ("daily_profile", "week_mean4", "daily_profile-lo-80", "daily_profile-hi-80"):
        np.testing.assert_allclose(
            b[col].to_numpy(float), a[col].to_numpy(float), rtol=1e-6
        )  # Spark returns float32
