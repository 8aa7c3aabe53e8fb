"""Customer identifiers at ingest: pseudonyms in every table, erased people stay out,
rejected lines redacted, raw identifiers only when the settings say so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from callscope.privacy.pseudonym import pseudonym
from callscope.store import Store

CTR = Path(__file__).resolve().parents[1] / "ingest" / "data" / "ctr.jsonl"
KEY = bytes(range(32))
ENV = {**os.environ, "CALLSCOPE_KEY": KEY.hex()}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callscope", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        cwd=cwd,
    )


def _callers(db: Path) -> list[str]:
    with Store(db, read_only=True) as s:
        rows = s.con.execute(
            "SELECT DISTINCT customer_key FROM contacts WHERE customer_key IS NOT NULL ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def test_ingest_stores_pseudonyms_and_the_file_holds_no_caller_id(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    p = run("ingest", str(CTR), "--source", "amazon-connect", "--db", str(db))
    assert p.returncode == 0, p.stderr
    callers = _callers(db)
    assert callers and all(c.startswith("p_") and len(c) == 26 for c in callers)
    assert pseudonym("+15550001", KEY) in callers  # the same person, the same pseudonym
    raw = db.read_bytes()
    assert b"+15550001" not in raw and b"15550002" not in raw


def test_raw_identifiers_only_when_the_settings_say_so(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    (tmp_path / "callscope.toml").write_text("[privacy]\nraw_identifiers = true\n")
    p = run("ingest", str(CTR), "--source", "amazon-connect", "--db", str(db), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "+15550001" in _callers(db)


def test_an_erased_customer_never_comes_back(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    assert run("ingest", str(CTR), "--source", "amazon-connect", "--db", str(db)).returncode == 0
    before = len(_callers(db))
    p = run("privacy", "erase", "--customer", "+1 555 0001", "--db", str(db), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rows_removed"]["contacts"] >= 1
    assert pseudonym("+15550001", KEY) not in _callers(db)
    # the same records again, in a file with other bytes (a re-export): still not stored
    again = tmp_path / "again.jsonl"
    shutil.copy(CTR, again)
    with again.open("a") as f:
        f.write("\n")
    p = run("ingest", str(again), "--source", "amazon-connect", "--db", str(db), "--format", "json")
    assert p.returncode == 0, p.stderr
    notes = json.loads(p.stdout)["files"][0]["notes"]
    assert any("erased customers not stored" in n for n in notes), notes
    assert pseudonym("+15550001", KEY) not in _callers(db)
    assert len(_callers(db)) == before - 1


def test_rejected_lines_are_redacted(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(
        "1700000000|c1|Sales|NONE|ENTERQUEUE||+48 600 100 200|1\n"
        "1700000005|c1|Sales|Agent/1|CONNECT|5|c1.1|2\n"
        "1700000100|c1|Sales|Agent/1|COMPLETEAGENT|5|95|1\n"
        "not|a|line +48 600 100 299 ann@example.com\n"
    )
    db = tmp_path / "q.duckdb"
    p = run("ingest", str(log), "--source", "asterisk", "--db", str(db))
    assert p.returncode == 0, p.stderr
    with Store(db, read_only=True) as s:
        raws = [r[0] for r in s.con.execute("SELECT raw FROM rejects").fetchall()]
    assert raws, "the broken line is rejected"
    text = " ".join(raws)
    assert "600 100 299" not in text and "ann@example.com" not in text
    assert pseudonym("+48600100299", KEY) in text and pseudonym("ann@example.com", KEY) in text


def test_a_rejected_line_still_says_when(tmp_path: Path) -> None:
    """Redaction takes the caller out of a rejected line, not its time: Unix seconds,
    Asterisk call ids and ISO dates stay (a phone number written with + is always
    replaced)."""
    log = tmp_path / "queue_log"
    log.write_text(
        "1700000000|1700000000.15|Sales|NONE|ENTERQUEUE||+1 415 555 0100|1\n"
        "1700000003|1700000000.15|Sales|Agent/1|CONNECT|notanumber|c1.1|2\n"
    )
    db = tmp_path / "q.duckdb"
    p = run("ingest", str(log), "--source", "asterisk", "--db", str(db))
    assert p.returncode in (0, 2), p.stderr
    with Store(db, read_only=True) as s:
        raws = [r[0] for r in s.con.execute("SELECT raw FROM rejects").fetchall()]
    assert raws
    text = " ".join(raws)
    assert "415 555" not in text
    assert "1700000000|1700000000.15|Sales" in text or "1700000003|1700000000.15" in text
