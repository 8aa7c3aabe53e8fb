"""The ingest and rejects commands as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from callscope.cli import app

runner = CliRunner()
QL = Path(__file__).resolve().parents[1] / "ingest" / "data" / "queue_log.txt"


def test_ingest_json_summary(tmp_path):
    db = tmp_path / "s.duckdb"
    res = runner.invoke(
        app, ["ingest", str(QL), "--source", "asterisk", "--db", str(db), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) >= {"files", "rows_read", "rows_loaded", "rows_rejected", "rejects"}
    assert out["rows_read"] == 41 and out["rows_loaded"] == 13 and out["rows_rejected"] == 5
    assert all(set(r) == {"file", "line", "reason"} for r in out["rejects"])
    res = runner.invoke(app, ["rejects", "--db", str(db), "--format", "json"])
    assert json.loads(res.stdout)["total"] == 5


def test_env_db(tmp_path, monkeypatch):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("CALLSCOPE_DB", str(db))
    res = runner.invoke(app, ["ingest", str(QL), "--source", "asterisk"])
    assert res.exit_code == 0, res.output
    assert db.exists()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callscope", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_user_mistakes_are_one_line_no_traceback(tmp_path):
    empty = tmp_path / "empty.log"
    empty.write_text("")
    notlog = tmp_path / "notes.txt"
    notlog.write_text("hello\nworld\n")
    cases = [
        (["ingest", str(empty), "--source", "asterisk"], "the file is empty"),
        (["ingest", str(tmp_path / "nope.log"), "--source", "asterisk"], "no such file"),
        (["ingest", str(notlog), "--source", "asterisk"], "no row could be read as asterisk"),
        (["ingest", str(notlog), "--source", "csv"], "--mapping: csv files need a column mapping"),
        (["ingest", str(notlog), "--source", "asterisk", "--tz", "Mars/Base"], "--tz: unknown"),
    ]
    for args, message in cases:
        proc = run(*args, "--db", str(tmp_path / "x.duckdb"), cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1  # one line, never wrapped
