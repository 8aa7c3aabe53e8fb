"""The center's local time of stored times, across changes of clocks (DST).

Stored times are wall-clock times at the row's ``utc_offset_s`` (``model/tables.py``),
so each is an instant: ``instant = ts - utc_offset_s``. A report puts a row in the
bucket of the **center's local time of that instant** (settings ``timezone``):

    local(instant) = instant + offset(instant)

where ``offset`` is the zone's UTC offset at the instant, a step function that changes
at the zone's transitions (read from the IANA database through :mod:`zoneinfo`). It is
written as a ``CASE`` over the transitions of the years asked for, which every engine
runs (DuckDB and Spark alike), so the rule has one definition. A row stored without an
offset (a source of wall-clock times) is taken at the zone's offset at that wall time,
the earlier one on a fall-back night (``fold=0``, as :mod:`datetime` does).

On a fall-back night (Europe/Warsaw, 25 October 2026: 03:00 CEST becomes 02:00 CET)
local 02:00-03:00 happens twice; the two hours are told apart by the offset, which
the ``interval`` grouping then carries as a key column ``utc_offset`` (``+02:00``,
``+01:00``): two intervals, in time order. On a spring-forward night (29 March 2026:
02:00 CET becomes 03:00 CEST) local 02:00-03:00 never happens and has no interval.

A zone with no transition in the years asked for (UTC, a fixed offset) needs none of
this: times are grouped as stored and no ``utc_offset`` column appears.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import ibis

__all__ = ["OFFSET_KEY", "ZoneRules", "format_offset", "row_offset", "zone_rules"]

#: The key column that tells apart the two local hours of a fall-back night.
OFFSET_KEY = "utc_offset"


def row_offset(t: Any) -> Any:
    """The ``utc_offset_s`` of table ``t``'s rows (null where a store predates it)."""
    if "utc_offset_s" in t.columns:
        return t.utc_offset_s
    return ibis.null().cast("int32")


def format_offset(seconds: int) -> str:
    """``7200`` -> ``"+02:00"``, ``-16200`` -> ``"-04:30"``.

    >>> format_offset(3600), format_offset(-16200), format_offset(0)
    ('+01:00', '-04:30', '+00:00')
    """
    sign = "-" if seconds < 0 else "+"
    m = abs(int(seconds)) // 60
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


@dataclass(frozen=True, slots=True)
class ZoneRules:
    """A zone's offsets over some years: ``first`` before the first transition, then
    ``(utc, offset)`` for each transition (a naive UTC instant and the offset from it
    on, seconds east)."""

    name: str
    first: int
    transitions: tuple[tuple[datetime, int], ...]

    def offset_at_wall(self, ts: Any) -> Any:
        """Ibis expression: the offset of a wall-clock time ``ts`` (the first of two on
        a fall-back night; a time skipped by a spring-forward takes the offset before)."""
        steps, before = [], self.first
        for t, o in self.transitions:
            # wall times from the transition's wall time in the old offset on have the
            # new offset (fall back: the repeated hour keeps the old one, fold=0)
            steps.append((t + timedelta(seconds=max(before, o)), o))
            before = o
        return self._case(ts, steps)

    def offset_at_utc(self, instant: Any) -> Any:
        """Ibis expression: the zone's offset (seconds) at a naive UTC ``instant``."""
        return self._case(instant, list(self.transitions))

    def _case(self, ts: Any, steps: list[tuple[datetime, int]]) -> Any:
        expr = ibis.literal(self.first, "int32")
        if not steps:
            return expr
        cases = [(ts >= ibis.literal(t, "timestamp"), ibis.literal(o, "int32")) for t, o in steps]
        return ibis.cases(*reversed(cases), else_=expr)

    def local(self, ts: Any, offset: Any | None) -> tuple[Any, Any]:
        """``(local time, its offset)`` of stored times ``ts`` written at ``offset``."""
        wall = self.offset_at_wall(ts)
        off = wall if offset is None else offset.coalesce(wall)
        instant = ts - off.cast("int64").as_interval("s")
        at = self.offset_at_utc(instant)
        return instant + at.cast("int64").as_interval("s"), at

    def day_intervals(self, day: date, minutes: int) -> Iterator[tuple[datetime, int]]:
        """The local intervals of ``day``, in time order, as ``(local start, offset)``:
        24 hours' worth, 25 on a fall-back day (the repeated hour twice), 23 on a
        spring-forward day."""
        tz = zoneinfo.ZoneInfo(self.name)
        start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
        nxt = day + timedelta(days=1)
        end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
        step = timedelta(minutes=minutes)
        t = start
        while t < end:
            loc = t.astimezone(tz)
            off = loc.utcoffset()
            yield loc.replace(tzinfo=None, fold=0), int(off.total_seconds()) if off else 0
            t += step


def zone_rules(name: str | None, first_year: int, last_year: int) -> ZoneRules | None:
    """The rules of zone ``name`` for the years ``first_year``..``last_year``, or
    ``None`` when its offset does not change in them (nothing to do)."""
    if not name:
        return None
    return _rules(name, first_year, last_year)


@lru_cache(maxsize=64)
def _rules(name: str, first_year: int, last_year: int) -> ZoneRules | None:
    tz = zoneinfo.ZoneInfo(name)
    t = datetime(first_year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    first = _offset(tz, t)
    prev, out = first, []
    day, quarter = timedelta(days=1), timedelta(minutes=15)  # zones change on quarters
    while t < end:
        if _offset(tz, t + day) != prev:
            q = t
            while q < t + day:
                q += quarter
                if (o := _offset(tz, q)) != prev:
                    out.append((q.replace(tzinfo=None), o))
                    prev = o
        t += day
    return ZoneRules(name, first, tuple(out)) if out else None


def _offset(tz: zoneinfo.ZoneInfo, t: datetime) -> int:
    off = t.astimezone(tz).utcoffset()
    return int(off.total_seconds()) if off else 0
