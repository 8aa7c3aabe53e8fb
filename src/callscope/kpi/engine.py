"""Run the KPI families on an engine and merge them into one table.

Every KPI is defined once, as an Ibis expression (the family modules); an engine is
just where the expression runs:

* ``duckdb`` - the embedded store (:meth:`callscope.store.Store.ibis`); the expression
  is compiled by Ibis and the SQL run on the store's own connection (Arrow out);
* ``spark``  - Apache Spark through ``ibis.pyspark``, reading the canonical tables from
  Parquet written by :meth:`callscope.store.Store.export_parquet`.

The families' aggregates are stacked (``UNION ALL``, each with nulls in the others'
columns) and collapsed by the group keys, so the whole suite is **one query** per run
(plus one query counting every table, and the list of survey items). Cross-family ratios
(occupancy, utilization, contacts per hour, conformance) are computed after the merge.
Families that cannot serve a grouping (an empty table, a key they have no notion of,
agent states without a queue when grouping by queue) are left out and listed in
:attr:`KpiResult.skipped`. With an ``interval`` key, the days that have rows are then
completed with their empty intervals (:func:`callscope.kpi.grouping.complete_days`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

from callscope.kpi.accessibility import ACCESSIBILITY
from callscope.kpi.catalog import CATALOG, COUNT_UNITS, kpi
from callscope.kpi.chat import CHAT
from callscope.kpi.commerce import COMMERCE, CONVERSION
from callscope.kpi.family import Family, null_queue_count
from callscope.kpi.grouping import (
    PROFILE_KEYS,
    TIME_KEYS,
    add_keys,
    bucket_step_minutes,
    complete_days,
)
from callscope.kpi.localtime import OFFSET_KEY, ZoneRules, format_offset, zone_rules
from callscope.kpi.outcome import OUTCOME
from callscope.kpi.params import KpiParams
from callscope.kpi.productivity import PRODUCTIVITY
from callscope.kpi.states import STATES, derive_state_ratios
from callscope.kpi.surveys import SURVEYS
from callscope.kpi.workforce import WORKFORCE, derive_conformance
from callscope.model import TABLES

__all__ = [
    "FAMILIES",
    "IbisSource",
    "KpiResult",
    "compute_kpis",
    "duckdb_source",
    "kpi_expression",
    "restrict_period",
    "spark_session",
    "spark_source",
    "with_offset_key",
]

#: Every family, in output column order.
FAMILIES: tuple[Family, ...] = (
    ACCESSIBILITY,
    PRODUCTIVITY,
    STATES,
    WORKFORCE,
    OUTCOME,
    SURVEYS,
    CHAT,
    COMMERCE,
    CONVERSION,
)
_CATALOG_ORDER = {k.name: i for i, k in enumerate(CATALOG)}


@dataclass
class IbisSource:
    """The canonical tables on one Ibis backend."""

    con: Any
    engine: str
    tables: dict[str, Any] = field(default_factory=dict)
    #: the raw DuckDB connection, when the backend is DuckDB (runs compiled SQL directly,
    #: skipping Ibis' result conversion)
    raw: Any = None
    #: the whole store's tables when ``tables`` are restricted to a period
    #: (:func:`restrict_period`): FCR looks for repeat contacts after the period
    store_tables: dict[str, Any] | None = None

    def table(self, name: str) -> Any:
        if name not in self.tables:
            self.tables[name] = self.con.table(name)
        return self.tables[name]

    def store_table(self, name: str) -> Any:
        """Table ``name`` of the whole store, whatever period ``tables`` are restricted to."""
        if self.store_tables is not None and name in self.store_tables:
            return self.store_tables[name]
        return self.table(name)

    def count(self, name: str) -> int:
        return int(self.con.execute(self.table(name).count()))

    def counts(self, names: Sequence[str], null_queue: Sequence[str] = ()) -> dict[str, int]:
        """Rows per table, and rows without a queue of the ``null_queue`` tables (named
        by :func:`~callscope.kpi.family.null_queue_count`), in one query."""
        parts = [
            self.table(n).aggregate(n=lambda t: t.count()).mutate(name=ibis.literal(n))
            for n in names
        ] + [
            self.table(n)
            .filter(self.table(n).queue.isnull())
            .aggregate(n=lambda t: t.count())
            .mutate(name=ibis.literal(null_queue_count(n)))
            for n in null_queue
        ]
        res = self.to_arrow(ibis.union(*parts, distinct=False)).to_pylist()
        return {r["name"]: int(r["n"]) for r in res}

    def to_arrow(self, expr: Any) -> pa.Table:
        if self.raw is not None:
            return self.raw.sql(str(self.con.compile(expr))).to_arrow_table()
        return self.con.to_pyarrow(expr)


def duckdb_source(store: Any) -> IbisSource:
    """The store's own DuckDB connection."""
    return IbisSource(store.ibis(), "duckdb", raw=store.con)


