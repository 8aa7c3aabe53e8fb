"""``callscope forecast``, ``forecast backtest``, ``forecast reforecast`` and ``plan``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from callscope.cli import app
from callscope.store import Store

runner = CliRunner()


def test_backtest_json_one_row_per_model(shared_data: Path, tmp_path: Path) -> None:
    csv = shared_data / "weinberg_bank" / "bank_calls_5min_2003.csv"  # DateTime, Calls
    chart = tmp_path / "acc.png"
    res = runner.invoke(
        app,
        [
            "forecast",
            "backtest",
            "--series",
            str(csv),
            "--interval",
            "30m",
            "--horizon",
            "7d",
            "--origins",
            "4",
            "--models",
            "daily_profile,week_mean4,seasonal_naive",
            "--format",
            "json",
            "--chart",
            str(chart),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["model"] for r in rows] == ["daily_profile", "week_mean4", "seasonal_naive"]
    for r in rows:
        assert {"model", "wape", "mase", "bias", "fit_s", "chosen"} <= set(r)
        assert 0 < r["fit_s"] < 120  # a measured wall time per origin, never a placeholder
    assert [r["chosen"] for r in rows] == [True, False, False]
    by = {r["model"]: r for r in rows}
    assert round(by["seasonal_naive"]["wape"], 4) == 0.0997
    assert by["daily_profile"]["wape"] < 0.075
    assert chart.stat().st_size > 10_000 and chart.read_bytes()[:4] == b"\x89PNG"


def test_backtest_table_output(shared_data: Path) -> None:
    csv = shared_data / "weinberg_bank" / "bank_calls_5min_2003.csv"
    res = runner.invoke(
        app,
        [
            "forecast",
            "backtest",
            "--series",
            str(csv),
            "--origins",
            "2",
            "--models",
            "week_mean4,seasonal_naive",
        ],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    assert "seasonal_naive" in res.stdout and "WAPE by open day" in res.stdout


def test_bad_series_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,volume\n2024-01-01 08:00,3\n2024-01-01 08:30,lots\n")
    for path, msg in (
        (bad, "'volume' (volume) is not a number at line 3"),
        (tmp_path / "missing.csv", "series file not found"),
    ):
        p = subprocess.run(
            [sys.executable, "-m", "callscope", "forecast", "backtest", "--series", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert p.returncode == 2
        assert msg in p.stderr and "Traceback" not in p.stderr


def test_store_forecast_staff_plan_reforecast(signal_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(signal_store, db)
    res = runner.invoke(
        app,
        ["forecast", "--db", str(db), "--horizon", "7d", "--interval", "30m", "--format", "json"],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["rows"] == 7 * 48 and out["series"][0]["closed_intervals"] == 7 * 48 - 5 * 20
    # it says which days it covers: the week after the last contact
    assert out["first"].startswith("2024-02-24 00:00") and out["last"].startswith(
        "2024-03-01 23:30"
    )
    with Store(db, read_only=True) as s:
        cols = s.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'forecasts' ORDER BY ordinal_position"
        ).fetchall()
        fc = s.con.sql("SELECT * FROM forecasts").to_df()
    assert cols == [
        ("forecast_id", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("interval_start", "TIMESTAMP"),
        ("interval_s", "INTEGER"),
        ("queue", "VARCHAR"),
        ("channel", "VARCHAR"),
        ("calls", "DOUBLE"),
        ("aht_s", "DOUBLE"),
        ("calls_lo", "DOUBLE"),
        ("calls_hi", "DOUBLE"),
        ("model", "VARCHAR"),
    ]
    assert (fc.loc[fc["model"] == "closed", "calls"] == 0).all()
    # the queueing engineer's planner reads it
    res = runner.invoke(app, ["staff", "--db", str(db), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert len(res.stdout.strip().splitlines()) == 1 + 7 * 48
    # the capacity plan with what-ifs, to CSV, XLSX and a chart
    for out_file in ("plan.csv", "plan.xlsx"):
        res = runner.invoke(
            app,
            [
                "plan",
                "--db",
                str(db),
                "--what-if",
                "volume=+10%",
                "--what-if",
                "aht=300",
                "--what-if",
                "sl=90/20",
                "--output",
                str(tmp_path / out_file),
                "--chart",
                str(tmp_path / "plan.svg"),
                "--format",
                "json",
            ],
        )
        assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)["summary"]
    assert [s["scenario"] for s in summary] == ["base", "volume=+10%", "aht=300", "sl=90/20"]
    assert all(s["fte_vs_base"] > 0 for s in summary[1:])
    plan = pd.read_csv(tmp_path / "plan.csv")
    assert len(plan) == 4 * 7 * 48 and set(plan["scenario"]) == {s["scenario"] for s in summary}
    xl = pd.read_excel(tmp_path / "plan.xlsx", sheet_name=None)
    assert set(xl) == {"summary", "intervals", "metadata"}
    assert (tmp_path / "plan.svg").read_text().lstrip().startswith("<?xml")
    # intraday reforecast of Monday 26 February at noon: no contacts that day in the store,
    # so the rest of the day comes down (ratio below 1)
    res = runner.invoke(
        app,
        [
            "forecast",
            "reforecast",
            "--db",
            str(db),
            "--now",
            "2024-02-26T12:00",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)["series"][0]
    assert info["intervals_done"] == 8 and info["actual_so_far"] == 0 and info["ratio"] < 1
    with Store(db, read_only=True) as s:
        n_runs = s.con.execute("SELECT count(DISTINCT forecast_id) FROM forecasts").fetchall()
    assert n_runs == [(2,)]


def test_forecast_keeps_the_declared_opening_hours(signal_store: Path, tmp_path: Path) -> None:
    """With [hours] in the settings, the forecast is closed outside them (0 calls, model
    closed), whatever hours the history suggests."""
    db = tmp_path / "h.duckdb"
    shutil.copy(signal_store, db)
    settings = tmp_path / "callscope.toml"
    settings.write_text(
        "[hours]\n"
        + "".join(f'{d} = "10:00-12:00"\n' for d in ("mon", "tue", "wed", "thu", "fri"))
        + 'sat = "closed"\nsun = "closed"\n'
    )
    res = runner.invoke(
        app, ["forecast", "--db", str(db), "--settings", str(settings), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["series"][0]["open_intervals"] == 5 * 4
    with Store(db, read_only=True) as s:
        fc = s.con.sql("SELECT * FROM forecasts").to_df()
    opened = fc[fc["model"] != "closed"]
    hours = opened["interval_start"].dt.hour
    assert ((hours >= 10) & (hours < 12)).all() and (
        opened["interval_start"].dt.day_of_week < 5
    ).all()
    assert (fc.loc[fc["model"] == "closed", "calls"] == 0).all()
