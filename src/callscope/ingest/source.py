"""Reading a source file's lines with their line numbers, inside DuckDB.

Every ingester starts from a :class:`SourceFile`: the path as the user gave it (for
messages and ``source_file``), a path DuckDB's readers open as exactly that file, and a
temp table with one row per physical line (``line`` 1-based, ``raw`` the text without
its line end), read by DuckDB's parallel CSV reader in bounded memory (:func:`raw_lines`).
LF, CRLF and CR-only files all number their lines as a text editor would; a UTF-8
byte-order mark on the first line is dropped.

**Mixed line ends.** DuckDB's reader takes one line end per file: in a CRLF file a lone
CR swallows the first character of the next line, and in an LF file a CRLF counts as
two line ends (every later line number one off). A file whose line ends are mixed
(:func:`fingerprint` counts them as it hashes the file) is therefore read from a copy
with every ``\r\n``, ``\r`` and ``\n`` written as ``\n`` (:func:`exact_path`): its lines
and their numbers are those of a text editor.

**File names are not patterns.** DuckDB's readers expand ``*``, ``?``, ``[...]`` and
``{a,b}`` in a path, so ``q[1].log`` would read ``q1.log`` and ``calls*.log`` every
``calls...log``. :func:`exact_path` links the file under a plain name in a private temp
folder and the readers open that link: exactly the file given, never another, with no
copy of its bytes.

**A bad line is one reject, not a failed file.** A line that is not UTF-8 (one byte of
Latin-1) or longer than :data:`MAX_LINE_BYTES` is left out of the line table and listed
in ``_raw_bad`` (``line, raw, reason``) for the ingester to reject; the other lines keep
their true numbers.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from callscope.errors import InputError
from callscope.store.sql import literal, run

__all__ = [
    "BAD_LINES",
    "MAX_LINE_BYTES",
    "Fingerprint",
    "SourceFile",
    "check_readable",
    "exact_path",
    "fingerprint",
    "quote",
    "raw_lines",
    "reader_rejects",
]

#: Longest line read, bytes; a longer one is rejected (the rest of the file loads).
MAX_LINE_BYTES = 16 * 1024 * 1024
#: The temp table of lines the reader could not take: ``line, raw, reason``.
BAD_LINES = "_raw_bad"
_PLAIN = re.compile(r"^[A-Za-z0-9_./+-]+$")
_PLAIN_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")
#: Suffixes DuckDB's readers decompress (their bytes are not text: line ends are not
#: counted or rewritten).
_COMPRESSED = (".gz", ".zst")
_CHUNK = 1 << 22


def quote(value: str | float) -> str:
    """A SQL constant (:func:`callscope.store.sql.literal`)."""
    return literal(value)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file being ingested: ``path`` as given (its text is ``name``, stored as
    ``source_file``), ``read_as`` the path DuckDB reads it by (exactly that file), ``raw``
    the temp table of its lines, ``sha256`` its content hash."""

    path: Path
    read_as: str
    raw: str
    sha256: str

    @property
    def name(self) -> str:
        return str(self.path)


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


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A file's SHA-256 and whether its line ends are mixed (more than one of CRLF, a
    lone CR and a lone LF)."""

    sha256: str
    mixed_line_ends: bool


def fingerprint(path: Path) -> Fingerprint:
    """Hash ``path`` and count its line ends in one pass (4 MiB at a time)."""
    h = hashlib.sha256()
    crlf = cr = lf = 0
    after_cr = False
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
            crlf += block.count(b"\r\n") + (after_cr and block.startswith(b"\n"))
            cr += block.count(b"\r")
            lf += block.count(b"\n")
            after_cr = block.endswith(b"\r")
    kinds = (crlf, cr - crlf, lf - crlf)
    compressed = path.suffix.lower() in _COMPRESSED
    return Fingerprint(h.hexdigest(), not compressed and sum(n > 0 for n in kinds) > 1)


def _write_lf(src: Path, dst: str) -> None:
    """Copy ``src`` to ``dst`` with every CRLF, lone CR and LF written as LF."""
    with open(src, "rb") as i, open(dst, "wb") as o:
        carry = b""
        while block := i.read(_CHUNK):
            block = carry + block
            carry = b"\r" if block.endswith(b"\r") else b""  # maybe half of a CRLF
            if carry:
                block = block[:-1]
            o.write(block.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        o.write(b"\n" if carry else b"")


@contextmanager
def exact_path(path: Path, one_line_end: bool = False) -> Iterator[str]:
    """A path for DuckDB's readers that opens exactly ``path``: a link to it under a
    plain name (``input`` plus its last suffix, so ``.gz`` still reads compressed) in a
    private temp folder, removed afterwards. With ``one_line_end`` (a file of mixed line
    ends) it is a copy with every line end written as LF instead."""
    folder = tempfile.mkdtemp(prefix="callscope-")
    try:
        if not _PLAIN.match(folder):
            raise InputError(
                f"the temp folder {folder} has characters DuckDB reads as a file pattern; "
                "set TMPDIR to a folder with a plain path"
            )
        suffix = path.suffix if _PLAIN_SUFFIX.match(path.suffix) else ""
        link = os.path.join(folder, "input" + suffix)
        if one_line_end:
            _write_lf(path, link)
            yield link
            return
        try:
            os.symlink(path.resolve(), link)
        except OSError:  # no symlinks here: a copy still reads exactly this file
            shutil.copyfile(path, link)
        yield link
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def reader_rejects(con: duckdb.DuckDBPyConnection, errors: str, out: str) -> int:
    """Turn DuckDB's ``store_rejects`` table ``errors`` into temp table ``out(line, raw,
    reason)``, one row per line, in words; return how many lines."""
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT line, arg_min(csv_line, error_type) AS raw,
               arg_min(CASE error_type
                 WHEN 'INVALID ENCODING' THEN 'the line is not UTF-8 text (a byte of another '
                      || 'encoding such as Latin-1, shown as ?): fix or re-save it as UTF-8; '
                      || 'the other lines were read'
                 WHEN 'INVALID UNICODE' THEN 'the line is not UTF-8 text (a byte of another '
                      || 'encoding such as Latin-1, shown as ?): fix or re-save it as UTF-8; '
                      || 'the other lines were read'
                 WHEN 'LINE SIZE OVER MAXIMUM' THEN {literal(f"the line is longer than {MAX_LINE_BYTES:,} bytes: not a record (a joined or corrupt file?); the other lines were read")}
                 WHEN 'TOO MANY COLUMNS' THEN 'a field too many: ' || error_message
                      || ' (an unquoted delimiter inside a value?); the row is not cut'
                 WHEN 'MISSING COLUMNS' THEN 'a field missing: ' || error_message
                 ELSE split_part(error_message, chr(10), 1) END, error_type) AS reason
        FROM {errors} GROUP BY line""",
    )
    return int(run(con, f"SELECT count(*) FROM {out}").fetchall()[0][0])


