"""`callscope synth` and `callscope demo` (the main job) from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest
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
    # a channel's occupancy pools its queues' agent time (busy over available)
    for ch in out["kpis"]["by_channel"]:
        qs = [r for r in out["kpis"]["by_queue"] if r["channel"] == ch["channel"]]
        busy = sum(r["busy_s"] for r in qs)
        avail = sum(r["logged_in_s"] - r["not_ready_s"] for r in qs)
        assert ch["occupancy"] == pytest.approx(busy / avail)
        assert min(r["occupancy"] for r in qs) <= ch["occupancy"] <= max(r["occupancy"] for r in qs)
    # a second run finds the data and does not generate again
    again = json.loads(runner.invoke(app, args).stdout)
    assert "sample" not in again and again["kpis"]["total"]["offered"] == offered
    _each_channel_on_its_own_clock(db, args, out)


def _within(db, seconds: dict[str, float]) -> dict[str, tuple[int, int]]:
    """Per channel: (answered with wait <= that channel's seconds, offered), by SQL."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT channel, count(*) FILTER (WHERE outcome = 'answered' AND wait_s <= CASE channel "
        "WHEN 'chat' THEN ? WHEN 'email' THEN ? ELSE ? END), "
        "count(*) FILTER (WHERE outcome NOT IN ('ivr_only', 'blocked', 'phantom')) "
        "FROM contacts WHERE direction = 'inbound' GROUP BY channel",
        [seconds["chat"], seconds["email"], seconds["voice"]],
    ).fetchall()
    con.close()
    return {ch: (n, off) for ch, n, off in rows}


def _each_channel_on_its_own_clock(db, args, out) -> None:
    """Service level judged on each channel's goal: voice within 20 s, chat within 60 s,
    e-mail within 24 h (not 20 s); ``--sl-threshold 20s`` judges every channel in 20 s."""
    variant = out["kpis"]["service_level_variant"]
    assert variant["sl_threshold_text"] == "voice 20 s, chat 60 s, email 24 h, else 20 s"
    by_channel = {r["channel"]: r for r in out["kpis"]["by_channel"]}
    goals = _within(db, {"voice": 20.0, "chat": 60.0, "email": 86400.0})
    in_20s = _within(db, dict.fromkeys(("voice", "chat", "email"), 20.0))
    for ch, (n, off) in goals.items():
        assert (by_channel[ch]["answered_within_t"], by_channel[ch]["offered"]) == (n, off), ch
    assert goals["email"][0] > in_20s["email"][0] and goals["chat"][0] > in_20s["chat"][0]
    assert by_channel["email"]["service_level"] > 0.85  # e-mails are answered within hours
    res = runner.invoke(app, [a for a in args if a not in ("--format", "json")])
    assert res.exit_code == 0, res.output
    assert "email: headline KPIs (service level = answered within 24 h / offered)" in res.stdout
    assert "chat: headline KPIs (service level = answered within 60 s / offered)" in res.stdout
    assert "voice: headline KPIs (service level = answered within 20 s / offered)" in res.stdout
    one = json.loads(runner.invoke(app, [*args, "--sl-threshold", "20s"]).stdout)["kpis"]
    assert "sl_thresholds" not in one["service_level_variant"]
    got = {r["channel"]: (r["answered_within_t"], r["offered"]) for r in one["by_channel"]}
    assert got == in_20s


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


def test_synth_writes_into_any_folder_name(tmp_path):
    """A folder name with a quote and a semicolon is a name, not SQL; the hint quotes it."""
    out = tmp_path / "we'ird;dir"
    for source in ("csv", "amazon-connect"):
        p = _main(
            "synth", "--contacts", "300", "--days", "1", "--source", source,
            "--output-dir", str(out),
        )  # fmt: skip
        assert p.returncode == 0, p.stderr
        assert "'\"'\"'" in p.stdout  # shlex-quoted in the hint
    assert sorted(f.name for f in out.iterdir()) == ["contact_records.jsonl", "contacts.csv"]
