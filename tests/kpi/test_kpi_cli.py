"""``callscope kpi`` end to end: formats, metadata, presets, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from builders import make_store
from test_accessibility import ROWS
from typer.testing import CliRunner

from callscope.cli import app
from callscope.errors import CallscopeError

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "s.duckdb"
    make_store(path, contacts=ROWS).close()
    return path


def test_json_rows_and_metadata(db):
    r = runner.invoke(app, ["kpi", "--db", str(db), "--by", "queue", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    q = next(row for row in rows if row["queue"] == "q")
    assert q["offered"] == 10 and q["service_level"] == pytest.approx(0.3)
    assert "sl_variant=offered" in r.stderr and "preset=default" in r.stderr


def test_variant_threshold_and_preset(db):
    r = runner.invoke(
        app,
        [
            "kpi",
            "--db",
            str(db),
            "--format",
            "json",
            "--sl-threshold",
            "10",
            "--sl-variant",
            "answered",
        ],
    )
    assert json.loads(r.stdout)[0]["service_level"] == pytest.approx(1 / 5)
    r = runner.invoke(
        app, ["kpi", "--db", str(db), "--format", "json", "--preset", "amazon-connect"]
    )
    row = json.loads(r.stdout)[0]
    assert row["service_level"] == pytest.approx(0.6)
    assert row["abandon_rate"] == pytest.approx(3 / 10)
    assert "preset=amazon-connect sl_variant=removed-within-threshold" in r.stderr


def test_csv_parquet_xlsx(db, tmp_path):
    r = runner.invoke(
        app,
        [
            "kpi",
            "--db",
            str(db),
            "--by",
            "interval",
            "--format",
            "csv",
            "--columns",
            "offered,service_level",
        ],
    )
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "interval_start,offered,service_level"
    out = tmp_path / "k.parquet"
    r = runner.invoke(app, ["kpi", "--db", str(db), "--format", "parquet", "-o", str(out)])
    assert r.exit_code == 0, r.output
    t = pq.read_table(out)
    assert t.column("offered").to_pylist() == [10]
    assert json.loads(t.schema.metadata[b"callscope"])["sl_variant"] == "offered"
    out = tmp_path / "k.xlsx"
    r = runner.invoke(app, ["kpi", "--db", str(db), "--format", "xlsx", "-o", str(out)])
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["kpis", "metadata"]
    header = [c.value for c in wb["kpis"][1]]
    assert wb["kpis"].cell(2, header.index("offered") + 1).value == 10


def test_table_and_compare_presets(db):
    r = runner.invoke(app, ["kpi", "--db", str(db), "--by", "queue"])
    assert r.exit_code == 0 and "30.0 %" in r.stdout and "sl_variant=offered" in r.stdout
    r = runner.invoke(app, ["kpi", "--db", str(db), "--compare-presets", "--format", "json"])
    rows = {row["kpi"]: row for row in json.loads(r.stdout)}
    sl = rows["service_level"]
    # SL1 3/10, Amazon 6/10, Genesys 3/7, QueueMetrics 3/5
    assert sl["default"] == pytest.approx(0.3)
    assert sl["amazon-connect"] == pytest.approx(0.6)
    assert sl["genesys-cloud"] == pytest.approx(3 / 7)
    assert sl["queuemetrics"] == pytest.approx(0.6)
    r = runner.invoke(app, ["kpi", "--db", str(db), "--compare-presets"])
    assert r.exit_code == 0 and "amazon-connect" in r.stdout


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--by", "minute"], "error: --by: unknown --by word 'minute'; use any of month"),
        (["--sl-variant", "nope"], "error: --sl-variant: unknown --sl-variant 'nope'"),
        (["--preset", "avaya"], "error: --preset: unknown --preset 'avaya'"),
        (["--interval", "20m"], "error: --interval: the interval must be 15m, 30m or 60m"),
        (["--interval", "30"], "error: --interval: the duration '30' has no unit"),
        (["--format", "parquet"], "error: --output: parquet is a binary format"),
        (["--sl-threshold", "soon"], "error: --sl-threshold: cannot read the duration 'soon'"),
        (["--fcr-window", "7"], "error: --fcr-window: the duration '7' has no unit"),
        (["--columns", "nope"], "error: --columns: unknown column(s) nope"),
    ],
)
def test_user_errors_are_one_line_naming_the_flag(db, args, line):
    p = subprocess.run(
        [sys.executable, "-m", "callscope", "kpi", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.splitlines()) == 1 and "Traceback" not in p.stderr
    assert p.stderr.startswith(line), p.stderr


def test_missing_store_says_how_to_load_one(tmp_path):
    r = runner.invoke(app, ["kpi", "--db", str(tmp_path / "missing.duckdb")])
    assert isinstance(r.exception, CallscopeError) and r.exception.field == "db"
    assert "callscope ingest" in str(r.exception)
    assert not (tmp_path / "missing.duckdb").exists()


def test_report_command(db, tmp_path):
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["report", "--db", str(db), "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert all(
        f'<section class="page" id="{s}">' in html for s in ("overview", "service", "agents")
    )


@pytest.mark.spark
def test_engine_spark_matches_duckdb(db, spark):
    args = ["kpi", "--db", str(db), "--by", "queue", "--format", "json"]
    duck = json.loads(runner.invoke(app, args).stdout)
    r = runner.invoke(app, [*args, "--engine", "spark"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == duck
    assert "engine=spark" in r.stderr


def test_agent_report_and_period(db):
    r = runner.invoke(app, ["agent-report", "--db", str(db), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows[-1]["agent"] == "Total" and rows[0]["agent"] == "a1"
    assert rows[0]["answered"] == 6  # five inbound + one outbound answered call
    r = runner.invoke(app, ["agent-report", "--db", str(db)])
    assert r.exit_code == 0 and "Total" in r.stdout
    # the period 09:00-09:05 holds contacts 1-5 (entered at minutes 0..4)
    r = runner.invoke(
        app,
        [
            "kpi",
            "--db",
            str(db),
            "--format",
            "json",
            "--from",
            "2024-03-04T09:00:00",
            "--to",
            "2024-03-04T09:05:00",
        ],
    )
    assert json.loads(r.stdout)[0]["offered"] == 5