def raw_lines(con: duckdb.DuckDBPyConnection, src: SourceFile) -> int:
    """Create temp table ``src.raw(line BIGINT, raw VARCHAR)`` with every readable line of
    the file, and :data:`BAD_LINES` with the others. Return the number of lines read.

    Blank lines are kept (``raw`` NULL or whitespace) so that line numbers stay true;
    callers skip them.
    """
    table = src.raw
    for t in ("_raw_errors", "_raw_scans"):
        run(con, f"DROP TABLE IF EXISTS {t}")
    try:
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT row_number() OVER () AS line, raw
            FROM read_csv({literal(src.read_as)}, columns={{'raw': 'VARCHAR'}}, header=false,
                          delim=E'\\x01', quote='', escape='', auto_detect=false,
                          strict_mode=false, max_line_size={MAX_LINE_BYTES},
                          ignore_errors=true, store_rejects=true,
                          rejects_table='_raw_errors', rejects_scan='_raw_scans')""",
        )
    except duckdb.InvalidInputException as e:
        msg = str(e).splitlines()[0]
        raise InputError(f"{src.path}: cannot be read as text: {msg}") from None
    bad = reader_rejects(con, "_raw_errors", BAD_LINES)
    if bad:
        # The reader skipped the bad lines: give every line read its physical number
        # again (the n-th line read is line n + the bad lines before it).
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE {table} AS
            WITH b AS (SELECT line - row_number() OVER (ORDER BY line) AS k,
                              row_number() OVER (ORDER BY line) AS i FROM {BAD_LINES}),
                 s AS (SELECT k, max(i) AS i FROM b GROUP BY k)
            SELECT t.line + coalesce(s.i, 0) AS line, t.raw
            FROM {table} t ASOF LEFT JOIN s ON t.line > s.k ORDER BY 1""",
        )
    for t in ("_raw_errors", "_raw_scans"):
        run(con, f"DROP TABLE IF EXISTS {t}")
    run(
        con,
        f"UPDATE {table} SET raw = ltrim(raw, chr(65279)) WHERE line = 1 AND raw IS NOT NULL",
    )
    n = run(con, f"SELECT count(*) FROM {table}").fetchall()[0][0]
    if n == 0 and not bad:
        raise InputError(f"{src.path}: the file has no lines: nothing to ingest")
    return int(n)