def spark_session(app_name: str = "callscope", master: str = "local[2]") -> Any:
    """A local Spark session configured for callscope (UTC session zone, quiet).

    Spark's Python workers run this very interpreter (``PYSPARK_PYTHON``), so they see
    the same packages as the driver even when the virtual environment is not activated.
    """
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

    spark = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # getOrCreate may return a session someone else configured: pin what we rely on.
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


def spark_source(session: Any, parquet_dir: Path) -> IbisSource:
    """Spark over ``parquet_dir/<table>.parquet`` (from ``Store.export_parquet``)."""
    con = ibis.pyspark.connect(session)
    src = IbisSource(con, "spark")
    for name in TABLES:
        src.tables[name] = con.read_parquet(
            str(parquet_dir / f"{name}.parquet"), table_name=f"cs_{name}"
        )
    return src


@dataclass(frozen=True)
class KpiResult:
    """The KPI table (one row per group) and how it was computed."""

    table: pa.Table
    keys: tuple[str, ...]
    params: KpiParams
    engine: str
    families: tuple[str, ...]
    skipped: Mapping[str, str]

    @property
    def kpi_columns(self) -> list[str]:
        return [c for c in self.table.column_names if c not in self.keys]

    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts (JSON output)."""
        return self.table.to_pylist()

    def notes(self) -> list[str]:
        """Exclusions a reader must know (:meth:`KpiParams.notes`, and FCR's pending
        contacts when FCR was computed)."""
        notes = list(self.params.notes())
        if "outcome" in self.families:
            notes.append(
                f"FCR leaves out pending contacts (fcr_pending: {self.params.fcr_window_days:g}-day "
                "window still open at the end of the data)"
            )
        return notes

    def metadata(self) -> dict[str, Any]:
        """What produced the numbers: engine, keys, variant, thresholds, preset, and the
        ``notes`` on what the KPIs exclude."""
        return {
            "engine": self.engine,
            "by": list(self.keys),
            **self.params.describe(),
            "families": list(self.families),
            "skipped": dict(self.skipped),
            "notes": self.notes(),
        }


def _merge(parts: Sequence[Any], keys: Sequence[str]) -> Any:
    """Stack the family aggregates and collapse them to one row per key."""
    types: dict[str, Any] = {}
    key_types: dict[str, Any] = {}
    for part in parts:
        for name, typ in part.schema().items():
            target = key_types if name in keys else types
            target.setdefault(name, typ.copy(nullable=True))
    aligned = []
    for part in parts:
        have = set(part.columns)
        cols = [part[k].cast(key_types[k]).name(k) for k in keys] + [
            part[c].cast(t).name(c) if c in have else ibis.null().cast(t).name(c)
            for c, t in types.items()
        ]
        aligned.append(part.select(*cols))
    stacked = aligned[0] if len(aligned) == 1 else ibis.union(*aligned, distinct=False)
    if len(aligned) == 1:
        return stacked
    aggs = {c: stacked[c].max() for c in types}
    return stacked.group_by(list(keys)).aggregate(**aggs) if keys else stacked.aggregate(**aggs)


def kpi_expression(
    src: IbisSource,
    keys: Sequence[str],
    params: KpiParams,
    counts: Mapping[str, int] | None = None,
    survey_items: Sequence[str] | None = None,
    only: Sequence[str] | None = None,
    zone: ZoneRules | None = None,
) -> tuple[Any, tuple[str, ...], dict[str, str]]:
    """The single Ibis expression of the whole suite for ``keys``, the families that ran
    and the ones skipped (with why). With ``zone`` (the center's zone, whose clocks
    change in the period), rows go to the buckets of its local time and an
    ``interval_start`` key gets the ``utc_offset`` key beside it (see
    :func:`with_offset_key`)."""
    keys = with_offset_key(keys, zone)
    if counts is None:
        counts = src.counts(list(TABLES), null_queue=_queue_tables(keys, only))
    tables = {n: src.table(n) for n in TABLES}
    if survey_items is None:
        survey_items = []
        if counts.get("surveys") and (only is None or "surveys" in only):
            s = tables["surveys"]
            survey_items = sorted(src.to_arrow(s.select("item").distinct())["item"].to_pylist())
    extra = {
        "keys": keys,
        "survey_items": tuple(survey_items),
        "store_tables": {n: src.store_table(n) for n in TABLES},
        "zone": zone,
    }
    step = bucket_step_minutes(keys, params.interval_minutes)
    parts, ran, skipped = [], [], {}
    for fam in FAMILIES:
        if only is not None and fam.name not in only:
            continue
        reason = fam.skip_reason(keys, counts)
        if reason:
            skipped[fam.name] = reason
            continue
        frame = fam.frame(tables, params, step, extra)
        keyed = add_keys(
            frame,
            keys,
            params.interval_minutes,
            tables["agents"] if "team" in keys else None,
            zone,
        )
        parts.append(fam.aggregate(keyed, keys, params, extra))
        ran.append(fam.name)
    if not parts:
        return None, (), skipped
    m = _merge(parts, keys)
    cols = set(m.columns)
    fill = {c: m[c].fill_null(0) for c in cols if c not in keys and _is_count(c)}
    if fill:
        m = m.mutate(**fill)
    if "states" in ran:
        added = [c for c in ("handled", "total_talk_s") if c not in m.columns]
        m = derive_state_ratios(_ensure(m, added), params)
        if added:
            m = m.drop(*added)
    if "workforce" in ran and "states" in ran:
        m = derive_conformance(m)
    order = sorted(
        (c for c in m.columns if c not in keys),
        key=lambda c: (_CATALOG_ORDER.get(c, _CATALOG_ORDER["survey_<item>"]), c),
    )
    m = m.select(*keys, *order)
    if keys:
        m = m.order_by(
            [m[k].desc() if k == OFFSET_KEY else m[k].asc(nulls_first=True) for k in keys]
        )
    return m, tuple(ran), skipped


def _queue_tables(keys: Sequence[str], only: Sequence[str] | None) -> list[str]:
    """Tables whose rows without a queue must be counted for this grouping."""
    if "queue" not in keys:
        return []
    return sorted(
        {
            f.queue_table
            for f in FAMILIES
            if f.queue_table is not None and (only is None or f.name in only)
        }
    )


def _ensure(m: Any, cols: Sequence[str]) -> Any:
    missing = {c: ibis.literal(0.0, "float64") for c in cols if c not in m.columns}
    return m.mutate(**missing) if missing else m


#: The time column that places a row of each table in a reporting period.
PERIOD_COLUMNS = {
    "contacts": None,  # queue entry, else arrival (see accessibility)
    "agent_states": "start_ts",
    "schedules": "start_ts",
    "surveys": "submitted_ts",
    "messages": "sent_ts",
    "orders": "placed_ts",
}


def restrict_period(src: IbisSource, start: datetime | None, end: datetime | None) -> IbisSource:
    """A source whose tables only hold rows in ``[start, end)`` (by each table's own time:
    queue entry for contacts, span start for states and schedules).

    The whole store stays reachable through :meth:`IbisSource.store_table`: what a
    period's contacts *led to* (a repeat contact after ``end``, for FCR) is looked for
    in every row, so a day's FCR does not depend on the period it is queried in."""
    if start is None and end is None:
        return src
    whole = {name: src.store_table(name) for name in TABLES}
    out = IbisSource(src.con, src.engine, raw=src.raw, store_tables=whole)
    for name in TABLES:
        t = src.table(name)
        if name in PERIOD_COLUMNS:
            col = PERIOD_COLUMNS[name]
            ts = t.queue_entry_ts.coalesce(t.arrival_ts) if col is None else t[col]
            if start is not None:
                t = t.filter(ts >= start)
            if end is not None:
                t = t.filter(ts < end)
        out.tables[name] = t
    return out


