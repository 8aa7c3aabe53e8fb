"""The store's side of ``callscope roster build``: the agents to roster, and publishing a
roster as ``schedules`` rows.

:func:`read_agents` lists the ``agents`` table (agent, team). :func:`publish_schedules`
writes a roster's activities (``agent, activity, start_ts, end_ts``) in one transaction
through :meth:`callscope.store.Store.batch` (a manifest row of format ``roster`` names
the run): first it removes the rostered agents' earlier ``schedules`` rows that start
inside the roster's period (a roster replaces the plan it supersedes; other agents and
other days are left alone), then it appends the new rows. Either all of it lands or
none of it does.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from callscope.store.sql import run

if TYPE_CHECKING:
    from callscope.store.store import Store

__all__ = ["publish_schedules", "read_agents"]


def read_agents(store: Store) -> list[tuple[str, str | None]]:
    """``(agent, team)`` of every agent in the store's ``agents`` table, by agent id."""
    rows = run(
        store.con, "SELECT agent, team FROM agents GROUP BY agent, team ORDER BY agent, team"
    ).fetchall()
    seen: dict[str, str | None] = {}
    for agent, team in rows:
        seen.setdefault(str(agent), None if team is None else str(team))
    return list(seen.items())


def publish_schedules(
    store: Store, rows: pa.Table, agents: list[str], start: datetime, end: datetime, label: str
) -> tuple[int, int]:
    """Replace the ``schedules`` rows of ``agents`` that start in ``[start, end)`` with
    ``rows`` (columns ``agent, activity, start_ts, end_ts``), in one transaction named
    ``label`` in the manifest. Returns (rows written, earlier rows removed)."""
    n = rows.num_rows
    table = pa.table(
        {
            "agent": rows.column("agent").cast(pa.string()),
            "activity": rows.column("activity").cast(pa.string()),
            "start_ts": rows.column("start_ts").cast(pa.timestamp("us")),
            "end_ts": rows.column("end_ts").cast(pa.timestamp("us")),
            "source_file": pa.array([label] * n, pa.string()),
            "source_line": pa.array(range(1, n + 1), pa.int64()),
        }
    )
    digest = hashlib.sha256()
    digest.update(label.encode())
    for col in ("agent", "activity", "start_ts"):
        digest.update(repr(table.column(col).to_pylist()).encode())
    where = "list_contains(?, agent) AND start_ts >= ? AND start_ts < ?"
    params = [agents, start, end]
    with store.batch(label, "roster", digest.hexdigest()) as b:
        removed = int(
            run(store.con, f"SELECT count(*) FROM schedules WHERE {where}", params).fetchall()[0][0]
        )
        run(store.con, f"DELETE FROM schedules WHERE {where}", params)
        b.rows_read = n
        loaded = b.append("schedules", table, unique=True)
    return loaded, removed
