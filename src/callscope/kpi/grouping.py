"""Groupings: the ``--by`` words, their key columns, and span splitting.

Every KPI family first builds a *frame*: one row per measured thing (a contact, a
piece of a logged-in session, a survey answer ...) with four standard anchor columns

* ``_ts``      the time that decides the bucket (queue entry for queue-side KPIs,
               answer time for agent-side KPIs, the piece start for state spans),
* ``_queue``, ``_channel``, ``_agent``  (null where the family has no such notion),

and :func:`add_keys` turns those into the group key columns named like the ``--by``
words: ``month``, ``week``, ``day`` (dates; weeks start on Monday), ``interval_start``
(timestamp), ``queue``, ``channel``, ``agent`` and ``team`` (from the ``agents`` table),
and the profile keys ``weekday`` (ISO day number, 1 = Monday ... 7 = Sunday) and ``hour``
(0-23) of the same time: ``--by weekday,hour`` is the week's heat map, every Monday
09:00-10:00 of the period in one row. Spans (sessions, schedules) are split at the hour
or the day for them, as for ``interval`` and ``day``.

Which rows appear (:func:`complete_days`): a group appears when anything happened in it
- a contact arrived (offered or not), an agent was logged in or busy, a schedule, a
survey, a message, an order. With ``interval``, a day on which anything happened (for a
group of the other keys: a queue, an agent ...) is shown **whole**: every interval of
that day, inside the period asked for, with counts 0 and ratios empty where nothing
happened, so night intervals appear for every hour or for none. A day on which nothing
happened at all is not shown: a closed day and a gap in the data cannot be told apart,
and zeros would claim the center was open and idle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from callscope.errors import CallscopeError
from callscope.kpi.localtime import OFFSET_KEY, ZoneRules

__all__ = [
    "BY_WORDS",
    "DIMENSIONS",
    "PROFILE_KEYS",
    "TIME_KEYS",
    "add_keys",
    "bucket_step_minutes",
    "complete_days",
    "parse_by",
    "seconds_between",
    "sort_keys",
    "split_spans",
]

#: ``--by`` word -> key column name.
BY_WORDS = {
    "month": "month",
    "week": "week",
    "day": "day",
    "interval": "interval_start",
    "queue": "queue",
    "channel": "channel",
    "agent": "agent",
    "team": "team",
    "weekday": "weekday",
    "hour": "hour",
}
#: Time keys, finest last.
TIME_KEYS = ("month", "week", "day", "interval_start")
#: Profile keys: a time's day of the week (1 = Monday) and hour of the day.
PROFILE_KEYS = ("weekday", "hour")
#: Non-time keys and the anchor column each needs (team needs the agent).
DIMENSIONS = {"queue": "_queue", "channel": "_channel", "agent": "_agent", "team": "_agent"}


def parse_by(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"interval,queue"`` -> ``("interval_start", "queue")``; empty -> ``()`` (totals).

    >>> parse_by("day, agent")
    ('day', 'agent')
    """
    if text is None:
        return ()
    words = text.split(",") if isinstance(text, str) else list(text)
    keys: list[str] = []
    for w in (w.strip().lower() for w in words):
        if not w or w in ("total", "none"):
            continue
        if w not in BY_WORDS and w not in BY_WORDS.values():
            raise CallscopeError(
                f"unknown --by word {w!r}; use any of {', '.join(BY_WORDS)} (comma-separated)"
            )
        key = BY_WORDS.get(w, w)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def bucket_step_minutes(keys: Sequence[str], interval_minutes: int) -> int | None:
    """How finely spans (sessions, schedules) must be split for these keys: the
    interval length (at most an hour with ``hour``), an hour for ``hour``, a day for
    day/week/month/weekday, or ``None`` (no time key: no split)."""
    if "interval_start" in keys:
        return interval_minutes if "hour" not in keys else min(interval_minutes, 60)
    if "hour" in keys:
        return 60
    if any(k in keys for k in ("day", "week", "month", "weekday")):
        return 1440
    return None


