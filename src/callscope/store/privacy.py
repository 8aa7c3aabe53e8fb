"""Erasure, tombstones, retention and the audit log, in the store.

* :func:`erase_customer` deletes every row of one person — contacts, surveys, messages,
  orders, and rejected lines that carry the identifier — records a *tombstone* (the
  pseudonym only, never the raw identifier) so that ingesting a file again never brings
  the person back, and writes an audit entry; all in one transaction.
* :func:`apply_retention` deletes rows older than each table's cut-off and logs it.
* ``audit_log(logged_at, actor, action, subject, detail)``: who did what to whom, and how many
  rows it touched (``detail`` is JSON).

Every value reaches SQL as a bound parameter; table and column names come from the
fixed map :data:`TIME_COLUMNS`, never from input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from callscope.store.store import Store

__all__ = [
    "CUSTOMER_TABLES",
    "TIME_COLUMNS",
    "apply_retention",
    "audit",
    "ensure_privacy_tables",
    "erase_customer",
    "tombstones",
]

#: Tables that hold a customer identifier in ``customer_key``.
CUSTOMER_TABLES = ("contacts", "surveys", "messages", "orders")
#: The time that places each table's rows for retention.
TIME_COLUMNS = {
    "contacts": "arrival_ts",
    "agent_states": "start_ts",
    "schedules": "start_ts",
    "surveys": "submitted_ts",
    "messages": "sent_ts",
    "orders": "placed_ts",
}

_DDL = (
    """CREATE TABLE IF NOT EXISTS erased_customers (
        pseudonym VARCHAR PRIMARY KEY,
        erased_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS audit_log (
        logged_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        subject VARCHAR,
        detail VARCHAR
    )""",
)


def ensure_privacy_tables(store: Store) -> None:
    """Create the tombstone and audit tables if absent."""
    for ddl in _DDL:
        store.con.execute(ddl)


def audit(
    store: Store, now: datetime, actor: str, action: str, subject: str | None, detail: object
) -> None:
    """Append one audit entry."""
    ensure_privacy_tables(store)
    store.con.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?)",
        [now, actor, action, subject, json.dumps(detail, default=str)],
    )


def tombstones(store: Store) -> set[str]:
    """The pseudonyms of erased people."""
    ensure_privacy_tables(store)
    return {r[0] for r in store.con.execute("SELECT pseudonym FROM erased_customers").fetchall()}


def erase_customer(
    store: Store, pseudonym: str, forms: Sequence[str], now: datetime, actor: str
) -> dict[str, int]:
    """Delete every row whose ``customer_key`` is one of ``forms`` (the pseudonym and the
    raw identifier as written), and every rejected line containing one of them; record
    the tombstone and the audit entry. Returns the rows removed per table."""
    ensure_privacy_tables(store)
    keys = sorted({f for f in forms if f})
    marks = ", ".join("?" for _ in keys)
    removed: dict[str, int] = {}
    store.con.execute("BEGIN TRANSACTION")
    try:
        for table in CUSTOMER_TABLES:
            n = store.con.execute(
                f"SELECT count(*) FROM {table} WHERE customer_key IN ({marks})", keys
            ).fetchall()[0][0]
            store.con.execute(f"DELETE FROM {table} WHERE customer_key IN ({marks})", keys)
            removed[table] = int(n)
        cond = " OR ".join("contains(raw, ?)" for _ in keys)
        n = store.con.execute(f"SELECT count(*) FROM rejects WHERE {cond}", keys).fetchall()[0][0]
        store.con.execute(f"DELETE FROM rejects WHERE {cond}", keys)
        removed["rejects"] = int(n)
        store.con.execute(
            "INSERT INTO erased_customers VALUES (?, ?) ON CONFLICT DO NOTHING", [pseudonym, now]
        )
        audit(store, now, actor, "erase", pseudonym, {"rows_removed": removed})
        store.con.execute("COMMIT")
    except BaseException:
        store.con.execute("ROLLBACK")
        raise
    return removed


def apply_retention(
    store: Store,
    cutoffs: Mapping[str, datetime],
    now: datetime,
    actor: str,
    *,
    dry_run: bool = False,
) -> dict[str, int]:
    """Delete rows older than their table's cut-off (``rejects``: by when their file was
    ingested; ``forecasts``: by when the run was made). Returns rows (to be) removed per
    table; ``dry_run`` only counts."""
    ensure_privacy_tables(store)
    have = {
        r[0]
        for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    where = {
        **{t: f"{c} < ?" for t, c in TIME_COLUMNS.items()},
        "rejects": "batch_id IN (SELECT batch_id FROM ingests WHERE finished_at < ?)",
        "forecasts": "created_at < ?",
    }
    removed: dict[str, int] = {}
    store.con.execute("BEGIN TRANSACTION")
    try:
        for table, cut in cutoffs.items():
            if table not in where:
                raise KeyError(f"no retention rule for table {table!r}")
            if table not in have:
                continue
            cond = where[table]
            n = store.con.execute(f"SELECT count(*) FROM {table} WHERE {cond}", [cut]).fetchall()
            removed[table] = int(n[0][0])
            if not dry_run:
                store.con.execute(f"DELETE FROM {table} WHERE {cond}", [cut])
        if not dry_run:
            audit(
                store,
                now,
                actor,
                "retention",
                None,
                {"cutoffs": dict(cutoffs), "rows_removed": removed},
            )
        store.con.execute("COMMIT")
    except BaseException:
        store.con.execute("ROLLBACK")
        raise
    return removed
