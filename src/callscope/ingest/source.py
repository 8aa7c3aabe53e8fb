"""Reading a source file's lines with their line numbers, inside DuckDB.

Every text ingester starts from :func:`raw_lines`: one row per physical line of the file
(``line`` 1-based, ``raw`` the text without its line end), read by DuckDB's parallel CSV
reader in bounded memory. LF, CRLF and CR-only files all number their lines as a text
editor would; a UTF-8 byte-order mark on the first line is dropped.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from callscope.errors import InputError

__all__ = ["check_readable", "quote", "raw_lines"]


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def check_readable(path: Path) -> int:
    """Raise :class:`InputError` for a missing, unreadable or empty file; return its size."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; pass the files inside it")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes): nothing to ingest")
    return size


def raw_lines(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> int:
    """Create temp table ``table(line BIGINT, raw VARCHAR)`` with every line of ``path``.

    Blank lines are kept (``raw`` NULL or whitespace) so that line numbers stay true;
    callers skip them. Returns the number of lines.
    """
    src = quote(str(path))
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT row_number() OVER () AS line, raw
            FROM read_csv({src}, columns={{'raw': 'VARCHAR'}}, header=false,
                          delim=E'\\x01', quote='', escape='', auto_detect=false,
                          strict_mode=false, max_line_size=16777216)"""
        )
    except duckdb.InvalidInputException as e:
        msg = str(e).splitlines()[0]
        full = str(e).lower()
        if "unicode" in full or "utf" in full or "\\0" in full:
            raise InputError(
                f"{path}: not UTF-8 text (a binary file, or another encoding such as "
                "Latin-1); re-save the file as UTF-8"
            ) from None
        raise InputError(f"{path}: cannot be read as text: {msg}") from None
    con.execute(
        f"UPDATE {table} SET raw = ltrim(raw, chr(65279)) WHERE line = 1 AND raw IS NOT NULL"
    )
    n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    if n == 0:
        raise InputError(f"{path}: the file has no lines: nothing to ingest")
    return int(n)