def compute_kpis(
    src: IbisSource,
    keys: Sequence[str],
    params: KpiParams | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    only: Sequence[str] | None = None,
) -> KpiResult:
    """Compute every applicable KPI grouped by ``keys`` on ``src``'s engine, optionally
    for the period ``[start, end)`` only.

    KPIs whose table is empty or cannot be grouped by a requested key are left out
    (``KpiResult.skipped`` says why); ``only`` restricts the run to some families.
    """
    params = params or KpiParams()
    src = restrict_period(src, start, end)
    zone = center_zone(src, params, keys, start, end)
    keys = with_offset_key(keys, zone)
    expr, ran, skipped = kpi_expression(src, keys, params, only=only, zone=zone)
    if expr is None:
        table = pa.table({k: pa.array([], pa.string()) for k in keys})
    else:
        table = src.to_arrow(expr)
        zero = [c for c in table.column_names if c not in keys and _is_count(c)]
        table = complete_days(table, keys, params.interval_minutes, zero, start, end, zone)
        if OFFSET_KEY in table.column_names:
            i = table.column_names.index(OFFSET_KEY)
            shown = [None if v is None else format_offset(v) for v in table[OFFSET_KEY].to_pylist()]
            table = table.set_column(i, OFFSET_KEY, pa.array(shown, pa.string()))
    return KpiResult(table, tuple(keys), params, src.engine, ran, skipped)


