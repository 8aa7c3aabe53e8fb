"""Interval series read from the store's ``contacts``, and the ``forecasts`` table.

Volume per interval is **offered** contacts (``KPIS.md``: a contact belongs to the
interval in which it entered the queue; ``blocked`` and ``ivr_only`` are never offered),
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
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from callscope.store.store import Store

__all__ = ["FORECASTS_DDL", "interval_series", "latest_forecast", "write_forecasts"]

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
        "outcome NOT IN ('blocked', 'ivr_only')",
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
    return store.con.sql(sql, params=params).to_arrow_table()


def write_forecasts(store: Store, rows: pa.Table) -> int:
    """Append one forecast run (a table with the ``forecasts`` columns); returns rows."""
    store.con.execute(FORECASTS_DDL)
    table = rows.select(FORECAST_SCHEMA.names).cast(FORECAST_SCHEMA)
    store.con.register("_incoming_forecasts", table)
    try:
        store.con.execute("INSERT INTO forecasts SELECT * FROM _incoming_forecasts")
    finally:
        store.con.unregister("_incoming_forecasts")
    return table.num_rows


def latest_forecast(store: Store) -> pa.Table:
    """The newest forecast run (largest ``created_at``), empty if there is none."""
    has = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'forecasts'"
    ).fetchall()[0][0]
    if not has:
        return FORECAST_SCHEMA.empty_table()
    return store.con.sql(
        """SELECT * FROM forecasts WHERE forecast_id = (
               SELECT forecast_id FROM forecasts ORDER BY created_at DESC LIMIT 1)
           ORDER BY queue, channel, interval_start"""
    ).to_arrow_table()
