"""Pseudonyms, erasure with tombstones and audit, retention (issue 11, item 10)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callscope.errors import CallscopeError
from callscope.model import CONTACTS, SURVEYS
from callscope.privacy.keys import load_key
from callscope.privacy.pseudonym import normalize, pseudonym, pseudonym_sql
from callscope.privacy.retention import cutoff, parse_period
from callscope.store import Store

KEY = bytes(range(32))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=30),
        st.from_regex(r"\+?\(?[0-9][0-9 ()./-]{0,15}", fullmatch=True),
        st.emails(),
    )
)
def test_sql_pseudonym_equals_python(value: str) -> None:
    """The pseudonym computed inside DuckDB (at ingest) is the one Python computes (at
    erasure): otherwise an erasure request would miss the person."""
    sql, params = pseudonym_sql("v", KEY)
    con = duckdb.connect()
    got = con.execute(f"SELECT {sql} FROM (SELECT ?::VARCHAR AS v)", [*params, value]).fetchall()
    assert got[0][0] == pseudonym(value, KEY)


def test_one_person_one_pseudonym_and_the_key_matters() -> None:
    assert normalize(" +48 (600) 100-200 ") == "+48600100200"
    assert pseudonym("+48 600 100 200", KEY) == pseudonym("+48600100200", KEY)
    assert pseudonym("+48600100200", KEY) != pseudonym("+48600100201", KEY)
    assert pseudonym("+48600100200", KEY) != pseudonym("+48600100200", bytes(32))


def test_key_file_is_made_once_private_and_refused_when_broken(tmp_path: Path) -> None:
    path = tmp_path / "k" / "callscope.key"
    key = load_key(path, env={})
    assert load_key(path, env={}) == key and path.stat().st_mode & 0o077 == 0
    assert load_key(path, env={"CALLSCOPE_KEY": KEY.hex()}) == KEY  # the environment wins
    path.write_text("not hex\n")
    with pytest.raises(CallscopeError, match="does not hold a key"):
        load_key(path, env={})
    with pytest.raises(CallscopeError, match="no key"):
        load_key(tmp_path / "none.key", env={}, create=False)


def _contacts(rows: list[tuple[str, str | None, datetime]]) -> pa.Table:
    n = len(rows)
    cols: dict[str, list[object]] = {c.name: [None] * n for c in CONTACTS.columns}
    for i, (cid, who, when) in enumerate(rows):
        cols["contact_id"][i] = cols["conversation_id"][i] = cid
        cols["segment"][i] = 1
        cols["channel"][i], cols["direction"][i], cols["queue"][i] = "voice", "inbound", "q"
        cols["customer_key"][i] = who
        cols["arrival_ts"][i] = cols["queue_entry_ts"][i] = when
        cols["wait_s"][i], cols["outcome"][i], cols["transferred"][i] = 5.0, "answered", False
        cols["source_file"][i], cols["source_line"][i] = "t", i + 1
    return pa.Table.from_pydict(cols, schema=CONTACTS.schema)


def _survey(survey_id: str, who: str, when: datetime) -> pa.Table:
    cols: dict[str, list[object]] = {c.name: [None] for c in SURVEYS.columns}
    cols.update(
        survey_id=[survey_id],
        customer_key=[who],
        submitted_ts=[when],
        item=["csat"],
        score=[5.0],
        scale_min=[1.0],
        scale_max=[5.0],
        source_file=["t"],
        source_line=[1],
    )
    return pa.Table.from_pydict(cols, schema=SURVEYS.schema)


def _center(db: Path, key: bytes) -> str:
    """Two customers: Ann (by her pseudonym, as ingest stores it) and Bob (raw)."""
    ann = pseudonym("+48 600 100 200", key)
    with Store(db) as store, store.batch("t", "t", "sha") as b:
        b.append(
            "contacts",
            _contacts(
                [
                    ("c1", ann, datetime(2026, 1, 5, 9)),
                    ("c2", ann, datetime(2026, 1, 6, 9)),
                    ("c3", "bob@example.com", datetime(2026, 1, 6, 10)),
                    ("c4", None, datetime(2024, 1, 6, 10)),
                ]
            ),
        )
        b.append("surveys", _survey("s1", ann, datetime(2026, 1, 5, 9, 10)))
        b.reject(pa.table({"line": [7], "raw": [f"x|{ann}|broken"], "reason": ["bad line"]}))
    return ann


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "callscope", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_erase_removes_the_person_everywhere_with_proof_tombstone_and_audit(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.duckdb"
    env = {"CALLSCOPE_KEY": KEY.hex()}
    ann = _center(db, KEY)
    p = run(
        "privacy",
        "erase",
        "--customer",
        "+48-600-100-200",
        "--db",
        str(db),
        "--format",
        "json",
        env=env,
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["pseudonym"] == ann
    assert out["rows_removed"] == {
        "contacts": 2,
        "surveys": 1,
        "messages": 0,
        "orders": 0,
        "rejects": 1,
    }
    with Store(db, read_only=True) as s:
        left = s.con.execute("SELECT contact_id FROM contacts ORDER BY 1").fetchall()
        assert left == [("c3",), ("c4",)]
        assert s.con.execute("SELECT pseudonym FROM erased_customers").fetchall() == [(ann,)]
        action, subject, detail = s.con.execute(
            "SELECT action, subject, detail FROM audit_log"
        ).fetchall()[0]
        assert (action, subject) == ("erase", ann)
        assert json.loads(detail)["rows_removed"]["contacts"] == 2
        raw = s.con.execute("SELECT count(*) FROM erased_customers WHERE pseudonym LIKE '%600%'")
        assert raw.fetchall() == [(0,)]  # the tombstone never holds the phone number
    # a store kept with raw identifiers: the raw form goes too
    p = run(
        "privacy",
        "erase",
        "--customer",
        "Bob@Example.com",
        "--db",
        str(db),
        "--format",
        "json",
        env=env,
    )
    assert json.loads(p.stdout)["rows_removed"]["contacts"] == 1


def test_erase_without_a_key_or_a_store_is_one_line(tmp_path: Path) -> None:
    p = run("privacy", "erase", "--customer", "x", "--db", str(tmp_path / "none.duckdb"))
    assert p.returncode == 2 and p.stderr.startswith("error: --db: no store")
    db = tmp_path / "c.duckdb"
    _center(db, KEY)
    bad = tmp_path / "bad.key"
    bad.write_text("zz\n")
    settings_file = tmp_path / "s.toml"
    settings_file.write_text(f'[privacy]\nkey_file = "{bad}"\n')
    p = run(
        "privacy", "erase", "--customer", "x", "--db", str(db), "--settings", str(settings_file)
    )
    assert p.returncode == 2 and "does not hold a key" in p.stderr and p.stderr.count("\n") == 1


def test_retention_deletes_what_is_older_and_reports_it(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    _center(db, KEY)
    p = run("privacy", "apply-retention", "--dry-run", "--db", str(db), "--format", "json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["dry_run"] and out["rows_removed"]["contacts"] == 1  # c4, January 2024
    with Store(db, read_only=True) as s:
        assert s.count("contacts") == 4  # a dry run deletes nothing
    p = run("privacy", "apply-retention", "--db", str(db), "--format", "json")
    assert json.loads(p.stdout)["rows_removed"]["contacts"] == 1
    with Store(db, read_only=True) as s:
        assert s.count("contacts") == 3
        assert s.con.execute("SELECT action FROM audit_log").fetchall() == [("retention",)]


def test_retention_periods_are_calendar_months() -> None:
    assert cutoff(datetime(2027, 3, 31, 12), parse_period("25 months")) == datetime(2025, 2, 28, 12)
    assert cutoff(datetime(2027, 3, 31), parse_period("2 years")) == datetime(2025, 3, 31)
    assert cutoff(datetime(2027, 3, 31), parse_period("forever")) is None
    with pytest.raises(CallscopeError, match="25 months"):
        parse_period("25 fortnights")
