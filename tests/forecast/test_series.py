"""Series files, aggregation, the open calendar and special days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from callscope.errors import CallscopeError, InputError
from callscope.forecast.series import (
    OpenHours,
    SpecialDays,
    aggregate,
    calendar_features,
    read_series_csv,
    steps_per,
)
from callscope.model.units import parse_duration_s


def test_read_series_takes_first_two_columns(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("when,calls,extra\n2024-01-01 08:00,3,x\n2024-01-01 08:05,4,y\n")
    ts, y = read_series_csv(p)
    assert ts.dtype == np.dtype("datetime64[us]")
    assert y.tolist() == [3.0, 4.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timestamp\n2024-01-01\n", "needs two columns"),
        (
            "timestamp,volume\n2024-01-01 08:00,3\nnot-a-date,4\n",
            "'timestamp' (timestamp) cannot be parsed at line 3",
        ),
        (
            "timestamp,volume\n2024-01-01 08:00,three\n",
            "'volume' (volume) is not a number at line 2",
        ),
        ("", "cannot read as CSV"),
    ],
)
def test_read_series_errors_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_series_csv(p)


def test_aggregate_and_calendar() -> None:
    t = np.array(
        ["2024-01-01T07:00", "2024-01-01T07:25", "2024-01-01T07:30", "2024-01-02T21:00"],
        dtype="datetime64[us]",
    )
    s = aggregate(t, np.array([1.0, 2.0, 3.0, 4.0]), 1800)
    assert s.y.tolist() == [3.0, 3.0, 4.0]
    x = calendar_features(s.start, 1800)
    # 2024-01-01 is a Monday: weekday (day + 3) % 7 == 0; 07:00 is slot 14
    assert ((x[:, 0].astype(int) + 3) % 7).tolist() == [0, 0, 1]
    assert x[:, 1].tolist() == [14, 15, 42]
    assert parse_duration_s("15m") == 900
    with pytest.raises(CallscopeError):
        parse_duration_s("soon")


def test_steps_per_week_of_weekday_only_data() -> None:
    days = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-03-01"))
    wd = (days.astype(np.int64) + 3) % 7
    days = days[wd < 5]
    t = (
        days[:, None].astype("datetime64[us]")
        + np.timedelta64(7, "h")
        + np.arange(29) * np.timedelta64(30, "m")
    ).ravel()
    assert steps_per(t, 7 * 86400) == 145
    assert steps_per(t, 86400) == 29


def test_open_hours_learned_and_special_days_close() -> None:
    t = np.arange(
        np.datetime64("2024-01-01T00:00", "us"),
        np.datetime64("2024-01-29T00:00", "us"),
        np.timedelta64(30, "m"),
    )
    x = calendar_features(t, 1800)
    wd = (x[:, 0].astype(int) + 3) % 7
    y = np.where((wd < 5) & (x[:, 1] >= 16) & (x[:, 1] < 36), 5.0, 0.0)
    hours = OpenHours.learn(t, y, 1800, need_volume=True)
    assert hours.open.sum() == 5 * 20
    assert hours.open[0, 16] and not hours.open[0, 15] and not hours.open[5].any()
    sp = SpecialDays.parse(["2024-01-30", "2024-01-31=0.5"])
    assert sp.factors == {date(2024, 1, 30): 0.0, date(2024, 1, 31): 0.5}
    g, is_open = hours.grid(np.datetime64("2024-01-29"), np.datetime64("2024-02-05"), sp)
    assert g.size == 7 * 48
    assert is_open.sum() == 4 * 20  # Tuesday 30 January closed
    with pytest.raises(CallscopeError, match="YYYY-MM-DD"):
        SpecialDays.parse(["30/01/2024"])
