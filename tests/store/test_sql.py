"""The one audited SQL helper: quoting, one statement per call, and nobody around it."""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import pytest

from callscope.errors import CallscopeError
from callscope.store.sql import UnsafeSQL, ident, literal, relation, run

SRC = Path(__file__).resolve().parents[2] / "src" / "callscope"
HOSTILE = [
    "plain",
    "it's",
    'say "hi"',
    "x'; DELETE FROM t; --",
    'x"; DROP TABLE t; --',
    "COPY (SELECT * FROM t) TO '/tmp/x.csv'",
    "back\\slash\\'",
    "new\nline",
    "nul\x00byte",
    "ünïcødé ☎",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_and_ident_round_trip_as_plain_data(text):
    con = duckdb.connect()
    run(con, "CREATE TABLE t (x INTEGER)")
    run(con, "INSERT INTO t VALUES (1)")
    if "\x00" in text:  # DuckDB 1.5 ends SQL text at a NUL: no name can hold one
        with pytest.raises(CallscopeError, match="holds a NUL character"):
            ident(text)
        got = run(con, f"SELECT {literal(text)} AS x").fetchall()
    else:
        got = run(con, f"SELECT {literal(text)} AS {ident(text or 'empty')}").fetchall()
    assert got == [(text,)]
    assert run(con, "SELECT count(*) FROM t").fetchall() == [(1,)]


def test_numbers_and_non_finite_floats():
    con = duckdb.connect()
    values = [0, -(2**63), 2**63 - 1, 1.5, -0.0, 1e308, True, False, None]
    got = run(con, "SELECT " + ", ".join(literal(v) for v in values)).fetchall()[0]
    assert list(got) == [0, -(2**63), 2**63 - 1, 1.5, -0.0, 1e308, True, False, None]
    inf, ninf, nan = run(
        con, f"SELECT {literal(math.inf)}, {literal(-math.inf)}, {literal(math.nan)}"
    ).fetchall()[0]
    assert inf == math.inf and ninf == -math.inf and math.isnan(nan)
    with pytest.raises(TypeError):
        literal(object())  # type: ignore[arg-type]


def test_more_than_one_statement_is_refused_before_anything_runs():
    con = duckdb.connect()
    run(con, "CREATE TABLE t (x INTEGER)")
    for sql in (
        "INSERT INTO t VALUES (1); DELETE FROM t",
        "SELECT 1; SELECT 2",
        "SELECT 1;;DROP TABLE t",
    ):
        with pytest.raises(UnsafeSQL):
            run(con, sql)
        with pytest.raises(UnsafeSQL):
            relation(con, sql)
    assert run(con, "SELECT count(*) FROM t").fetchall() == [(0,)]
    assert run(con, "SELECT ? || ?", ["a';", "--"]).fetchall() == [("a';--",)]


def test_no_sql_reaches_duckdb_except_through_the_helper():
    """Every execute/sql of ingest/, store/ (but the privacy module, another owner's) and
    services/ingest.py goes through callscope.store.sql."""
    files = [
        *sorted((SRC / "ingest").glob("*.py")),
        *sorted(p for p in (SRC / "store").glob("*.py") if p.name not in ("sql.py", "privacy.py")),
        SRC / "services" / "ingest.py",
    ]
    raw = re.compile(r"\.(execute|executemany|sql|query)\(")
    offenders = [
        f"{p.relative_to(SRC)}:{i}: {line.strip()}"
        for p in files
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if raw.search(line)
    ]
    assert offenders == []