def _floor(ts: Any, minutes: int) -> Any:
    if minutes >= 1440:
        return ts.truncate("D")
    return ts.truncate("h") + ((ts.minute() // minutes) * minutes).as_interval("m")


def add_keys(
    frame: Any,
    keys: Sequence[str],
    interval_minutes: int,
    agents: Any | None,
    zone: ZoneRules | None = None,
) -> Any:
    """Add the group key columns to ``frame`` (see the module docstring).

    ``agents`` is the ``agents`` table (for ``team``); it may be ``None`` when ``team``
    is not among the keys. With ``zone`` (a zone whose clocks change), the time keys
    are of the center's local time of each row's instant (``_ts`` written at the
    row's ``_off``, where the frame has one) and ``utc_offset`` is the offset key
    (:mod:`callscope.kpi.localtime`).
    """
    cols: dict[str, Any] = {}
    ts = frame._ts
    if zone is not None and any(k in keys for k in (*TIME_KEYS, *PROFILE_KEYS)):
        ts, off = zone.local(ts, frame._off if "_off" in frame.columns else None)
        if OFFSET_KEY in keys:
            cols[OFFSET_KEY] = off
    for k in keys:
        if k == "month":
            cols[k] = ts.truncate("M").date()
        elif k == "week":
            cols[k] = ts.truncate("W").date()
        elif k == "day":
            cols[k] = ts.date()
        elif k == "interval_start":
            cols[k] = _floor(ts, interval_minutes)
        elif k == "weekday":
            cols[k] = (ts.day_of_week.index() + 1).cast("int8")
        elif k == "hour":
            cols[k] = ts.hour().cast("int8")
        elif k in ("queue", "channel", "agent"):
            cols[k] = frame[DIMENSIONS[k]]
    out = frame.mutate(**cols) if cols else frame
    if "team" in keys:
        if agents is None:
            raise CallscopeError("--by team needs the agents table")
        teams = agents.select(_team_agent=agents.agent, team=agents.team).distinct(
            on="_team_agent", keep="first"
        )
        out = out.left_join(teams, out._agent == teams._team_agent).drop("_team_agent")
    return out


def split_spans(t: Any, start: str, end: str, step_minutes: int | None) -> Any:
    """Split each span ``[start, end)`` of ``t`` at bucket boundaries.

    Returns ``t`` with ``_piece_start``, ``_piece_end`` and ``_piece_s`` (seconds, exact
    to the microsecond) added, one row per piece; spans of zero length disappear.
    With ``step_minutes=None`` every span is one piece.
    """
    s, e = t[start], t[end]
    if step_minutes is None:
        out = t.filter(e > s).mutate(_piece_start=s, _piece_end=e)
    else:
        step = ibis.interval(minutes=step_minutes)
        out = t.filter(e > s).mutate(_b=ibis.range(_floor(s, step_minutes), e, step)).unnest("_b")
        out = out.mutate(
            _piece_start=ibis.greatest(out[start], out._b),
            _piece_end=ibis.least(out[end], out._b + step),
        ).drop("_b")
    return out.mutate(_piece_s=seconds_between(out._piece_start, out._piece_end))


def seconds_between(start: Any, end: Any) -> Any:
    """``end - start`` in seconds, float, exact to the microsecond on every engine.

    Whole seconds since the epoch (DuckDB's ``epoch`` keeps the fraction, Spark's drops
    it: both are floored) plus the microsecond fields, subtracted separately so the
    difference does not lose precision to the size of the epoch values.
    """
    whole = _whole_seconds(end) - _whole_seconds(start)
    return whole + (_micros(end) - _micros(start)) / 1e6


def _whole_seconds(ts: Any) -> Any:
    return ts.epoch_seconds().cast("float64").floor().cast("float64")


def _micros(ts: Any) -> Any:
    return ts.strftime("%f").cast("int64").cast("float64")


def complete_days(
    table: pa.Table,
    keys: Sequence[str],
    interval_minutes: int,
    zero_columns: Sequence[str],
    start: datetime | None = None,
    end: datetime | None = None,
    zone: ZoneRules | None = None,
) -> pa.Table:
    """Add the missing intervals of every day that has a row (module docstring).

    For each combination of the non-time keys and each day among its rows, every
    ``interval_minutes`` interval of the day overlapping ``[start, end)`` gets a row;
    the added rows hold 0 in ``zero_columns`` (counts) and null elsewhere. With
    ``zone`` (and its ``utc_offset`` key), a day's intervals are its local ones: the
    repeated hour of a fall-back day twice, the skipped hour of a spring-forward day
    not at all. The result is sorted by ``keys`` (nulls first; the earlier of two
    equal local times, the larger offset, first). Without an ``interval_start`` key,
    ``table`` is returned as it is.
    """
    if "interval_start" not in keys or table.num_rows == 0:
        return table
    with_offset = zone is not None and OFFSET_KEY in keys
    step = timedelta(minutes=interval_minutes)
    others = [k for k in keys if k not in TIME_KEYS and k != OFFSET_KEY]
    stamps = table.column("interval_start").to_pylist()
    offsets = table.column(OFFSET_KEY).to_pylist() if with_offset else [None] * len(stamps)
    combos = list(zip(*(table.column(k).to_pylist() for k in others), strict=True))
    if not others:
        combos = [()] * table.num_rows
    present = {
        (combo, _naive(ts), off) for combo, ts, off in zip(combos, stamps, offsets, strict=True)
    }
    midnights = {
        (combo, ts.replace(hour=0, minute=0, second=0, microsecond=0))
        for combo, ts, _ in present
        if ts is not None
    }
    missing: list[tuple[tuple[Any, ...], datetime, int | None]] = []
    for combo, midnight in midnights:
        if with_offset and zone is not None:
            day: Any = zone.day_intervals(midnight.date(), interval_minutes)
        else:
            day = ((midnight + j * step, None) for j in range(1440 // interval_minutes))
        for b, off in day:
            if (start is not None and b + step <= start) or (end is not None and b >= end):
                continue
            if (combo, b, off) not in present:
                missing.append((combo, b, off))
    if not missing:
        return table
    n = len(missing)
    cols: dict[str, Any] = {}
    for name in table.column_names:
        typ = table.schema.field(name).type
        if name == "interval_start":
            values: Any = [b for _, b, _ in missing]
        elif name == OFFSET_KEY and with_offset:
            values = [off for _, _, off in missing]
        elif name in others:
            i = others.index(name)
            values = [combo[i] for combo, _, _ in missing]
        elif name in TIME_KEYS:
            values = [_time_key(name, b.date()) for _, b, _ in missing]
        elif name in zero_columns:
            values = [0] * n
        else:
            values = [None] * n
        cols[name] = pa.array(values, type=typ)
    out = pa.concat_tables([table, pa.table(cols, schema=table.schema)])
    return sort_keys(out, keys)


def sort_keys(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    """``table`` sorted by ``keys``, nulls first, a larger ``utc_offset`` first (of two
    equal local times, the one with the larger offset happened first)."""
    order = pc.sort_indices(
        table,
        sort_keys=[(k, "descending" if k == OFFSET_KEY else "ascending", "at_start") for k in keys],
    )
    return table.take(order)


def _naive(ts: datetime) -> datetime:
    """``ts`` without a zone (engines in UTC may return zone-aware times)."""
    return ts.replace(tzinfo=None)


def _time_key(key: str, day: date) -> date:
    if key == "month":
        return day.replace(day=1)
    if key == "week":
        return day - timedelta(days=day.weekday())
    return day
