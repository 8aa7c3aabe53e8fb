"""Our models recover a known seasonal signal, and their intervals cover it."""

from __future__ import annotations

import numpy as np
import pytest
from fcdata import OPEN_SLOTS, expected_calls

from callscope.forecast.accuracy import wape
from callscope.forecast.models import DailyProfile, Ensemble, WeekMean
from callscope.forecast.series import calendar_features


def _open_intervals(start: str, days: int) -> np.ndarray:
    t = np.datetime64(start, "us") + np.arange(days * 48) * np.timedelta64(30, "m")
    return t[expected_calls(t) > 0]


@pytest.mark.parametrize(
    "model",
    [DailyProfile(), DailyProfile(day_of_month=False), WeekMean(4), Ensemble()],
    ids=lambda m: m.alias,
)
def test_noise_free_signal_is_recovered_exactly(model) -> None:
    hist = _open_intervals("2024-01-01", 70)
    fut = _open_intervals("2024-03-11", 7)
    y = expected_calls(hist)
    f = model.point(y, calendar_features(hist, 1800), calendar_features(fut, 1800))
    if model.alias == "ensemble":  # AutoTheta on constant weekday totals: not bit-exact
        np.testing.assert_allclose(f, expected_calls(fut), rtol=2e-3)
    else:
        np.testing.assert_allclose(f, expected_calls(fut), rtol=1e-9)


def test_poisson_signal_recovered_and_intervals_cover() -> None:
    rng = np.random.default_rng(11)
    hist = _open_intervals("2024-01-01", 70)
    fut = _open_intervals("2024-03-11", 7)
    lam_h, lam_f = expected_calls(hist), expected_calls(fut)
    y = rng.poisson(lam_h).astype(float)
    res = DailyProfile().forecast(
        y, fut.size, calendar_features(hist, 1800), calendar_features(fut, 1800), level=[80]
    )
    # against the true mean: only estimation noise remains (Poisson floor ~ 8 % per interval)
    assert wape(lam_f, res["mean"]) < 0.04
    # the 80 % interval covers about 80 % of fresh Poisson draws
    draws = rng.poisson(lam_f, size=(200, lam_f.size))
    cover = ((draws >= res["lo-80"]) & (draws <= res["hi-80"])).mean()
    assert 0.72 < cover < 0.92
    assert (res["lo-80"] <= res["mean"]).all() and (res["mean"] <= res["hi-80"]).all()


def test_profile_follows_the_weekday_shape() -> None:
    hist = _open_intervals("2024-01-01", 42)
    fut = _open_intervals("2024-02-12", 1)  # a Monday
    f = DailyProfile(day_of_month=False).point(
        expected_calls(hist), calendar_features(hist, 1800), calendar_features(fut, 1800)
    )
    slots = calendar_features(fut, 1800)[:, 1].astype(int)
    assert slots.tolist() == OPEN_SLOTS.tolist()
    assert f.argmax() == np.argmax(expected_calls(fut))


def _without(t: np.ndarray, first: str, last: str) -> np.ndarray:
    day = t.astype("datetime64[D]")
    return t[(day < np.datetime64(first)) | (day > np.datetime64(last))]


@pytest.mark.parametrize("level", ["ets", "theta"])
def test_daily_level_models_keep_the_week_aligned_across_missing_days(level: str) -> None:
    # 10 weeks of the noise-free signal with two days missing (as 11-12 January in
    # Anonymous Bank's file): the daily series must still step through the calendar,
    # not through the days that happen to be present
    hist = _without(_open_intervals("2024-01-01", 70), "2024-01-24", "2024-01-25")
    fut = _open_intervals("2024-03-11", 7)
    f = DailyProfile(level, day_of_month=False).point(
        expected_calls(hist), calendar_features(hist, 1800), calendar_features(fut, 1800)
    )
    assert wape(expected_calls(fut), f) < 0.01


def test_a_level_change_across_a_gap_is_not_an_outlier() -> None:
    # 8 weeks at twice the volume, 10 weeks missing, then 3 weeks at the normal volume:
    # the new days are compared with their own neighbours, not with the old weeks
    before = _open_intervals("2024-01-01", 56)
    after = _open_intervals("2024-04-22", 21)
    hist = np.concatenate([before, after])
    y = np.concatenate([2 * expected_calls(before), expected_calls(after)])
    fut = _open_intervals("2024-05-13", 7)
    f = DailyProfile(level_weeks=3, day_of_month=False).point(
        y, calendar_features(hist, 1800), calendar_features(fut, 1800)
    )
    np.testing.assert_allclose(f, expected_calls(fut), rtol=1e-9)
