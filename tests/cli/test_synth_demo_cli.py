"""`callscope synth` and `callscope demo` (the main job) from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
from typer.testing import CliRunner

from callscope.cli import app

runner = CliRunner()


def test_demo_generates_ingests_and_reports(tmp_path):
    db = tmp_path / "demo.duckdb"
    args = [
        "demo",
        "--contacts",
        "6000",
        "--days",
        "7",
        "--db",
        str(db),
        "--output-dir",
        str(tmp_path / "sample"),
        "--format",
        "json",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["sample"]["rows_rejected"] == 0
    assert out["sample"]["rows_loaded"] > 4000
    assert set(out["sample"]["side_tables"]) >= {"agent_states", "agents", "surveys"}
    total = out["kpis"]["total"]
    con = duckdb.connect(str(db), read_only=True)
    offered, answered = con.execute(
        "SELECT count(*) FILTER (WHERE outcome NOT IN ('ivr_only', 'blocked', 'phantom')), "
        "count(*) FILTER (WHERE outcome = 'answered') FROM contacts"
    ).fetchall()[0]
    con.close()
    assert (total["offered"], total["answered"]) == (offered, answered)
    assert 0.3 < total["service_level"] < 1 and 0 < total["abandon_rate"] < 0.3
    assert {r["queue"] for r in out["kpis"]["by_queue"] if r["queue"]} >= {"General", "Billing"}
    # a second run finds the data and does not generate again
    again = json.loads(runner.invoke(app, args).stdout)
    assert "sample" not in again and again["kpis"]["total"]["offered"] == offered


def test_synth_files_ingest_cleanly(tmp_path):
    res = runner.invoke(
        app,
        [
            "synth",
            "--contacts",
            "3000",
            "--days",
            "3",
            "--source",
            "asterisk",
            "--output-dir",
            str(tmp_path),
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    path = json.loads(res.stdout)["file"]
    res = runner.invoke(
        app,
        [
            "ingest",
            path,
            "--source",
            "asterisk",
            "--db",
            str(tmp_path / "s.duckdb"),
            "--format",
            "json",
        ],
    )
    out = json.loads(res.stdout)
    assert out["rows_rejected"] == 0 and out["rows_loaded"] > 1500


def test_synth_straight_into_store(tmp_path):
    db = tmp_path / "s.duckdb"
    res = runner.invoke(
        app, ["synth", "--contacts", "3000", "--days", "3", "--db", str(db), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    tables = json.loads(res.stdout)["tables"]
    assert tables["contacts"] > 2000 and tables["agent_states"] > 0


def _main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callscope", *args], capture_output=True, text=True, timeout=120
    )


def test_synth_rejects_bad_dates(tmp_path):
    p = _main("synth", "--start", "2026-13-01", "--db", str(tmp_path / "x.duckdb"))
    assert p.returncode == 2
    assert p.stderr == "error: --start: '2026-13-01' is not a date YYYY-MM-DD\n"
    assert not (tmp_path / "x.duckdb").exists()  # nothing was made


def test_synth_never_overwrites_a_file_unasked(tmp_path):
    target = tmp_path / "queue_log"
    target.write_text("my own log\n")
    args = ["synth", "--contacts", "500", "--days", "1", "--source", "asterisk"]
    p = _main(*args, "--output-dir", str(tmp_path))
    assert p.returncode == 2 and "--force" in p.stderr and str(target) in p.stderr
    assert target.read_text() == "my own log\n"
    p = _main(*args, "--output-dir", str(tmp_path), "--force")
    assert p.returncode == 0, p.stderr
    assert target.read_text().count("|") > 100  # a real queue_log now
    assert not list(tmp_path.glob(".*partial"))
