"""Interval series: loading, aggregation to 15/30/60-minute intervals, the calendar.

An :class:`IntervalSeries` holds only the **open** intervals of a queue, in time order:
closed hours and closed days are not zeros to be forecast but known gaps. The models see
the open intervals as one sequence (as in the published backtests of Weinberg, Brown and
Stroud, 2007) plus calendar features per interval (:func:`calendar_features`): the day
(days since 1970-01-01), the interval of the day and a special-day factor.

The open calendar (:class:`OpenHours`) says which interval of which weekday is open. For a
plain series file it is learned from which intervals appear; for the store (where an
interval without contacts is simply absent) from which intervals had contacts in enough
recent weeks. Holidays and special days are given by the user (:class:`SpecialDays`):
factor 0 closes a day, another factor scales its forecast, and special days in the
history are left out when patterns are estimated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from callscope.errors import CallscopeError, InputError

__all__ = [
    "IntervalSeries",
    "OpenHours",
    "SpecialDays",
    "aggregate",
    "calendar_features",
    "read_series_csv",
    "steps_per",
    "to_us",
]

US_PER_S = 1_000_000
DAY_S = 86_400


@dataclass(frozen=True)
class IntervalSeries:
    """The open intervals of one series: interval starts and values.

    ``start`` is ``datetime64[us]`` local wall-clock time, strictly increasing; ``y`` the
    volume (calls offered) per interval; ``interval_s`` the interval length in seconds.
    """

    start: np.ndarray
    y: np.ndarray
    interval_s: int

    def __len__(self) -> int:
        return int(self.y.size)

    def head(self, n: int) -> IntervalSeries:
        """The first ``n`` intervals (the history before a backtest origin)."""
        return IntervalSeries(self.start[:n], self.y[:n], self.interval_s)


def read_series_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a plain ``timestamp,volume`` CSV: the first two columns, whatever their names.

    Returns ``(timestamps as datetime64[us], volumes as float64)``. A missing file, fewer
    than two columns, an unparseable timestamp or a non-numeric volume is a
    :class:`~callscope.errors.InputError` naming the column and the first bad line.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"series file not found: {path}")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read as CSV ({e})") from None
    if df.shape[1] < 2:
        raise InputError(
            f"{path}: needs two columns, timestamp and volume; found "
            f"{df.shape[1]} ({', '.join(map(str, df.columns))})"
        )
    if df.shape[0] == 0:
        raise InputError(f"{path}: no rows")
    tcol, vcol = df.columns[0], df.columns[1]
    ts = pd.to_datetime(df[tcol].str.strip(), errors="coerce", format="mixed")
    bad = np.flatnonzero(ts.isna().to_numpy())
    if bad.size:
        raise InputError(
            f"{path}: column {tcol!r} (timestamp) cannot be parsed at line "
            f"{bad[0] + 2}: {df[tcol].iloc[bad[0]]!r}"
        )
    vol = pd.to_numeric(df[vcol].str.strip(), errors="coerce")
    bad = np.flatnonzero(vol.isna().to_numpy())
    if bad.size:
        raise InputError(
            f"{path}: column {vcol!r} (volume) is not a number at line "
            f"{bad[0] + 2}: {df[vcol].iloc[bad[0]]!r}"
        )
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts.to_numpy().astype("datetime64[us]"), vol.to_numpy(dtype=float)


def aggregate(ts: np.ndarray, y: np.ndarray, interval_s: int) -> IntervalSeries:
    """Sum values into intervals of ``interval_s`` seconds aligned to midnight.

    Only intervals that contain at least one input row appear (the others are closed).

    >>> t = np.array(["2024-01-01T08:00", "2024-01-01T08:10", "2024-01-01T09:00"],
    ...              dtype="datetime64[us]")
    >>> s = aggregate(t, np.array([1.0, 2.0, 4.0]), 1800)
    >>> s.start.astype(str).tolist(), s.y.tolist()
    (['2024-01-01T08:00:00.000000', '2024-01-01T09:00:00.000000'], [3.0, 4.0])
    """
    if DAY_S % interval_s:
        raise CallscopeError(f"the interval ({interval_s} s) must divide a day")
    us = np.asarray(ts, dtype="datetime64[us]").astype(np.int64)
    step = interval_s * US_PER_S
    b = us // step * step
    keys, inv = np.unique(b, return_inverse=True)
    sums = np.bincount(inv, weights=np.asarray(y, dtype=float), minlength=keys.size)
    return IntervalSeries(keys.astype("datetime64[us]"), sums, interval_s)


def calendar_features(
    start: np.ndarray, interval_s: int, special: SpecialDays | None = None
) -> np.ndarray:
    """Calendar features of interval starts, the models' exogenous columns.

    Returns a float array of shape ``(n, 3)``: day number (days since 1970-01-01; its
    weekday is ``(day + 3) % 7`` with Monday 0), interval of the day (0-based) and the
    special-day factor (1 on ordinary days).
    """
    us = np.asarray(start, dtype="datetime64[us]").astype(np.int64)
    day = us // (DAY_S * US_PER_S)
    slot = (us - day * DAY_S * US_PER_S) // (interval_s * US_PER_S)
    factor = np.ones(day.size)
    if special is not None and special.factors:
        for d, fac in special.factors.items():
            factor[day == _day_number(d)] = fac
    return np.column_stack([day, slot, factor]).astype(float)


def to_us(t: object) -> int:
    """Microseconds since the epoch of a timestamp (numpy, pandas or datetime)."""
    return int(np.asarray(t, dtype="datetime64[us]").astype(np.int64))


def _day_number(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def steps_per(start: np.ndarray, span_s: int) -> int:
    """Typical number of open intervals in ``span_s`` seconds (a horizon such as 7 days).

    The median count over consecutive windows of ``span_s`` ending at the last interval;
    for weekday-only 07:00-21:00 data at 30 minutes and a 7-day span this is 5 x 29 = 145.
    """
    us = np.asarray(start, dtype="datetime64[us]").astype(np.int64)
    if us.size == 0:
        return 0
    span = span_s * US_PER_S
    end = us[-1] + 1
    edges = np.arange(end, us[0] - span, -span)[::-1]
    if edges.size < 2:
        return int(us.size)
    counts = np.diff(np.searchsorted(us, edges))
    full = counts[counts > 0]
    return int(np.median(full)) if full.size else int(us.size)


@dataclass(frozen=True)
class SpecialDays:
    """Holidays and special days given by the user: date -> volume factor.

    Factor 0 means closed (no forecast, flagged closed); 0.5 means half the usual volume.
    Parsed from ``"2024-12-25"`` (closed) or ``"2024-12-24=0.5"``.

    >>> SpecialDays.parse(["2024-12-25", "2024-12-24=0.5"]).factors[date(2024, 12, 24)]
    0.5
    """

    factors: dict[date, float] = field(default_factory=dict)

    @classmethod
    def parse(cls, items: list[str] | None) -> SpecialDays:
        out: dict[date, float] = {}
        for item in items or []:
            for part in str(item).split(","):
                part = part.strip()
                if not part:
                    continue
                d, _, fac = part.partition("=")
                try:
                    day = date.fromisoformat(d.strip())
                    out[day] = float(fac) if fac else 0.0
                except ValueError:
                    raise CallscopeError(
                        f"cannot read the special day {part!r}: use YYYY-MM-DD (closed) "
                        "or YYYY-MM-DD=FACTOR"
                    ) from None
                if out[day] < 0:
                    raise CallscopeError(f"special day factor must be >= 0: {part!r}")
        return cls(out)

    def closed_days(self) -> set[int]:
        """Day numbers of the closed days."""
        return {_day_number(d) for d, f in self.factors.items() if f == 0}


@dataclass(frozen=True)
class OpenHours:
    """Which interval of which weekday is open: a ``(7, intervals_per_day)`` bool array.

    Row 0 is Monday. Learned by :meth:`learn` from the recent history, or declared by
    the center (:meth:`from_spans`, the settings' ``[hours]``).
    """

    open: np.ndarray
    interval_s: int

    @classmethod
    def from_spans(
        cls, spans: Sequence[Sequence[tuple[float, float]]], interval_s: int
    ) -> OpenHours:
        """Opening hours per weekday (Monday first), each a list of ``(open, close)``
        seconds after midnight: an interval is open when it starts inside one.

        >>> h = OpenHours.from_spans([[(8 * 3600, 20 * 3600)]] * 5 + [[], []], 3600)
        >>> h.open[0, 7:9].tolist(), h.open[0, 19:21].tolist(), bool(h.open[6].any())
        ([False, True], [True, False], False)
        """
        if len(spans) != 7:
            raise CallscopeError("opening hours need seven weekdays, Monday first")
        starts = np.arange(0, DAY_S, interval_s, dtype=np.float64)
        grid = np.zeros((7, starts.size), dtype=bool)
        for wd, day in enumerate(spans):
            for a, b in day:
                grid[wd] |= (starts >= a) & (starts < b)
        return cls(grid, int(interval_s))

    @classmethod
    def learn(
        cls,
        start: np.ndarray,
        y: np.ndarray,
        interval_s: int,
        *,
        weeks: int = 8,
        min_share: float = 0.25,
        need_volume: bool = False,
    ) -> OpenHours:
        """An interval of a weekday is open if it appeared (``need_volume``: with volume
        above zero) in at least ``min_share`` of the weeks of the last ``weeks`` weeks
        that have that weekday open at all."""
        spd = DAY_S // interval_s
        x = calendar_features(start, interval_s)
        day, slot = x[:, 0].astype(np.int64), x[:, 1].astype(np.int64)
        seen = np.asarray(y) > 0 if need_volume else np.ones(day.size, bool)
        recent = day > day.max() - 7 * weeks if day.size else day.astype(bool)
        wd = (day + 3) % 7
        hits = np.zeros((7, spd))
        np.add.at(hits, (wd[recent & seen], slot[recent & seen]), 1.0)
        days_open = np.zeros(7)
        for w in range(7):
            days_open[w] = np.unique(day[recent & seen & (wd == w)]).size
        share = np.divide(
            hits, days_open[:, None], out=np.zeros_like(hits), where=days_open[:, None] > 0
        )
        return cls(share >= min_share, interval_s)

    def grid(
        self, first: object, last: object, special: SpecialDays | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every interval start in ``[first, last)`` and whether it is open.

        Closed means: closed hours of that weekday, or a special day with factor 0.
        """
        step = self.interval_s * US_PER_S
        t = np.arange(to_us(first), to_us(last), step).astype("datetime64[us]")
        x = calendar_features(t, self.interval_s)
        day, slot = x[:, 0].astype(np.int64), x[:, 1].astype(np.int64)
        is_open = self.open[(day + 3) % 7, slot]
        if special is not None:
            closed = np.isin(day, list(special.closed_days()))
            is_open = is_open & ~closed
        return t, is_open
