"""One file's load inside the store's open transaction: checked appends, rejects, counts.

:meth:`Batch.append` is the one way rows enter a canonical table. It checks every row
against its columns' domains (:mod:`callscope.store.domain`) and rejects the ones that
fail, then stores the rest by the table's natural key under one of three rules for a key
already stored (``conflict``): keep the stored row, take the newer version of a record,
or refuse a different record under the same key. Whatever is not stored is counted and
said in words (:attr:`Batch.notes`), so that for every file::

    rows read = rows loaded + rows rejected + duplicates (+ pending)

(for a format with one record per source row; ``replaced`` counts stored rows that a
loaded row overwrote).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from callscope.model import TABLES, Table
from callscope.model.tables import OPTIONAL_COLUMNS
from callscope.privacy.pseudonym import pseudonym_sql, redact
from callscope.store.domain import checks_sql
from callscope.store.sql import DUCK_TYPES, ident, literal, relation, run

if TYPE_CHECKING:
    from callscope.store.store import Store

__all__ = ["CONFLICTS", "Batch"]

#: What :meth:`Batch.append` does with a key already stored.
CONFLICTS = ("keep", "newer", "reject")
_GENERATED = ("source_file", "source_line")


@dataclass
class Batch:
    """One file's load in progress, inside an open transaction of the store.

    Counters: ``loaded`` rows inserted per table; ``duplicates`` incoming rows not stored
    because their key is (a repeat, or an older version of a record), per table, for the
    source rows of the file; ``derived_duplicates`` the same for rows derived from source
    rows already counted (a survey answer on a CSV row: see :meth:`append`); ``replaced``
    stored rows overwritten by a newer version; ``rows_read`` and ``rows_rejected``
    source rows; ``pending`` source rows kept for the next file (a call the log does not
    finish); ``notes`` say why rows were not stored or were replaced.
    """

    store: Store
    batch_id: str
    file: str
    format: str
    loaded: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    derived_duplicates: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    rows_rejected: int = 0
    pending: int = 0
    notes: list[str] = field(default_factory=list)

    # -- appending ----------------------------------------------------------------------
    def append(
        self,
        table: str,
        rows: Any,
        *,
        unique: bool = False,
        raw: str | None = None,
        conflict: str = "keep",
        derived: bool = False,
    ) -> int:
        """Append ``rows`` (an Arrow table, a DuckDB relation or a SQL query string) to
        canonical ``table``; return the number of rows inserted.

        Every row is first checked against its columns' domains; one that fails is
        rejected at its ``source_line`` (text looked up in ``raw``, a table of ``line,
        raw``) with the column, the value and the range, and the others go on.

        A row whose natural key is already stored, by ``conflict``:

        * ``"keep"``: the stored row stays; the incoming one is a duplicate.
          ``unique=True`` promises that ``rows`` has no key twice (spares a pass);
          otherwise the first row (by ``source_line``) of each key is the one offered.
        * ``"newer"``: ``rows`` carries a ``_version`` timestamp (a record's last
          update); per key the newest version wins, within the file (a tie: the later
          line) and against the stored row, whose version the store keeps in
          ``record_versions`` (a row stored without one is older than any). A row with
          no version never replaces. Overwritten rows count as ``replaced``.
        * ``"reject"``: records are final; a repeat with the very same values is a
          duplicate, one with different values is rejected, naming where the first one
          is and which values differ.

        ``derived=True``: the rows come from source rows an earlier append already
        counted (the survey answers of a CSV's contact rows); the ones not stored count
        in :attr:`derived_duplicates`, not as duplicate source rows (a row read is
        counted once: ``rows read = loaded + rejected + duplicates``).
        """
        if conflict not in CONFLICTS:
            raise ValueError(f"conflict must be one of {CONFLICTS}, not {conflict!r}")
        con = self.store.con
        spec = TABLES[table]
        view = f"_incoming_{table}"
        if isinstance(rows, str):
            run(con, f"CREATE OR REPLACE TEMP VIEW {view} AS {rows}")
        elif isinstance(rows, duckdb.DuckDBPyRelation):
            rows.create_view(view, replace=True)
        else:
            con.register(view, rows)
        try:
            rel = self._complete(spec, view)
            total, bad = run(
                con,
                f"SELECT count(*), count(*) FILTER (WHERE _why IS NOT NULL) "
                f"FROM (SELECT {checks_sql(spec)} AS _why FROM {rel})",
            ).fetchall()[0]
            good = rel
            if bad:
                self.reject(self._out_of_domain(spec, rel), raw)
                good = f"(SELECT * FROM {rel} WHERE ({checks_sql(spec)}) IS NULL)"
            total -= bad
            good, withheld = self._protect(spec, good)
            total -= withheld
            if conflict == "newer":
                added, dup = self._newer(spec, good, total)
            elif conflict == "reject":
                added, dup = self._final(spec, good, total, raw)
            else:
                added, dup = self._keep(spec, good, total, unique)
            if isinstance(rows, (str, duckdb.DuckDBPyRelation)):
                run(con, f"DROP VIEW IF EXISTS {view}")  # (a failure rolls it back)
        finally:
            if not isinstance(rows, (str, duckdb.DuckDBPyRelation)):
                con.unregister(view)
        self.loaded[table] = self.loaded.get(table, 0) + added
        counts = self.derived_duplicates if derived else self.duplicates
        counts[table] = counts.get(table, 0) + dup + withheld
        return added

    def _complete(self, spec: Table, view: str) -> str:
        """``view``, with the optional columns it lacks (``OPTIONAL_COLUMNS``) as nulls."""
        have = set(relation(self.store.con, f"SELECT * FROM {view} LIMIT 0").columns)
        missing = [c for c in spec.columns if c.name in OPTIONAL_COLUMNS and c.name not in have]
        if not missing:
            return view
        nulls = ", ".join(f"NULL::{DUCK_TYPES[c.type]} AS {c.name}" for c in missing)
        return f"(SELECT *, {nulls} FROM {view})"

    def _out_of_domain(self, spec: Table, view: str) -> str:
        """The rejects of the rows of ``view`` outside their columns' domains: at their
        ``source_line``, or at ``_reject_line`` where the rows carry one (a row begun in
        another file, whose line there is no line of this file: a queue_log call that an
        earlier file left pending), the reason then naming where the row began."""
        columns = relation(self.store.con, f"SELECT * FROM {view} LIMIT 0").columns
        line = "_reject_line" if "_reject_line" in columns else "source_line"
        reason = "_why"
        if "source_file" in spec.names:
            reason = f"""_why || CASE WHEN source_file IS DISTINCT FROM {literal(self.file)}
                THEN ' (in a record begun at ' || source_file || ' line ' || source_line || ')'
                ELSE '' END"""
        return f"""SELECT {line} AS line, {reason} AS reason
            FROM (SELECT *, {checks_sql(spec)} AS _why FROM {view}) WHERE _why IS NOT NULL"""

    def _protect(self, spec: Table, good: str) -> tuple[str, int]:
        """Customer identifiers in: replaced by their keyed pseudonyms (unless the store
        keeps raw identifiers), and rows of erased customers (a tombstone of their
        pseudonym) withheld, with a note. Needs the store's key (:attr:`Store.privacy`);
        without one, rows pass as they are. Returns the rows to store and how many were
        withheld."""
        privacy = self.store.privacy
        if privacy is None or "customer_key" not in spec.names:
            return good, 0
        con = self.store.con
        expr, params = pseudonym_sql("customer_key", privacy.key)
        keep = "customer_key" if privacy.raw_identifiers else "_p AS customer_key"
        cols = ", ".join(keep if c == "customer_key" else c for c in spec.names)
        extra = [
            c for c in relation(con, f"SELECT * FROM {good} LIMIT 0").columns if c not in spec.names
        ]
        tail = "".join(f", {ident(c)}" for c in extra)
        run(
            con,
            f"CREATE OR REPLACE TEMP TABLE _protected AS SELECT {cols}{tail}, _p FROM "
            f"(SELECT *, {expr} AS _p FROM {good})",
            params,
        )
        erased = 0
        if self.store.has_table("erased_customers"):
            erased = int(
                run(
                    con,
                    "SELECT count(*) FROM _protected WHERE _p IN "
                    "(SELECT pseudonym FROM erased_customers)",
                ).fetchall()[0][0]
            )
        if erased:
            self.notes.append(
                f"{erased:,} {spec.name} row(s) of erased customers not stored (erasure "
                "tombstones: `callscope privacy erase`)"
            )
            return (
                "(SELECT * EXCLUDE (_p) FROM _protected WHERE _p IS NULL OR _p NOT IN "
                "(SELECT pseudonym FROM erased_customers))",
                erased,
            )
        return "(SELECT * EXCLUDE (_p) FROM _protected)", 0

    def _keep(self, spec: Table, good: str, total: int, unique: bool) -> tuple[int, int]:
        cols = ", ".join(spec.names)
        keys = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in spec.key)
        key = ", ".join(spec.key)
        source = (
            good
            if unique
            else f"(SELECT DISTINCT ON ({key}) * FROM {good} ORDER BY {key}, source_line)"
        )
        added = int(
            run(
                self.store.con,
                f"""INSERT INTO {spec.name} ({cols})
                SELECT {cols} FROM {source} s
                WHERE NOT EXISTS (SELECT 1 FROM {spec.name} t WHERE {keys})""",
            ).fetchall()[0][0]
        )
        if total > added:
            self._explain_duplicates(spec, good, total - added)
        return added, total - added

    def _explain_duplicates(self, spec: Table, good: str, n: int) -> None:
        """A note on ``n`` rows not stored, naming the files their stored twins came from
        (this file itself: a key repeated in it, or an earlier ingest of it)."""
        keys = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in spec.key)
        rows = run(
            self.store.con,
            f"""SELECT t.source_file, count(DISTINCT s.source_line) FROM {good} s
                JOIN {spec.name} t ON {keys}
                WHERE NOT (t.source_file = s.source_file AND t.source_line = s.source_line)
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3""",
        ).fetchall()
        named = sum(c for _, c in rows)
        where = [f"{'this file' if f == self.file else Path(f).name} ({c:,})" for f, c in rows]
        if n > named:  # stored from the very same file and line by an earlier ingest
            where.append(f"an earlier ingest of the same file and line ({n - named:,})")
        self.notes.append(
            f"{n:,} {spec.name} row(s) not stored: the same {'/'.join(spec.key)} is already "
            f"stored, from {', '.join(where)}"
        )

    def _name(self, file: str) -> str:
        return "this file" if file == self.file else Path(file).name

    def _newer(self, spec: Table, good: str, total: int) -> tuple[int, int]:
        if len(spec.key) != 1:
            raise ValueError(f"versioned appends need a one-column key; {spec.name} has {spec.key}")
        con, t, k = self.store.con, spec.name, spec.key[0]
        cols = ", ".join(spec.names)
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _cand AS SELECT * FROM {good}
            QUALIFY row_number() OVER (PARTITION BY {k}
                                       ORDER BY _version DESC NULLS LAST, source_line DESC) = 1""",
        )
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _repl AS
            SELECT c.{k} AS k, t.source_file AS old_file FROM _cand c JOIN {t} t ON t.{k} = c.{k}
            LEFT JOIN record_versions v ON v.tbl = {literal(t)} AND v.key = c.{k}
            WHERE c._version IS NOT NULL AND (v.version IS NULL OR c._version > v.version)""",
        )
        candidates = run(con, "SELECT count(*) FROM _cand").fetchall()[0][0]
        replaced = run(con, "SELECT count(*) FROM _repl").fetchall()[0][0]
        if replaced:
            files = run(
                con,
                "SELECT old_file, count(*) FROM _repl GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3",
            ).fetchall()
            run(con, f"DELETE FROM {t} WHERE {k} IN (SELECT k FROM _repl)")
            self.replaced[t] = self.replaced.get(t, 0) + replaced
            self.notes.append(
                f"{replaced:,} stored {t} row(s) replaced by a newer version of the record "
                f"(from {', '.join(f'{self._name(f)} ({c:,})' for f, c in files)})"
            )
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _ins AS SELECT * FROM _cand c
            WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE t.{k} = c.{k})""",
        )
        added = int(run(con, f"INSERT INTO {t} ({cols}) SELECT {cols} FROM _ins").fetchall()[0][0])
        run(
            con,
            f"DELETE FROM record_versions WHERE tbl = {literal(t)} AND key IN (SELECT {k} FROM _ins)",
        )
        run(
            con,
            f"INSERT INTO record_versions SELECT {literal(t)}, {k}, _version FROM _ins "
            "WHERE _version IS NOT NULL",
        )
        superseded, kept = total - candidates, candidates - added
        if superseded:
            self.notes.append(
                f"{superseded:,} {t} record(s) superseded by a newer version of the same {k} "
                "later in this file (not stored)"
            )
        if kept:
            self.notes.append(
                f"{kept:,} {t} record(s) not stored: the store holds the same or a newer "
                f"version of their {k}"
            )
        for tmp in ("_cand", "_repl", "_ins"):
            run(con, f"DROP TABLE IF EXISTS {tmp}")
        return added, superseded + kept

    def _final(self, spec: Table, good: str, total: int, raw: str | None) -> tuple[int, int]:
        con, t = self.store.con, spec.name
        cols = ", ".join(spec.names)
        key = ", ".join(spec.key)
        on = " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in spec.key)
        shown = " || ':' || ".join(f"coalesce(a.{k}::VARCHAR, '')" for k in spec.key)

        def diff(there: str) -> str:
            """The values of row ``a`` that differ from row ``b`` (``there``: SQL naming
            where ``b`` is)."""
            parts = [
                f"CASE WHEN a.{c} IS DISTINCT FROM b.{c} THEN {literal(c + ' ')} || "
                f"coalesce(b.{c}::VARCHAR, 'null') || ' ' || {there} || ', ' || "
                f"coalesce(a.{c}::VARCHAR, 'null') || ' here' END"
                for c in spec.names
                if c not in _GENERATED
            ]
            return f"concat_ws('; ', {', '.join(parts)})"

        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _cand AS SELECT *,
                row_number() OVER (PARTITION BY {key} ORDER BY source_line) AS _n
            FROM {good}""",
        )
        # later rows of a key in this file, against its first row
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _same AS
            SELECT a.source_line AS line, b.source_line AS first_line, {shown} AS k,
                   {diff("'on line ' || b.source_line")} AS diff
            FROM _cand a JOIN _cand b ON {on} AND b._n = 1 WHERE a._n > 1""",
        )
        # first rows of a key, against the stored row
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _stored AS
            SELECT a.source_line AS line, b.source_file AS file, b.source_line AS first_line,
                   {shown} AS k, {diff("'stored'")} AS diff
            FROM _cand a JOIN {t} b ON {on} WHERE a._n = 1""",
        )
        what = "/".join(spec.key)
        self.reject(
            f"""SELECT line, {literal(what + " ")} || k || ' appears again (first on line '
                       || first_line || ' of this file) with other values: ' || diff
                       || '; records of this source are final: the first one is kept'
                       AS reason
                FROM _same WHERE diff <> ''
                UNION ALL
                SELECT line, {literal(what + " ")} || k || ' is already stored (from '
                       || file || ' line ' || first_line || ') with other values: ' || diff
                       || '; records of this source are final: the stored one is kept'
                FROM _stored WHERE diff <> ''""",
            raw,
        )
        conflicts, repeats = run(
            con,
            "SELECT (SELECT count(*) FROM _same WHERE diff <> '') "
            "+ (SELECT count(*) FROM _stored WHERE diff <> ''), "
            "(SELECT count(*) FROM _same WHERE diff = '') "
            "+ (SELECT count(*) FROM _stored WHERE diff = '')",
        ).fetchall()[0]
        added = int(
            run(
                con,
                f"""INSERT INTO {t} ({cols}) SELECT {cols} FROM _cand a WHERE _n = 1
                AND NOT EXISTS (SELECT 1 FROM {t} b WHERE {on})""",
            ).fetchall()[0][0]
        )
        if repeats:
            same = run(con, "SELECT count(*) FROM _same WHERE diff = ''").fetchall()[0][0]
            files = run(
                con,
                "SELECT file, count(*) FROM _stored WHERE diff = '' GROUP BY 1 ORDER BY 2 DESC, 1 "
                "LIMIT 3",
            ).fetchall()
            where = [f"{self._name(f)} ({c:,})" for f, c in files]
            if same:
                where.append(f"repeated in this file ({same:,})")
            self.notes.append(
                f"{repeats:,} {t} row(s) not stored: the very same record is already stored, "
                f"from {', '.join(where)}"
            )
        for tmp in ("_cand", "_same", "_stored"):
            run(con, f"DROP TABLE IF EXISTS {tmp}")
        assert added + conflicts + repeats == total, (added, conflicts, repeats, total)
        return added, repeats

    # -- rejecting ----------------------------------------------------------------------
    def reject(self, rows: Any, raw_table: str | None = None) -> int:
        """Store rejected rows: a query/relation/Arrow table with ``line, reason`` (and
        ``raw``, unless ``raw_table``, a table of ``line, raw``, is given to look the
        text up in). The rejects are materialized first, so the common case of none
        costs one small scan."""
        con = self.store.con
        view = "_incoming_rejects"
        if isinstance(rows, str):
            run(con, f"CREATE OR REPLACE TEMP TABLE {view} AS {rows}")
        elif isinstance(rows, duckdb.DuckDBPyRelation):
            rows.create(view)
        else:
            con.register("_incoming_arrow", rows)
            run(con, f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT * FROM _incoming_arrow")
            con.unregister("_incoming_arrow")
        n = run(con, f"SELECT count(*) FROM {view}").fetchall()[0][0]
        if n:
            if raw_table:
                source = (
                    f"(SELECT j.line, r.raw, j.reason FROM {view} j LEFT JOIN "
                    f"(SELECT line, raw FROM {ident(raw_table)} WHERE line IN "
                    f"(SELECT line FROM {view})) r USING (line))"
                )
            else:
                source = view
            privacy = self.store.privacy
            if privacy is not None and not privacy.raw_identifiers:
                # a rejected line keeps its shape, its identifiers become pseudonyms
                run(con, f"CREATE OR REPLACE TEMP TABLE _rej_src AS SELECT * FROM {source}")
                texts = run(con, "SELECT DISTINCT raw FROM _rej_src WHERE raw IS NOT NULL")
                pairs = [(t, redact(t, privacy.key)) for (t,) in texts.fetchall()]
                changed = [(a, b) for a, b in pairs if a != b]
                if changed:
                    run(con, "CREATE OR REPLACE TEMP TABLE _rej_map (a VARCHAR, b VARCHAR)")
                    for i in range(0, len(changed), 500):
                        part = changed[i : i + 500]
                        run(
                            con,
                            "INSERT INTO _rej_map VALUES " + ", ".join("(?, ?)" for _ in part),
                            [v for pair in part for v in pair],
                        )
                    source = (
                        "(SELECT s.line, coalesce(m.b, s.raw) AS raw, s.reason FROM _rej_src s "
                        "LEFT JOIN _rej_map m ON m.a = s.raw)"
                    )
                else:
                    source = "_rej_src"
            run(
                con,
                f"INSERT INTO rejects SELECT ?, ?, line, raw, reason, ? FROM {source}",
                [self.batch_id, self.file, self.format],
            )
        run(con, f"DROP TABLE {view}")
        self.rows_rejected += n
        return int(n)
