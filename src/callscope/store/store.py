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
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from callscope.errors import CallscopeError
from callscope.model import TABLES, Table
from callscope.model.outcome import NOT_OFFERED

__all__ = ["OFFERED_SQL", "Batch", "Store", "default_db_path", "file_sha256"]

_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us"): "TIMESTAMP",
}

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
    finished_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS rejects (
    batch_id VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT,
    raw VARCHAR,
    reason VARCHAR NOT NULL,
    format VARCHAR NOT NULL
);
"""


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
        f"{c.name} {_DUCK_TYPES[c.type]}{'' if c.nullable else ' NOT NULL'}" for c in table.columns
    )
    return f"CREATE TABLE IF NOT EXISTS {table.name} (\n    {cols}\n)"


@dataclass
class Batch:
    """One file's load in progress, inside an open transaction of the store."""

    store: Store
    batch_id: str
    file: str
    format: str
    loaded: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    rows_rejected: int = 0

    def append(self, table: str, rows: Any, *, unique: bool = False) -> int:
        """Append ``rows`` (an Arrow table, a DuckDB relation or a SQL query string) to
        canonical ``table``, skipping rows whose natural key is already stored.

        ``unique=True`` promises that ``rows`` has no key twice (the producer builds keys
        that way), which spares a de-duplication pass; otherwise the first row of each key
        wins.

        Returns the number of rows inserted.
        """
        con = self.store.con
        spec = TABLES[table]
        cols = ", ".join(spec.names)
        view = f"_incoming_{table}"
        if isinstance(rows, str):
            con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {rows}")
        elif isinstance(rows, duckdb.DuckDBPyRelation):
            rows.create_view(view, replace=True)
        else:
            con.register(view, rows)
        total = con.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0]
        keys = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in spec.key)
        source = view if unique else f"(SELECT DISTINCT ON ({', '.join(spec.key)}) * FROM {view})"
        added = con.execute(
            f"""INSERT INTO {table} ({cols})
            SELECT {cols} FROM {source} s
            WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {keys})"""
        ).fetchall()[0][0]
        self._drop(view, rows)
        self.loaded[table] = self.loaded.get(table, 0) + added
        self.duplicates[table] = self.duplicates.get(table, 0) + (total - added)
        return added

    def _drop(self, view: str, rows: Any) -> None:
        if isinstance(rows, (str, duckdb.DuckDBPyRelation)):
            self.store.con.execute(f"DROP VIEW IF EXISTS {view}")
        else:
            self.store.con.unregister(view)

    def reject(self, rows: Any, raw_table: str | None = None) -> int:
        """Store rejected rows: a query/relation/Arrow table with ``line, reason`` (and
        ``raw``, unless ``raw_table``, a table of ``line, raw``, is given to look the
        text up in). The rejects are materialized first, so the common case of none
        costs one small scan."""
        con = self.store.con
        view = "_incoming_rejects"
        if isinstance(rows, str):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {view} AS {rows}")
        elif isinstance(rows, duckdb.DuckDBPyRelation):
            rows.create(view)
        else:
            con.register("_incoming_arrow", rows)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT * FROM _incoming_arrow")
            con.unregister("_incoming_arrow")
        n = con.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0]
        if n:
            if raw_table:
                source = (
                    f"(SELECT j.line, r.raw, j.reason FROM {view} j LEFT JOIN "
                    f"(SELECT line, raw FROM {raw_table} WHERE line IN "
                    f"(SELECT line FROM {view})) r USING (line))"
                )
            else:
                source = view
            con.execute(
                f"INSERT INTO rejects SELECT ?, ?, line, raw, reason, ? FROM {source}",
                [self.batch_id, self.file, self.format],
            )
        con.execute(f"DROP TABLE {view}")
        self.rows_rejected += n
        return n


class Store:
    """An embedded DuckDB file with the canonical tables.

    ``memory_limit`` caps DuckDB's working memory (it spills to disk beyond it), so large
    ingests and queries run in bounded memory.

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
    ) -> None:
        self.path = str(path if path is not None else default_db_path())
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise CallscopeError(
                    f"cannot create the store {self.path}: its folder cannot be made "
                    f"({e.strerror}); pass --db with a path in a writable folder"
                ) from None
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as e:
            raise CallscopeError(f"cannot open the store {self.path}: {e}") from None
        if memory_limit:
            # Bounded memory: DuckDB spills to temp files beyond this (default 1.5 GB).
            self.con.execute(f"SET memory_limit='{memory_limit}'")
        self.con.execute("SET TimeZone='UTC'")
        self.con.execute("SET enable_progress_bar=false")
        self.con.execute("SET preserve_insertion_order=true")
        if not read_only:
            self.ensure_schema()

    # -- schema ---------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create every canonical table, the manifest and the rejects table if absent."""
        for t in TABLES.values():
            self.con.execute(ddl(t))
        self.con.execute(_META_DDL)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------
    def count(self, table: str) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    def arrow(self, table: str) -> pa.Table:
        """A whole table as Arrow (small tables and tests)."""
        return self.con.sql(f"SELECT * FROM {table}").to_arrow_table()

    def ibis(self) -> Any:
        """An Ibis backend over this store's connection."""
        import ibis

        return ibis.duckdb.from_connection(self.con)

    def already_ingested(self, sha256: str, fmt: str) -> dict[str, Any] | None:
        rows = self.con.execute(
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
            sql += f" LIMIT {int(limit)}"
        cur = self.con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def export_parquet(self, directory: Path) -> dict[str, Path]:
        """Write every canonical table to ``directory/<table>.parquet`` (for Spark)."""
        directory.mkdir(parents=True, exist_ok=True)
        out = {}
        for name in TABLES:
            p = directory / f"{name}.parquet"
            self.con.execute(f"COPY {name} TO '{p}' (FORMAT parquet)")
            out[name] = p
        return out

    # -- writing ----------------------------------------------------------------------
    @contextmanager
    def batch(
        self, file: str, fmt: str, sha256: str, size_bytes: int | None = None
    ) -> Iterator[Batch]:
        """Load one file atomically: everything appended or rejected inside the ``with``
        commits with its manifest row, or nothing does."""
        batch = Batch(self, uuid.uuid4().hex, file, fmt)
        started = datetime.now()
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield batch
            self.con.execute(
                "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
