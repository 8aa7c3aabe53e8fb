"""`callscope synth` and `callscope demo` (the main job) from the command line."""

from __future__ import annotations

import json

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
        "--out",
        str(tmp_path / "sample"),
        "--json",
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
            "--format",
            "asterisk",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    path = json.loads(res.stdout)["file"]
    res = runner.invoke(
        app, ["ingest", path, "--format", "asterisk", "--db", str(tmp_path / "s.duckdb"), "--json"]
    )
    out = json.loads(res.stdout)
    assert out["rows_rejected"] == 0 and out["rows_loaded"] > 1500


def test_synth_straight_into_store(tmp_path):
    db = tmp_path / "s.duckdb"
    res = runner.invoke(
        app, ["synth", "--contacts", "3000", "--days", "3", "--db", str(db), "--json"]
    )
    assert res.exit_code == 0, res.output
    tables = json.loads(res.stdout)["tables"]
    assert tables["contacts"] > 2000 and tables["agent_states"] > 0


def test_synth_rejects_bad_dates(tmp_path):
    res = runner.invoke(app, ["synth", "--start", "2026-13-01", "--db", str(tmp_path / "x")])
    assert res.exit_code != 0
