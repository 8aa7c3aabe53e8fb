"""An encrypted store: DuckDB's own database encryption (AES-256-GCM of every block, the
write-ahead log and, here, spilled temporary files).

DuckDB writes an encrypted database only with the OpenSSL of its ``httpfs`` extension
loaded (its built-in crypto module reads but does not write); callscope loads the build
that the ``duckdb-extension-httpfs`` package ships for the pinned DuckDB, from disk, with
no network. The store is attached under the name ``store`` to an in-memory connection
and made the default database, so every query reads and writes it unqualified.

Converting a store (:func:`convert`) writes a new file beside it, checks that every
table has the same rows, then swaps it in with one atomic rename: a crash at any moment
leaves either the old store or the new one at the path, never half of each.

The key is a string (DuckDB derives the AES key from it); whoever opens the store
derives it from the center's secret key (:func:`callscope.privacy.keys.store_key`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from callscope.errors import CallscopeError
from callscope.store.sql import copy_database, ident, literal, run

__all__ = ["Converted", "connect", "convert", "httpfs_path", "is_encrypted"]

#: The flag of DuckDB's main header (flags[0], byte 20 of the file) marking an
#: encrypted database.
_ENCRYPTED_FLAG = 1
_NAME = "store"


def is_encrypted(path: str | Path) -> bool:
    """Whether the DuckDB file at ``path`` is an encrypted database (its header says so);
    False for a missing, empty or non-DuckDB file."""
    try:
        with open(path, "rb") as f:
            head = f.read(28)
    except OSError:
        return False
    if len(head) < 28 or head[8:12] != b"DUCK":
        return False
    return bool(int.from_bytes(head[20:28], "little") & _ENCRYPTED_FLAG)


def httpfs_path() -> Path | None:
    """The ``httpfs`` build for this DuckDB shipped by ``duckdb-extension-httpfs``, or
    None where that package is not installed (it has Linux x86-64 builds only)."""
    try:
        import duckdb_extension_httpfs
    except ImportError:
        return None
    p = (
        Path(duckdb_extension_httpfs.__file__).parent
        / "extensions"
        / f"v{duckdb.__version__}"
        / "httpfs.duckdb_extension"
    )
    return p if p.is_file() else None


def _load_crypto(con: duckdb.DuckDBPyConnection, *, write: bool) -> None:
    ext = httpfs_path()
    if ext is None:
        if write:
            raise CallscopeError(
                "writing an encrypted store needs DuckDB's httpfs extension "
                f"(package duckdb-extension-httpfs=={duckdb.__version__}, Linux x86-64 "
                "only), which is not installed; run scripts/setup on Linux x86-64, or set "
                "privacy.encrypt = false",
                field="db",
            )
        return  # DuckDB's built-in crypto reads an encrypted store
    run(con, f"LOAD {literal(str(ext))}")


def _message(path: str, error: Exception) -> str | None:
    text = str(error)
    if "Wrong encryption key" in text:
        return (
            f"the store {path} cannot be decrypted with the center's key: it was encrypted "
            "with another one; restore that key file (privacy.key_file) or set "
            "$CALLSCOPE_KEY to it"
        )
    if "is not encrypted" in text:
        return (
            f"the store {path} is not encrypted; encrypt it with `callscope privacy "
            "encrypt`, or set privacy.encrypt = false"
        )
    if "without a key" in text:
        return (
            f"the store {path} is encrypted; open it with the center's key (set "
            "privacy.encrypt = true; the key comes from $CALLSCOPE_KEY or the key file)"
        )
    return None


def raise_open_error(path: str, error: Exception) -> None:
    """Raise a one-line :class:`CallscopeError` for an encryption error opening ``path``
    (wrong key, no key, a plain store opened with one); return for anything else."""
    msg = _message(path, error)
    if msg is not None:
        raise CallscopeError(msg, field="db") from None


def _attach(
    con: duckdb.DuckDBPyConnection,
    path: str,
    name: str,
    key: str | None,
    *,
    read_only: bool = False,
) -> None:
    opts = []
    if key is not None:
        opts.append(f"ENCRYPTION_KEY {literal(key)}")
    if read_only:
        opts.append("READ_ONLY")
    suffix = f" ({', '.join(opts)})" if opts else ""
    try:
        run(con, f"ATTACH {literal(path)} AS {ident(name)}{suffix}")
    except duckdb.Error as e:
        raise_open_error(path, e)
        raise


def connect(path: str, key: str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection whose default database is the encrypted store at ``path`` (created
    encrypted when absent). Temporary files it spills are encrypted too."""
    con = duckdb.connect()
    try:
        _load_crypto(con, write=not read_only)
        run(con, "SET temp_file_encryption = true")
        run(con, f"SET temp_directory = {literal(path + '.tmp')}")
        _attach(con, path, _NAME, key, read_only=read_only)
        run(con, f"USE {ident(_NAME)}")
    except BaseException:
        con.close()
        raise
    return con