def with_offset_key(keys: Sequence[str], zone: ZoneRules | None) -> tuple[str, ...]:
    """``keys``, with ``utc_offset`` after ``interval_start`` when ``zone`` changes its
    clocks (the two local hours of a fall-back night are two intervals)."""
    keys = tuple(keys)
    if zone is None or "interval_start" not in keys or OFFSET_KEY in keys:
        return keys
    i = keys.index("interval_start") + 1
    return (*keys[:i], OFFSET_KEY, *keys[i:])


def center_zone(
    src: IbisSource,
    params: KpiParams,
    keys: Sequence[str],
    start: datetime | None,
    end: datetime | None,
) -> ZoneRules | None:
    """The rules of the center's zone (``params.timezone``) over the years of the
    period (the data's years where the period is open), or ``None`` when no time key
    is asked for or the zone's clocks do not change in those years."""
    if not params.timezone or not any(k in keys for k in (*TIME_KEYS, *PROFILE_KEYS)):
        return None
    if params.timezone in ("UTC", "GMT") or params.timezone.startswith("Etc/"):
        return None  # a fixed offset: nothing to look up
    first = start.year - 1 if start is not None else None
    last = end.year if end is not None else None
    if first is None or last is None:
        c = src.table("contacts")
        years = src.to_arrow(c.aggregate(lo=c.arrival_ts.min(), hi=c.arrival_ts.max()))
        lo, hi = years["lo"][0].as_py(), years["hi"][0].as_py()
        if lo is None or hi is None:
            return None
        first = lo.year - 1 if first is None else first
        last = hi.year + 1 if last is None else last
    return zone_rules(params.timezone, first, last)


def _is_count(column: str) -> bool:
    """An additive column: 0, not null, where its family ran but saw nothing."""
    return not column.startswith("survey_") and kpi(column).unit in COUNT_UNITS
