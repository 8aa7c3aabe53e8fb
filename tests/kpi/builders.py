"""Build small canonical tables for hand-worked KPI tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from callscope.model import TABLES
from callscope.store import Store

__all__ = ["T0", "at", "make_store", "run", "table"]

#: Monday 2024-03-04 09:00, the origin of every hand-worked example.
T0 = datetime(2024, 3, 4, 9, 0, 0)


def at(minutes: float = 0.0, seconds: float = 0.0, days: int = 0) -> datetime:
    """T0 + offset."""
    return T0 + timedelta(days=days, minutes=minutes, seconds=seconds)


_DEFAULTS: dict[str, dict[str, Any]] = {
    "contacts": {
        "segment": 1,
        "channel": "voice",
        "direction": "inbound",
        "transferred": False,
        "outcome": "answered",
    },
    "surveys": {"scale_min": 1.0, "scale_max": 5.0},
    "messages": {"channel": "chat"},
    "orders": {"items": 1},
}


def table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """An Arrow table of canonical table ``name`` from partial rows (defaults filled)."""
    spec = TABLES[name]
    full = []
    for i, r in enumerate(rows):
        row = {**_DEFAULTS.get(name, {}), **r}
        row.setdefault("source_file", "test")
        row.setdefault("source_line", i + 1)
        if name == "contacts":
            row.setdefault("contact_id", f"c{i + 1}")
            row.setdefault("conversation_id", row["contact_id"])
            row.setdefault("arrival_ts", row.get("queue_entry_ts"))
            if (
                row.get("answer_ts") is None
                and row["outcome"] == "answered"
                and row.get("queue_entry_ts")
                and row.get("wait_s") is not None
            ):
                row["answer_ts"] = row["queue_entry_ts"] + timedelta(seconds=row["wait_s"])
        if name == "agent_states" and "duration_s" not in row:
            row["duration_s"] = (row["end_ts"] - row["start_ts"]).total_seconds()
        if name == "surveys":
            row.setdefault("survey_id", f"s{i + 1}")
        if name == "messages":
            row.setdefault("message_id", f"m{i + 1}")
        if name == "orders":
            row.setdefault("order_id", f"o{i + 1}")
        full.append({c: row.get(c) for c in spec.names})
    return pa.Table.from_pylist(full, schema=spec.schema)


def make_store(path: Path, **tables: list[dict[str, Any]] | pa.Table) -> Store:
    """A store at ``path`` holding the given tables."""
    store = Store(path)
    with store.batch("test", "test", f"sha-{path.name}") as b:
        for name, rows in tables.items():
            t = rows if isinstance(rows, pa.Table) else table(name, rows)
            b.append(name, t)
    return store


def run(
    path: Path,
    by: tuple[str, ...] = (),
    params: Any = None,
    start: datetime | None = None,
    end: datetime | None = None,
    **tables: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """KPI rows on DuckDB for hand-built tables (for the period ``[start, end)`` when
    given); also checks the plain-Python reference agrees, so every hand-worked test
    covers both."""
    from compare import assert_rows_equal
    from reference import reference_kpis

    from callscope.kpi import KpiParams, compute_kpis, duckdb_source

    params = params or KpiParams()
    arrow = {name: table(name, rows) for name, rows in tables.items()}
    store = make_store(path / "kpi.duckdb", **arrow)
    try:
        rows = compute_kpis(duckdb_source(store), by, params, start, end).rows()
    finally:
        store.close()
    want = reference_kpis(arrow, by, params, start, end)
    assert_rows_equal(rows, want, by, label="reference")
    return rows