@dataclass(frozen=True, slots=True)
class Converted:
    """A store converted in place: its tables' rows (checked equal before the swap) and
    the file's size before and after."""

    path: Path
    encrypted: bool  #: what the store is now
    rows: dict[str, int]
    bytes_before: int
    bytes_after: int


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> list[str]:
    rows = run(
        con,
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1",
        [db],
    ).fetchall()
    return [r[0] for r in rows]


def _counts(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, int]:
    return {
        t: int(run(con, f"SELECT count(*) FROM {ident(db)}.{ident(t)}").fetchall()[0][0])
        for t in _tables(con, db)
    }


def convert(path: Path, *, key_from: str | None, key_to: str | None) -> Converted:
    """Rewrite the store at ``path`` from ``key_from`` to ``key_to`` (None: plain).

    The store stays attached (so locked against other writers) while a copy is written
    to ``<path>.converting``, checked (same tables, same rows, reopened with its key)
    and renamed over the original (atomic); the old file's write-ahead log is folded in
    first, so no log of the old file is left beside the new one."""
    src, tmp = str(path), str(path) + ".converting"
    for leftover in (tmp, tmp + ".wal"):
        if os.path.exists(leftover):
            os.remove(leftover)  # a conversion that crashed before its swap
    before = os.path.getsize(src)
    con = duckdb.connect()
    swapped = False
    try:
        _load_crypto(con, write=True)
        if key_from is not None or key_to is not None:
            run(con, "SET temp_file_encryption = true")
        run(con, f"SET temp_directory = {literal(src + '.tmp')}")
        try:
            _attach(con, src, "old", key_from)
        except duckdb.IOException as e:
            raise CallscopeError(
                f"cannot open the store {src}: {str(e).splitlines()[0]}; wait until the "
                "command using it finishes",
                field="db",
            ) from None
        run(con, "CHECKPOINT old")
        _attach(con, tmp, "new", key_to)
        copy_database(con, "old", "new")
        run(con, "DETACH new")
        _attach(con, tmp, "new", key_to, read_only=True)
        rows, copied = _counts(con, "old"), _counts(con, "new")
        run(con, "DETACH new")
        if rows != copied:
            differ = sorted(t for t in rows.keys() | copied.keys() if rows.get(t) != copied.get(t))
            raise CallscopeError(
                f"the copy of {src} differs in {', '.join(differ)}; the store is unchanged",
                field="db",
            )
        if os.path.exists(tmp + ".wal"):
            raise CallscopeError(f"the copy {tmp} kept a write-ahead log; the store is unchanged")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, src)
        swapped = True
        dfd = os.open(os.path.dirname(os.path.abspath(src)), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        run(con, "DETACH old")
    finally:
        con.close()
        if not swapped:
            for leftover in (tmp, tmp + ".wal"):
                if os.path.exists(leftover):
                    os.remove(leftover)
    return Converted(Path(src), key_to is not None, rows, before, os.path.getsize(src))
