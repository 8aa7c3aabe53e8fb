"""Forecasts from the store: the known signal comes back, closed hours stay closed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fcdata import AHT_S, expected_calls, make_contacts

from callscope.forecast.accuracy import wape
from callscope.forecast.forecaster import forecast_intervals, history_series
from callscope.forecast.history import Gap
from callscope.forecast.series import SpecialDays
from callscope.store import Store
from callscope.store.forecasts import forecast_info, interval_series, write_forecasts


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
    # the chosen model is the one whose forecasts the rows carry, and it was chosen on
    # errors near the Poisson floor of this signal (about 15 % per interval)
    (choice,) = run.choices
    assert set(r.loc[~closed, "model"]) == {choice.model}
    assert 0.05 < choice.selection_wape < 0.25


def test_the_run_says_what_it_covers(signal_store: Path) -> None:
    run = forecast_intervals(
        _rows(signal_store), interval_s=1800, horizon_s=7 * 86400, models=["week_mean4"]
    )
    cov = run.coverage
    # contacts Monday 1 January .. Friday 23 February; origin Saturday 24 February
    assert (cov.history_first, cov.history_last) == (date(2024, 1, 1), date(2024, 2, 23))
    assert cov.history_days == 54 and cov.contact_days == 40  # 8 weeks of 5 open days
    assert cov.data_first == date(2024, 1, 1)
    assert cov.horizon_first == datetime(2024, 2, 24)
    assert cov.horizon_last == datetime(2024, 3, 1, 23, 30) and cov.horizon_days == 7
    assert cov.gaps == () and cov.warnings == () and run.warnings == ()
    assert run.choices[0].coverage == cov  # one series: the run is that series
    assert run.choices[0].history_days == 54


def _shifted(table: pa.Table, tag: str) -> pa.Table:
    for col in ("contact_id", "conversation_id"):
        ids = [f"{tag}-{v}" for v in table.column(col).to_pylist()]
        table = table.set_column(table.schema.get_field_index(col), col, pa.array(ids))
    return table


@pytest.fixture(scope="module")
def gap_rows(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The signal for 4 weeks (Mon 1 .. Fri 26 January 2024), nothing until Monday
    1 April, then 33 days (to Fri 3 May): a 2-month gap."""
    path = tmp_path_factory.mktemp("gap") / "gap.duckdb"
    rng = np.random.default_rng(5)
    with Store(path) as s, s.batch("test", "test", "sha-gap") as b:
        b.append("contacts", _shifted(make_contacts(date(2024, 1, 1), 28, rng), "a"))
        b.append("contacts", _shifted(make_contacts(date(2024, 4, 1), 33, rng), "b"))
    return _rows(path)


def test_a_gap_is_found_said_and_left_out_of_the_series(gap_rows: pd.DataFrame) -> None:
    run = forecast_intervals(gap_rows, interval_s=1800, horizon_s=7 * 86400, models=["week_mean8"])
    gap = Gap(date(2024, 1, 26), date(2024, 4, 1), 65, 45)
    cov = run.coverage
    assert cov.gaps == (gap,) and run.choices[0].coverage.gaps == (gap,)
    assert (cov.history_first, cov.history_last) == (date(2024, 1, 1), date(2024, 5, 3))
    assert cov.history_days == 124 - 65 and cov.contact_days == 20 + 25
    assert cov.horizon_first == datetime(2024, 5, 4)
    assert run.warnings == (
        "history has a 2-month gap: 2024-01-26 .. 2024-04-01 (65 days without contacts); "
        "the model fits on the history on both sides and leaves the gap out (the 33 days "
        "after it are under the 168 needed to stand alone)",
    )
    # the series the models see has no interval in the gap: unknown, not zero calls
    (hs,) = history_series(gap_rows, 1800, np.datetime64("2024-05-04")).values()
    t = hs.series.start
    assert not ((t > np.datetime64("2024-01-27")) & (t < np.datetime64("2024-04-01"))).any()
    # so an 8-week mean takes the 5 weeks after the gap and 3 before it, not 3 weeks of
    # zeros (which would forecast 5/8 of the level)
    r = run.rows
    truth = expected_calls(r["interval_start"].to_numpy().astype("datetime64[us]"))
    assert wape(truth, r["calls"]) < 0.08
    assert r["calls"].sum() == pytest.approx(truth.sum(), rel=0.05)


