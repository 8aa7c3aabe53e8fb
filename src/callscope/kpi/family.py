"""What a KPI family is: the tables it reads, the keys it can group by, its frame and
its aggregate. The engine runs every family that applies and merges their columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from callscope.kpi.params import KpiParams

__all__ = ["Family", "aggregate_by", "null_queue_count", "ratio"]


def ratio(num: Any, den: Any) -> Any:
    """``num / den`` as float, null when ``den`` is 0 or null (safe on ANSI Spark)."""
    return num.cast("float64") / den.cast("float64").nullif(0.0)


def null_queue_count(table: str) -> str:
    """The name under which the engine counts the rows of ``table`` without a queue."""
    return f"{table}.queue null"


@dataclass(frozen=True, slots=True)
class Family:
    """A group of KPIs computed from one frame in one aggregation.

    ``frame(tables, params, step_minutes, extra)`` returns the frame (see
    :mod:`callscope.kpi.grouping`); ``aggregate(keyed, keys, params, extra)`` returns
    one row per key combination with the family's columns. ``tables`` hold the rows of
    the period being reported; ``extra`` holds the group ``keys``, the ``survey_items``
    and ``store_tables``, the whole store's tables (what a period's rows led to
    afterwards, e.g. FCR's repeat contacts, is looked for there). ``tables`` lists the
    canonical tables that must be non-empty; ``dims`` the non-time keys it supports.
    ``queue_table`` names the table whose ``queue`` column places the family's rows in
    queues: grouping by queue is impossible when some of its rows have no queue (the
    engine counts them as ``"<table>.queue null"``).
    """

    name: str
    tables: tuple[str, ...]
    dims: frozenset[str]
    frame: Callable[[Mapping[str, Any], KpiParams, int | None, Any], Any]
    aggregate: Callable[[Any, Sequence[str], KpiParams, Any], Any]
    queue_table: str | None = None

    def skip_reason(self, keys: Sequence[str], counts: Mapping[str, int]) -> str | None:
        """Why this family cannot run for ``keys`` on this data, or ``None``."""
        empty = [t for t in self.tables if counts.get(t, 0) == 0]
        if empty:
            return f"no rows in {', '.join(empty)}"
        bad = [k for k in keys if k in ("queue", "channel", "agent", "team") and k not in self.dims]
        if bad:
            return f"cannot group by {', '.join(bad)}"
        if "queue" in keys and self.queue_table is not None:
            n = counts.get(null_queue_count(self.queue_table), 0)
            if n:
                return (
                    f"cannot group by queue: {n} {self.queue_table} rows have no queue "
                    "(the source does not say which queue that time served)"
                )
        return None


def aggregate_by(t: Any, keys: Sequence[str], **metrics: Any) -> Any:
    """``t.group_by(keys).aggregate(**metrics)``, or one total row when ``keys`` is empty."""
    return t.group_by(list(keys)).aggregate(**metrics) if keys else t.aggregate(**metrics)
