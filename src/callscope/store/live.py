"""What the live floor keeps in the store: contacts finished live, agent state spans,
the lines of followed logs that could not be read, and a manifest row per followed log.

:func:`settle` writes one batch of them in **one transaction**. It is idempotent: a
contact is keyed by ``contact_id`` and replaced by its latest version (a late event may
change it), a span by ``agent_states``' key, a reject by its file, line and batch; so
settling again after a restart (the server replays its journal and settles what it
replayed) changes nothing. Rows are checked against their columns' domains
(:mod:`callscope.store.domain`) and customer identifiers become pseudonyms as in batch
ingest (:attr:`Store.privacy`); a row that fails a check becomes a reject.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

from callscope.model import TABLES
from callscope.privacy.pseudonym import pseudonym_sql
from callscope.store.domain import checks_sql
from callscope.store.sql import ident, run
from callscope.store.store import Store

__all__ = ["LIVE_FORMAT", "agents_of_teams", "schedules_between", "settle"]

LIVE_FORMAT = "live"


def _upsert(store: Store, table: str, rows: pa.Table, batch_id: str) -> int:
    """Replace the rows of ``table`` with the keys of ``rows`` by ``rows``; rows out of
    their domains become rejects of ``batch_id``. Returns the rows stored."""
    if rows.num_rows == 0:
        return 0
    con = store.con
    spec = TABLES[table]
    con.register("_live_in", rows)
    try:
        why = checks_sql(spec)
        run(
            con, f"CREATE OR REPLACE TEMP TABLE _live_rows AS SELECT *, {why} AS _why FROM _live_in"
        )
    finally:
        con.unregister("_live_in")
    run(
        con,
        """INSERT INTO rejects (batch_id, file, line, raw, reason, format)
        SELECT ?, source_file, source_line, NULL, _why, ? FROM _live_rows
        WHERE _why IS NOT NULL""",
        [batch_id, LIVE_FORMAT],
    )
    cols = list(spec.names)
    select = ", ".join(ident(c) for c in cols)
    params: list[Any] = []
    privacy = store.privacy
    if privacy is not None and "customer_key" in cols and not privacy.raw_identifiers:
        expr, params = pseudonym_sql("customer_key", privacy.key)
        select = ", ".join(
            f"{expr} AS customer_key" if c == "customer_key" else ident(c) for c in cols
        )
    keys = " AND ".join(f"t.{ident(k)} IS NOT DISTINCT FROM s.{ident(k)}" for k in spec.key)
    run(
        con,
        f"DELETE FROM {ident(table)} t WHERE EXISTS (SELECT 1 FROM _live_rows s "
        f"WHERE s._why IS NULL AND {keys})",
    )
    n = run(
        con,
        f"INSERT INTO {ident(table)} ({', '.join(ident(c) for c in cols)}) "
        f"SELECT {select} FROM _live_rows WHERE _why IS NULL",
        params or None,
    ).fetchall()[0][0]
    run(con, "DROP TABLE IF EXISTS _live_rows")
    return int(n)


def settle(
    store: Store,
    contacts: pa.Table,
    spans: pa.Table,
    rejects: list[dict[str, Any]],
    feeds: list[dict[str, Any]],
    now: datetime,
) -> dict[str, int]:
    """Store one batch (see the module docstring) in one transaction. ``rejects``:
    dicts of ``batch_id, file, line, raw, reason``; ``feeds``: dicts of ``batch_id,
    file, lines`` (lines read so far). Returns the rows stored per table."""
    con = store.con
    run(con, "BEGIN TRANSACTION")
    try:
        for f in feeds:
            run(
                con,
                """INSERT INTO ingests (batch_id, file, file_sha256, format, rows_read,
                    rows_loaded, rows_rejected, rows_duplicate, started_at, finished_at,
                    rows_replaced, rows_pending)
                SELECT ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, 0, 0
                WHERE NOT EXISTS (SELECT 1 FROM ingests WHERE batch_id = ?)""",
                [f["batch_id"], f["file"], f["batch_id"], LIVE_FORMAT, now, now, f["batch_id"]],
            )
        for r in rejects:
            run(
                con,
                """INSERT INTO rejects (batch_id, file, line, raw, reason, format)
                SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM rejects
                    WHERE batch_id = ? AND file = ? AND line = ?)""",
                [
                    r["batch_id"],
                    r["file"],
                    r["line"],
                    r["raw"],
                    r["reason"],
                    LIVE_FORMAT,
                    r["batch_id"],
                    r["file"],
                    r["line"],
                ],
            )
        out = {
            "contacts": _upsert(store, "contacts", contacts, "live:api"),
            "agent_states": _upsert(store, "agent_states", spans, "live:api"),
        }
        for f in feeds:
            run(
                con,
                """UPDATE ingests SET rows_read = greatest(rows_read, ?), finished_at = ?,
                    rows_rejected = (SELECT count(*) FROM rejects WHERE batch_id = ?),
                    rows_loaded = (SELECT count(*) FROM contacts WHERE source_file = ?)
                WHERE batch_id = ?""",
                [f["lines"], now, f["batch_id"], f["file"], f["batch_id"]],
            )
        run(con, "COMMIT")
    except BaseException:
        run(con, "ROLLBACK")
        raise
    return out


def agents_of_teams(store: Store, teams: list[str]) -> list[str]:
    """The agents of ``teams`` (the ``agents`` directory)."""
    if not teams:
        return []
    marks = ", ".join("?" for _ in teams)
    rows = run(
        store.con, f"SELECT DISTINCT agent FROM agents WHERE team IN ({marks})", list(teams)
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


def schedules_between(
    store: Store, start: datetime, end: datetime
) -> list[tuple[str, str, datetime, datetime]]:
    """``(agent, activity, start_ts, end_ts)`` of the scheduled activities that overlap
    ``[start, end)`` (the store's local times)."""
    rows = run(
        store.con,
        "SELECT agent, activity, start_ts, end_ts FROM schedules "
        "WHERE end_ts > ? AND start_ts < ? ORDER BY agent, start_ts",
        [start, end],
    ).fetchall()
    return [(str(a), str(act), s, e) for a, act, s, e in rows]