def test_enough_history_after_a_gap_is_used_alone(gap_rows: pd.DataFrame) -> None:
    run = forecast_intervals(
        gap_rows, interval_s=1800, horizon_s=86400, models=["week_mean4"], min_days=28
    )
    cov = run.coverage
    assert cov.history_first == date(2024, 4, 1) and cov.data_first == date(2024, 1, 1)
    assert cov.used_after_gap and cov.history_days == 33 and cov.contact_days == 25
    assert run.warnings[0].endswith(
        "the model uses only the 33 days after it (2024-04-01 .. 2024-05-03)"
    )
    # a horizon with no open interval (Saturday 4 May) is all closed, not an error
    assert len(run.rows) == 48 and (run.rows["model"] == "closed").all()
    assert (run.rows["calls"] == 0).all()


def test_warnings_of_some_series_name_them(gap_rows: pd.DataFrame, signal_store: Path) -> None:
    # queue 'sales' has the January-April gap; queue 'steady' (the signal store's
    # 1 January .. 23 February) ends ten weeks before the origin
    rows = pd.concat([gap_rows, _rows(signal_store).assign(queue="steady")])
    run = forecast_intervals(
        rows, interval_s=1800, horizon_s=86400, origin=datetime(2024, 5, 4), models=["week_mean4"]
    )
    sales, steady = run.choices
    assert sales.warnings[0].startswith("history has a 2-month gap: 2024-01-26 .. 2024-04-01")
    assert steady.coverage.gaps == (Gap(date(2024, 2, 23), date(2024, 5, 4), 70, 50),)
    assert "the history ends 70 days before the forecast starts" in steady.warnings[0]
    assert run.warnings == (
        f"queue sales (voice): {sales.warnings[0]}",
        f"queue steady (voice): {steady.warnings[0]}",
    )
    # together, the two queues have contacts on every weekday up to 23 February
    assert run.coverage.gaps == (Gap(date(2024, 2, 23), date(2024, 4, 1), 37, 25),)
    assert run.coverage.history_first == date(2024, 1, 1)


def test_the_store_keeps_what_a_forecast_covers(tmp_path: Path, gap_rows: pd.DataFrame) -> None:
    run = forecast_intervals(gap_rows, interval_s=1800, horizon_s=86400, models=["week_mean4"])
    rows = run.rows.assign(forecast_id="f1", created_at=datetime(2026, 1, 2, 3, 4))
    with Store(tmp_path / "s.duckdb") as s:
        assert forecast_info(s) is None
        write_forecasts(s, pa.Table.from_pandas(rows, preserve_index=False))  # no coverage
        old = forecast_info(s)
        assert old is not None and old.forecast_id == "f1" and old.history_first is None
        assert old.warnings == () and old.gaps == ()
        rows2 = rows.assign(forecast_id="f2", created_at=datetime(2026, 1, 3))
        write_forecasts(
            s, pa.Table.from_pandas(rows2, preserve_index=False), run.coverage_records()
        )
        info = forecast_info(s)
        assert info is not None and info.forecast_id == "f2"
        assert info.created_at == datetime(2026, 1, 3) and info.interval_s == 1800
        assert (info.horizon_first, info.horizon_last) == (
            datetime(2024, 5, 4),
            datetime(2024, 5, 4, 23, 30),
        )
        assert info.horizon_days == 1 and info.intervals == 48 and info.series == 1
        assert (info.history_first, info.history_last, info.history_days) == (
            date(2024, 1, 1),
            date(2024, 5, 3),
            59,
        )
        assert [vars(g) for g in info.gaps] == [vars(g) for g in run.coverage.gaps]
        assert info.warnings == run.warnings
        assert forecast_info(s, "f1") == old and forecast_info(s, "nope") is None
        per_series = s.con.sql(
            "SELECT queue, history_days FROM forecast_coverage WHERE forecast_id = 'f2' "
            "ORDER BY queue NULLS FIRST"
        ).fetchall()
        assert per_series == [(None, 59), ("sales", 59)]
        # coverage and rows go in together or not at all
        bad = run.coverage_records()
        bad[0]["history_days"] = "many"
        rows3 = rows.assign(forecast_id="f3", created_at=datetime(2026, 1, 4))
        with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
            write_forecasts(s, pa.Table.from_pandas(rows3, preserve_index=False), bad)
        assert forecast_info(s, "f3") is None


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
