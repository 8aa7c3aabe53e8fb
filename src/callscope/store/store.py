"""The embedded DuckDB store: canonical tables, the ingest manifest and the rejects.

One DuckDB file holds everything. Its path is, in order: the ``--db`` option, the
``CALLSCOPE_DB`` environment variable, ``./callscope.duckdb``.

Guarantees the ingesters rely on:

* **Atomic per file.** Every file is loaded inside one transaction
  (:meth:`Store.batch`): its rows, its rejects and its manifest entry commit together or
  not at all, so a crash or kill mid-file leaves the store as it was before that file.
* **Idempotent.** A file whose SHA-256 is already in the manifest is skipped, and every
  append anti-joins on the table's natural key, so overlapping files (a ``queue_log``
  that grew since last time) add only what is new.
* **Checked.** Every appended row is checked against its columns' domains
  (:mod:`callscope.store.domain`) and rejected with the reason when it fails, so one bad
  value never lands and breaks later reports (:class:`~callscope.store.batch.Batch`).
* **Interruptible.** Ctrl-C during a file rolls that file back and raises
  :class:`Interrupted` saying so.

All SQL here is built with :mod:`callscope.store.sql` (quoted identifiers and literals,
one statement per call).
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from callscope.errors import CallscopeError
from callscope.model import TABLES, Table
from callscope.model.outcome import NOT_OFFERED
from callscope.model.tables import OPTIONAL_COLUMNS
from callscope.store import encryption
from callscope.store.batch import Batch
from callscope.store.sql import DUCK_TYPES, ident, literal, relation, run

__all__ = [
    "OFFERED_SQL",
    "Batch",
    "Interrupted",
    "Store",
    "StorePrivacy",
    "default_db_path",
    "file_sha256",
]


_META_DDL = """
CREATE TABLE IF NOT EXISTS ingests (
    batch_id VARCHAR PRIMARY KEY,
    file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    size_bytes BIGINT,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_rejected BIGINT,
    rows_duplicate BIGINT,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    rows_replaced BIGINT,
    rows_pending BIGINT
);
CREATE TABLE IF NOT EXISTS rejects (
    batch_id VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT,
    raw VARCHAR,
    reason VARCHAR NOT NULL,
    format VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS record_versions (
    tbl VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    version TIMESTAMP
);
CREATE TABLE IF NOT EXISTS pending (
    format VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT NOT NULL,
    raw VARCHAR,
    batch_id VARCHAR NOT NULL
);
"""
#: Columns added to the manifest since stores were first written.
_MIGRATIONS = (
    "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS rows_replaced BIGINT",
    "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS rows_pending BIGINT",
)


#: The SQL condition "this contact was offered" (``KPIS.md``: it reached a queue), from
#: the one not-offered set of :mod:`callscope.model.outcome`.
OFFERED_SQL = "outcome NOT IN ({})".format(", ".join(f"'{o}'" for o in sorted(NOT_OFFERED)))


def default_db_path() -> Path:
    """``CALLSCOPE_DB`` if set, else ``callscope.duckdb`` in the working directory."""
    return Path(os.environ.get("CALLSCOPE_DB") or "callscope.duckdb")


def file_sha256(path: Path, chunk: int = 1 << 22) -> str:
    """SHA-256 of a file's bytes, read in 4 MiB chunks (bounded memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def ddl(table: Table) -> str:
    """``CREATE TABLE`` statement for a canonical table."""
    cols = ",\n    ".join(
        f"{c.name} {DUCK_TYPES[c.type]}{'' if c.nullable else ' NOT NULL'}" for c in table.columns
    )
    return f"CREATE TABLE IF NOT EXISTS {table.name} (\n    {cols}\n)"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a file's load: that file was rolled back (the message says which)."""


def _lock_message(path: str, error: str) -> str:
    holder = re.search(r"held in (.+?) \(PID (\d+)\)", error)
    who = f" (PID {holder[2]}, {Path(holder[1]).name})" if holder else ""
    return (
        f"the store {path} is in use by another process{who}, most likely another "
        "callscope command writing to it; wait until it finishes, or use another store "
        "with --db"
    )


@dataclass(frozen=True, slots=True)
class StorePrivacy:
    """How a store protects customer identifiers as rows come in: the pseudonym key, and
    whether raw identifiers are kept (``privacy.raw_identifiers`` in the settings).
    Erased customers' tombstones apply either way."""

    key: bytes
    raw_identifiers: bool = False


class Store:
    """An embedded DuckDB file with the canonical tables.

    ``memory_limit`` caps DuckDB's working memory (it spills to disk beyond it), so large
    ingests and queries run in bounded memory. With ``encryption_key`` the file is a
    DuckDB-encrypted database (:mod:`callscope.store.encryption`), created so when new.

    >>> s = Store(":memory:")
    >>> s.count("contacts")
    0
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        read_only: bool = False,
        memory_limit: str | None = "1500MB",
        encryption_key: str | None = None,
    ) -> None:
        self.path = str(path if path is not None else default_db_path())
        #: whether the store is a DuckDB-encrypted database (opened with a key)
        self.encrypted = encryption_key is not None
        #: set by whoever opens the store for ingest (services.common.open_store)
        self.privacy: StorePrivacy | None = None
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise CallscopeError(
                    f"cannot create the store {self.path}: its folder cannot be made "
                    f"({e.strerror}); pass --db with a path in a writable folder"
                ) from None
        try:
            if encryption_key is None:
                self.con = duckdb.connect(self.path, read_only=read_only)
            else:
                self.con = encryption.connect(self.path, encryption_key, read_only=read_only)
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise CallscopeError(_lock_message(self.path, str(e)), field="db") from None
            if newer := re.search(r"version number (\d+), but we can only read", str(e)):
                raise CallscopeError(
                    f"the store {self.path} was written by a newer DuckDB (storage version "
                    f"{newer[1]}) than callscope's {duckdb.__version__}, which cannot read "
                    "it: ingest the source files into a new store, or move its tables with "
                    "DuckDB 2's EXPORT DATABASE and this one's IMPORT DATABASE",
                    field="db",
                ) from None
            raise CallscopeError(
                f"cannot open the store {self.path}: {str(e).splitlines()[0]}", field="db"
            ) from None
        except duckdb.Error as e:
            encryption.raise_open_error(self.path, e)
            raise
        if memory_limit:
            # Bounded memory: DuckDB spills to temp files beyond this (default 1.5 GB).
            run(self.con, f"SET memory_limit={literal(memory_limit)}")
        run(self.con, "SET TimeZone='UTC'")
        run(self.con, "SET enable_progress_bar=false")
        run(self.con, "SET preserve_insertion_order=true")
        if not read_only:
            self.ensure_schema()

    # -- schema ---------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create every canonical table, the manifest, the rejects, the record versions
        and the pending rows if absent (and add manifest columns older stores lack)."""
        for t in TABLES.values():
            run(self.con, ddl(t))
        have = set(
            run(
                self.con,
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'main'",
            ).fetchall()
        )
        for t in TABLES.values():
            for c in t.columns:
                if c.name in OPTIONAL_COLUMNS and (t.name, c.name) not in have:
                    run(self.con, f"ALTER TABLE {t.name} ADD COLUMN {c.name} {DUCK_TYPES[c.type]}")
        for statement in _META_DDL.split(";"):
            if statement.strip():
                run(self.con, statement)
        for statement in _MIGRATIONS:
            run(self.con, statement)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        """Whether the store has a table called ``name``."""
        return bool(
            run(
                self.con,
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                [name],
            ).fetchall()[0][0]
        )

    def count(self, table: str) -> int:
        return int(run(self.con, f"SELECT count(*) FROM {ident(table)}").fetchall()[0][0])

    def arrow(self, table: str) -> pa.Table:
        """A whole table as Arrow (small tables and tests)."""
        return relation(self.con, f"SELECT * FROM {ident(table)}").to_arrow_table()

    def ibis(self) -> Any:
        """An Ibis backend over this store's connection."""
        import ibis

        return ibis.duckdb.from_connection(self.con)

    def already_ingested(self, sha256: str, fmt: str) -> dict[str, Any] | None:
        rows = run(
            self.con,
            "SELECT file, finished_at FROM ingests WHERE file_sha256 = ? AND format = ? LIMIT 1",
            [sha256, fmt],
        ).fetchall()
        return {"file": rows[0][0], "finished_at": rows[0][1]} if rows else None

    def rejects(self, file: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored rejects, newest batch first, as dicts of file, line, reason, raw."""
        sql = (
            "SELECT r.file, r.line, r.reason, r.raw, r.format FROM rejects r "
            "JOIN ingests i USING (batch_id)"
        )
        params: list[Any] = []
        if file:
            sql += " WHERE r.file = ?"
            params.append(file)
        sql += " ORDER BY i.finished_at DESC, r.file, r.line"
        if limit:
            sql += " LIMIT ?"
            params.append(int(limit))
        cur = run(self.con, sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def export_parquet(self, directory: Path) -> dict[str, Path]:
        """Write every canonical table to ``directory/<table>.parquet`` (for Spark)."""
        directory.mkdir(parents=True, exist_ok=True)
        out = {}
        for name in TABLES:
            p = directory / f"{name}.parquet"
            run(self.con, f"COPY {ident(name)} TO {literal(str(p))} (FORMAT parquet)")
            out[name] = p
        return out

    # -- writing ----------------------------------------------------------------------
    @contextmanager
    def batch(
        self, file: str, fmt: str, sha256: str, size_bytes: int | None = None
    ) -> Iterator[Batch]:
        """Load one file atomically: everything appended or rejected inside the ``with``
        commits with its manifest row, or nothing does. Ctrl-C inside rolls back and
        raises :class:`Interrupted` naming the file."""
        batch = Batch(self, uuid.uuid4().hex, file, fmt)
        started = datetime.now()
        run(self.con, "BEGIN TRANSACTION")
        try:
            yield batch
            run(
                self.con,
                """INSERT INTO ingests (batch_id, file, file_sha256, format, size_bytes,
                    rows_read, rows_loaded, rows_rejected, rows_duplicate, started_at,
                    finished_at, rows_replaced, rows_pending)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    batch.batch_id,
                    file,
                    sha256,
                    fmt,
                    size_bytes,
                    batch.rows_read,
                    sum(batch.loaded.values()),
                    batch.rows_rejected,
                    sum(batch.duplicates.values()),
                    started,
                    datetime.now(),
                    sum(batch.replaced.values()),
                    batch.pending,
                ],
            )
            run(self.con, "COMMIT")
        except KeyboardInterrupt as e:
            self._rollback()
            if isinstance(e, Interrupted):
                raise
            raise Interrupted(
                f"interrupted while loading {file}: nothing of that file was stored (its "
                "transaction was rolled back); files finished before it stay loaded"
            ) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Roll the open transaction back, a second Ctrl-C held off while it runs."""
        main = threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            run(self.con, "ROLLBACK")
        except duckdb.Error:
            pass  # DuckDB already ended the interrupted transaction
        finally:
            if main:
                signal.signal(signal.SIGINT, old)
