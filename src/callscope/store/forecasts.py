"""Interval series read from the store's ``contacts``, and the ``forecasts`` table.

Volume per interval is **offered** contacts (``KPIS.md``: a contact belongs to the
interval in which it entered the queue; ``blocked``, ``ivr_only`` and ``phantom`` are
never offered),
inbound only. Handle time is ``talk + hold + acw`` of the answered ones; the AHT of an
interval is its total handle time over its answered contacts.

``forecasts`` (one row per queue x channel x interval of a forecast run; the staffing
planner, ``callscope staff``, reads the newest ``forecast_id``):

===============  =========  =====================================================
column           type       meaning
===============  =========  =====================================================
forecast_id      VARCHAR    one forecast run
created_at       TIMESTAMP  when it was made
interval_start   TIMESTAMP  interval start, local time
interval_s       INTEGER    interval length, seconds
queue            VARCHAR    queue
channel          VARCHAR    voice | chat | email
calls            DOUBLE     forecast offered contacts (0 when closed)
aht_s            DOUBLE     forecast average handle time, seconds
calls_lo         DOUBLE     lower end of the prediction interval (80 % by default)
calls_hi         DOUBLE     upper end
model            VARCHAR    the model that made it; ``closed`` for closed intervals
===============  =========  =====================================================

``forecast_coverage`` (what a run stands on: one row per queue x channel and one with
``queue`` and ``channel`` NULL for the whole run; see
:class:`callscope.forecast.history.Coverage`):

===============  ==============  ==================================================
column           type            meaning
===============  ==============  ==================================================
forecast_id      VARCHAR         the forecast run
queue, channel   VARCHAR         the series; NULL for the whole run
history_first    DATE            first day of history the model used
history_last     DATE            last day of history (the day before the origin)
history_days     INTEGER         days of history used (gap days left out not counted)
contact_days     INTEGER         of which days with contacts
data_first       DATE            first day with contacts available
horizon_first    TIMESTAMP       first forecast interval
horizon_last     TIMESTAMP       start of the last forecast interval
gaps             STRUCT[]        long gaps: last_before, first_after (DATE), days,
                                 open_days (INTEGER)
warnings         VARCHAR[]       the gaps and what the model did, in words
===============  ==============  ==================================================

:func:`forecast_info` reads a run's id, time, horizon and (when recorded) coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from callscope.store.sql import relation, run
from callscope.store.store import OFFERED_SQL, Store

__all__ = [
    "COVERAGE_DDL",
    "COVERAGE_SCHEMA",
    "FORECASTS_DDL",
    "ForecastInfo",
    "StoredGap",
    "forecast_info",
    "interval_series",
    "latest_forecast",
    "write_forecasts",
]

FORECASTS_DDL = """
CREATE TABLE IF NOT EXISTS forecasts (
    forecast_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    interval_start TIMESTAMP NOT NULL,
    interval_s INTEGER NOT NULL,
    queue VARCHAR,
    channel VARCHAR,
    calls DOUBLE,
    aht_s DOUBLE,
    calls_lo DOUBLE,
    calls_hi DOUBLE,
    model VARCHAR
)"""

FORECAST_SCHEMA = pa.schema(
    [
        ("forecast_id", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("interval_start", pa.timestamp("us")),
        ("interval_s", pa.int32()),
        ("queue", pa.string()),
        ("channel", pa.string()),
        ("calls", pa.float64()),
        ("aht_s", pa.float64()),
        ("calls_lo", pa.float64()),
        ("calls_hi", pa.float64()),
        ("model", pa.string()),
    ]
)


COVERAGE_DDL = """
CREATE TABLE IF NOT EXISTS forecast_coverage (
    forecast_id VARCHAR NOT NULL,
    queue VARCHAR,
    channel VARCHAR,
    history_first DATE,
    history_last DATE,
    history_days INTEGER,
    contact_days INTEGER,
    data_first DATE,
    horizon_first TIMESTAMP,
    horizon_last TIMESTAMP,
    gaps STRUCT(last_before DATE, first_after DATE, days INTEGER, open_days INTEGER)[],
    warnings VARCHAR[]
)"""

_GAP = pa.struct(
    [
        ("last_before", pa.date32()),
        ("first_after", pa.date32()),
        ("days", pa.int32()),
        ("open_days", pa.int32()),
    ]
)

COVERAGE_SCHEMA = pa.schema(
    [
        ("forecast_id", pa.string()),
        ("queue", pa.string()),
        ("channel", pa.string()),
        ("history_first", pa.date32()),
        ("history_last", pa.date32()),
        ("history_days", pa.int32()),
        ("contact_days", pa.int32()),
        ("data_first", pa.date32()),
        ("horizon_first", pa.timestamp("us")),
        ("horizon_last", pa.timestamp("us")),
        ("gaps", pa.list_(_GAP)),
        ("warnings", pa.list_(pa.string())),
    ]
)


def interval_series(
    store: Store,
    interval_s: int,
    *,
    queues: list[str] | None = None,
    channels: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pa.Table:
    """Offered contacts, handled contacts and handle seconds per queue x channel x interval.

    Columns: ``queue, channel, interval_start, calls, handled, handle_s``; only intervals
    with at least one offered contact appear. ``until`` is exclusive.
    """
    where = [
        "queue_entry_ts IS NOT NULL",
        OFFERED_SQL,  # phantom records too are never offered
        "direction = 'inbound'",
    ]
    params: list[object] = []
    for col, vals in (("queue", queues), ("channel", channels)):
        if vals:
            where.append(f"{col} IN ({', '.join('?' for _ in vals)})")
            params.extend(vals)
    if since is not None:
        where.append("queue_entry_ts >= ?")
        params.append(since)
    if until is not None:
        where.append("queue_entry_ts < ?")
        params.append(until)
    sql = f"""
        SELECT coalesce(queue, '') AS queue, channel,
               time_bucket(to_seconds({int(interval_s)}), queue_entry_ts,
                           TIMESTAMP '2000-01-01') AS interval_start,
               count(*)::DOUBLE AS calls,
               count(*) FILTER (WHERE outcome = 'answered')::DOUBLE AS handled,
               coalesce(sum(coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(acw_s, 0))
                        FILTER (WHERE outcome = 'answered'), 0) AS handle_s
        FROM contacts WHERE {" AND ".join(where)}
        GROUP BY ALL ORDER BY queue, channel, interval_start"""
    return relation(store.con, sql, params).to_arrow_table()


def write_forecasts(
    store: Store, rows: pa.Table, coverage: list[dict[str, Any]] | None = None
) -> int:
    """Append one forecast run (a table with the ``forecasts`` columns) and, if given,
    its coverage (records with the ``forecast_coverage`` columns but ``forecast_id``,
    e.g. :meth:`callscope.forecast.forecaster.ForecastRun.coverage_records`), in one
    transaction; returns the forecast rows written."""
    table = rows.select(FORECAST_SCHEMA.names).cast(FORECAST_SCHEMA)
    cov = None
    if coverage is not None:
        ids = set(table.column("forecast_id").unique().to_pylist())
        if len(ids) != 1:
            raise ValueError(f"coverage belongs to one forecast run; the rows carry {len(ids)}")
        fid = ids.pop()
        cov = pa.Table.from_pylist(
            [{**r, "forecast_id": fid} for r in coverage], schema=COVERAGE_SCHEMA
        )
    con = store.con
    run(con, FORECASTS_DDL)
    run(con, COVERAGE_DDL)
    run(con, "BEGIN TRANSACTION")
    try:
        con.register("_incoming_forecasts", table)
        run(con, "INSERT INTO forecasts SELECT * FROM _incoming_forecasts")
        if cov is not None:
            con.register("_incoming_coverage", cov)
            run(
                con,
                f"INSERT INTO forecast_coverage ({', '.join(COVERAGE_SCHEMA.names)}) "
                "SELECT * FROM _incoming_coverage",
            )
        run(con, "COMMIT")
    except BaseException:
        run(con, "ROLLBACK")
        raise
    finally:
        con.unregister("_incoming_forecasts")
        if cov is not None:
            con.unregister("_incoming_coverage")
    return table.num_rows


def _has_table(store: Store, name: str) -> bool:
    return bool(
        run(
            store.con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchall()[0][0]
    )


def latest_forecast(store: Store) -> pa.Table:
    """The newest forecast run (largest ``created_at``), empty if there is none."""
    if not _has_table(store, "forecasts"):
        return FORECAST_SCHEMA.empty_table()
    return relation(
        store.con,
        """SELECT * FROM forecasts WHERE forecast_id = (
               SELECT forecast_id FROM forecasts ORDER BY created_at DESC LIMIT 1)
           ORDER BY queue, channel, interval_start""",
    ).to_arrow_table()


@dataclass(frozen=True)
class StoredGap:
    """A gap as stored with a forecast run: the last day with contacts before it, the
    first after it, the days without contacts between them and how many were open
    (the record of :class:`callscope.forecast.history.Gap`)."""

    last_before: date
    first_after: date
    days: int
    open_days: int


@dataclass(frozen=True)
class ForecastInfo:
    """What a stored forecast run is and covers.

    ``horizon_first`` / ``horizon_last``: its first interval and the start of its last
    one. The history fields come from ``forecast_coverage``: ``None`` and empty for a
    run stored without it (older runs, intraday reforecasts).
    """

    forecast_id: str
    created_at: datetime
    interval_s: int
    horizon_first: datetime
    horizon_last: datetime
    intervals: int
    series: int
    history_first: date | None
    history_last: date | None
    history_days: int | None
    gaps: tuple[StoredGap, ...]
    warnings: tuple[str, ...]

    @property
    def horizon_days(self) -> int:
        """Calendar days from the first to the last interval, both included."""
        return (self.horizon_last.date() - self.horizon_first.date()).days + 1


def forecast_info(store: Store, forecast_id: str | None = None) -> ForecastInfo | None:
    """The id, creation time, horizon and coverage of forecast run ``forecast_id``
    (default: the newest, as :func:`latest_forecast`); ``None`` if there is none."""
    if not _has_table(store, "forecasts"):
        return None
    pick = (
        "?"
        if forecast_id is not None
        else "(SELECT forecast_id FROM forecasts ORDER BY created_at DESC LIMIT 1)"
    )
    params = [forecast_id] if forecast_id is not None else []
    found = run(
        store.con,
        f"""SELECT forecast_id, min(created_at), min(interval_s), min(interval_start),
                   max(interval_start), count(*), count(DISTINCT (queue, channel))
            FROM forecasts WHERE forecast_id = {pick} GROUP BY forecast_id""",
        params,
    ).fetchall()
    if not found:
        return None
    row = found[0]
    fid = row[0]
    cov = None
    if _has_table(store, "forecast_coverage"):
        rows = run(
            store.con,
            """SELECT history_first, history_last, history_days, gaps, warnings
               FROM forecast_coverage
               WHERE forecast_id = ? AND queue IS NULL AND channel IS NULL""",
            [fid],
        ).fetchall()
        cov = rows[0] if rows else None
    gaps: tuple[StoredGap, ...] = ()
    warnings: tuple[str, ...] = ()
    if cov is not None:
        gaps = tuple(
            StoredGap(g["last_before"], g["first_after"], g["days"], g["open_days"])
            for g in cov[3] or ()
        )
        warnings = tuple(cov[4] or ())
    return ForecastInfo(
        forecast_id=fid,
        created_at=row[1],
        interval_s=int(row[2]),
        horizon_first=row[3],
        horizon_last=row[4],
        intervals=int(row[5]),
        series=int(row[6]),
        history_first=cov[0] if cov else None,
        history_last=cov[1] if cov else None,
        history_days=int(cov[2]) if cov else None,
        gaps=gaps,
        warnings=warnings,
    )
