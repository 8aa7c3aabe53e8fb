"""Building SQL from text that is not ours: the one audited place.

Whatever reaches DuckDB from a user, a file or a mapping (a file name, a column name, a
survey name, a value map, a format, a default, a time zone) goes through this module:

* :func:`ident` quotes an identifier (``"name"``, a ``"`` doubled): it can only ever
  name a column or table, never end the statement or add an operator.
* :func:`literal` writes a constant: text as a standard string literal (``'text'``, a
  ``'`` doubled; DuckDB's standard strings have no backslash escapes, so nothing else
  can end them), numbers and booleans by their type, ``None`` as ``NULL``. Non-finite
  floats are typed casts, never the bare words ``inf``/``nan`` (which would read as
  column names). DuckDB 1.5 ends SQL text at a NUL character: a NUL in text is written
  ``chr(0)``, and a name holding one is refused.
* :func:`run` and :func:`relation` execute exactly **one** statement. DuckDB runs every
  statement of a string given to ``execute``; these parse the text first and refuse it,
  before anything runs, when it holds more (or fewer) than one.

Bind parameters (``?``) are used wherever DuckDB takes them (values in ``WHERE``,
``INSERT ... VALUES``, function arguments of plain queries); :func:`ident` and
:func:`literal` where it does not (DDL, the readers' table-function arguments, the
generated ``CASE`` expressions of the ingesters). ``tests/store/test_sql.py`` checks
that no module of ``ingest/`` or ``store/`` calls DuckDB's ``execute``/``sql`` except
through here.

>>> print(ident('a "b" c'))
"a ""b"" c"
>>> literal("x'; DELETE FROM contacts; --")
"'x''; DELETE FROM contacts; --'"
>>> literal(float("inf")), literal(2), literal(True), literal(None)
("'inf'::DOUBLE", '2', 'true', 'NULL')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from callscope.errors import CallscopeError

__all__ = [
    "DUCK_TYPES",
    "UnsafeSQL",
    "copy_database",
    "drop",
    "ident",
    "literal",
    "relation",
    "run",
]


#: The DuckDB type of each Arrow type of the canonical tables.
DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us"): "TIMESTAMP",
}


class UnsafeSQL(RuntimeError):
    """SQL text that is not exactly one statement: refused before anything runs (a bug
    in callscope, never a user's mistake: user text is always quoted)."""


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    if not isinstance(name, str):
        raise TypeError(f"an identifier is text, not {type(name).__name__}")
    if "\x00" in name:  # DuckDB 1.5's parser ends SQL text at a NUL
        raise CallscopeError(f"the name {name!r} holds a NUL character; no column or table can")
    return '"' + name.replace('"', '""') + '"'


def literal(value: str | int | float | bool | None) -> str:
    """``value`` as a SQL constant (text, integer, float, boolean or NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        return f"'{'nan' if math.isnan(value) else ('inf' if value > 0 else '-inf')}'::DOUBLE"
    if isinstance(value, str):
        text = "'" + value.replace("'", "''") + "'"
        if "\x00" in value:  # DuckDB 1.5's parser ends SQL text at a NUL: chr(0) instead
            return "(" + text.replace("\x00", "' || chr(0) || '") + ")"
        return text
    raise TypeError(f"no SQL literal for a {type(value).__name__}")


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    n = len(con.extract_statements(sql))
    if n != 1:
        raise UnsafeSQL(f"refused to run SQL holding {n} statements (exactly one is allowed)")


def run(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Execute the single statement ``sql`` (with bind ``params``); refuse anything else."""
    _one(con, sql)
    return con.execute(sql, params) if params is not None else con.execute(sql)


def relation(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> duckdb.DuckDBPyRelation:
    """A relation of the single query ``sql``; refuse anything else."""
    _one(con, sql)
    return con.sql(sql, params=params) if params is not None else con.sql(sql)


def drop(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """``DROP TABLE IF EXISTS`` each of ``tables``, one statement each."""
    for t in tables:
        run(con, f"DROP TABLE IF EXISTS {ident(t)}")


def copy_database(con: duckdb.DuckDBPyConnection, source: str, target: str) -> None:
    """``COPY FROM DATABASE source TO target`` (every table, view, sequence and macro of
    one attached database into another). DuckDB's parser expands this one statement into
    several, so it cannot pass :func:`run`'s check; it takes nothing but the two names,
    quoted."""
    con.execute(f"COPY FROM DATABASE {ident(source)} TO {ident(target)}")
