"""What a forecast stands on: the days of history used, the gaps in it, the horizon.

A **gap** is a run of days without a single contact on days the center is open, longer
than ``gap_days`` (7) such open days. Open days come from the opening hours learned from
the history (:class:`~callscope.forecast.series.OpenHours`: a weekday with no open
interval is closed) and the closed special days; closed days inside a run neither end it
nor count towards it. A gap is reported by the last day with contacts before it and the
first day after it, e.g. Anonymous Bank's three files (January, February, October 1999)
have the gap 1999-02-28 .. 1999-10-01: 214 days without contacts.

What the model does with a long gap (:func:`plan_history`): the days of a gap are
unknown, never zero calls.

* By default it fits on the history on both sides of the gap and leaves the gap's days
  out of the series, as if the center had been closed: the weekday levels and intraday
  profiles then come from the most recent ordinary days, old and new.
* Only when the history after the **last** long gap is at least ``min_days`` (168,
  24 weeks: the longest look-back of our models, ``DailyProfile(level_weeks=24)``) long
  does it fit on that part alone; older history would no longer change the levels.

Why: on Anonymous Bank's 1999 arrivals (all queues, 30-minute intervals) with March to
September removed, nine weekly origins from 29 October to 24 December give a pooled
WAPE of 20.1 % leaving the gap out, 21.0 % fitting on the history after the gap alone
(from 28 days on), 20.1 % treating the gap as zero calls (what the forecaster did
before: the day-level models skip days without contacts anyway) and 18.9 % on the full
year. Zeros are wrong for the week-mean models, though: five weeks after a gap an
8-week mean of zeros-and-weeks forecasts 5/8 of the level. Either way the run says
which days it used and warns in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

__all__ = [
    "GAP_DAYS",
    "MIN_DAYS",
    "Coverage",
    "Gap",
    "HistoryPlan",
    "find_gaps",
    "gap_warning",
    "plan_history",
]

#: A run of more than this many open days without contacts is a gap.
GAP_DAYS = 7
#: The history after the last gap must be this many days long to be used alone (24
#: weeks, the longest look-back of our models).
MIN_DAYS = 168

_EPOCH = date(1970, 1, 1)


def _date(day: int) -> date:
    return _EPOCH + timedelta(days=int(day))


def _day(d: date) -> int:
    return (d - _EPOCH).days


@dataclass(frozen=True)
class Gap:
    """A run of open days without contacts, between two days with contacts.

    ``last_before`` is the last day with contacts before it, ``first_after`` the first
    day with contacts after it (the forecast origin's day when the history ends in the
    gap), ``days`` the calendar days strictly between them and ``open_days`` how many
    of those the opening hours say were open.
    """

    last_before: date
    first_after: date
    days: int
    open_days: int

    @property
    def size(self) -> str:
        """The gap's length in words: ``7-month``, ``3-week``, ``10-day``.

        >>> Gap(date(1999, 2, 28), date(1999, 10, 1), 214, 214).size
        '7-month'
        """
        if self.days >= 60:
            return f"{round(self.days / 30.44)}-month"
        if self.days >= 14:
            return f"{round(self.days / 7)}-week"
        return f"{self.days}-day"


@dataclass(frozen=True)
class HistoryPlan:
    """Which days of one series' history the model uses.

    ``data_first``: first day with contacts before the origin; ``first``: first day the
    model uses (``data_first``, or the first day after the last long gap); ``gaps``:
    the long gaps of the whole history, oldest first; ``left_out``: day numbers (days
    since 1970-01-01) inside the used history that the series leaves out (the days of
    gaps the model could not start after).
    """

    data_first: date
    first: date
    origin: date
    gaps: tuple[Gap, ...]
    left_out: np.ndarray
    min_days: int

    @property
    def after_last_gap(self) -> bool:
        """True when the model uses only the history after the last long gap."""
        return bool(self.gaps) and self.first == self.gaps[-1].first_after

    @property
    def days(self) -> int:
        """Days of history used: the first to the day before the origin, without the
        days left out."""
        return (self.origin - self.first).days - int(self.left_out.size)

    def used_days(self) -> np.ndarray:
        """Day numbers (days since 1970-01-01) of the history used."""
        span = np.arange(_day(self.first), _day(self.origin), dtype=np.int64)
        return span[~np.isin(span, self.left_out)]


def find_gaps(
    contact_days: Iterable[int],
    origin_day: int,
    open_weekdays: npt.ArrayLike,
    closed_days: Iterable[int] = (),
    gap_days: int = GAP_DAYS,
) -> tuple[Gap, ...]:
    """The runs of more than ``gap_days`` open days without contacts before the origin.

    ``contact_days`` are day numbers (days since 1970-01-01) with at least one contact,
    ``open_weekdays[w]`` whether weekday ``w`` (Monday 0) is open, ``closed_days`` day
    numbers closed all day (holidays). A history that ends in a run without contacts
    before ``origin_day`` has a last gap whose ``first_after`` is the origin's day.

    >>> jan, feb_28, oct_1 = _day(date(1999, 1, 1)), _day(date(1999, 2, 28)), _day(date(1999, 10, 1))
    >>> days = [*range(jan, feb_28 + 1), *range(oct_1, oct_1 + 31)]
    >>> find_gaps(days, oct_1 + 31, [True] * 7)
    (Gap(last_before=datetime.date(1999, 2, 28), first_after=datetime.date(1999, 10, 1), days=214, open_days=214),)
    >>> weekdays = [True] * 5 + [False] * 2  # Saturday and Sunday closed
    >>> find_gaps([0, 1, 4, 14], 15, weekdays)  # 7 open days missing: no gap
    ()
    >>> find_gaps([0, 1, 4, 15], 16, weekdays)  # Tue 6 .. Thu 15 January: 8 open days
    (Gap(last_before=datetime.date(1970, 1, 5), first_after=datetime.date(1970, 1, 16), days=10, open_days=8),)
    """
    d = np.unique(np.asarray(list(contact_days), dtype=np.int64))
    d = d[d < origin_day]
    if d.size == 0:
        return ()
    ends = np.append(d, origin_day)
    is_open = np.asarray(open_weekdays, dtype=bool)
    closed = np.asarray(sorted(set(closed_days)), dtype=np.int64)
    out = []
    for a, b in zip(ends[:-1], ends[1:], strict=True):
        if b - a - 1 <= gap_days:  # not even that many calendar days
            continue
        between = np.arange(a + 1, b)
        opened = is_open[(between + 3) % 7] & ~np.isin(between, closed)
        n_open = int(opened.sum())
        if n_open > gap_days:
            out.append(Gap(_date(a), _date(b), int(b - a - 1), n_open))
    return tuple(out)


def plan_history(
    contact_days: Iterable[int],
    origin_day: int,
    open_weekdays: npt.ArrayLike,
    closed_days: Iterable[int] = (),
    *,
    gap_days: int = GAP_DAYS,
    min_days: int = MIN_DAYS,
) -> HistoryPlan:
    """Which days the model uses (see the module docstring for the rule)."""
    d = np.unique(np.asarray(list(contact_days), dtype=np.int64))
    d = d[d < origin_day]
    gaps = find_gaps(d, origin_day, open_weekdays, closed_days, gap_days)
    first = _date(d[0]) if d.size else _date(origin_day)
    origin = _date(origin_day)
    start = first
    if gaps and (origin - gaps[-1].first_after).days >= min_days:
        start = gaps[-1].first_after
    left: list[np.ndarray] = []
    for g in gaps:
        if g.last_before >= start:
            left.append(np.arange(_day(g.last_before) + 1, _day(g.first_after)))
    left_out = np.concatenate(left) if left else np.zeros(0, np.int64)
    return HistoryPlan(first, start, origin, gaps, left_out, min_days)


def gap_warning(gap: Gap, plan: HistoryPlan) -> str:
    """One line on a gap and what the model did about it.

    >>> g = Gap(date(1999, 2, 28), date(1999, 10, 1), 214, 214)
    >>> left_out = HistoryPlan(date(1999, 1, 1), date(1999, 1, 1), date(1999, 11, 1), (g,),
    ...                        np.arange(10651, 10865), 168)
    >>> print(gap_warning(g, left_out))
    history has a 7-month gap: 1999-02-28 .. 1999-10-01 (214 days without contacts); the model fits on the history on both sides and leaves the gap out (the 31 days after it are under the 168 needed to stand alone)
    >>> after = HistoryPlan(date(1999, 1, 1), date(1999, 10, 1), date(1999, 11, 1), (g,),
    ...                     np.zeros(0), 28)
    >>> print(gap_warning(g, after))
    history has a 7-month gap: 1999-02-28 .. 1999-10-01 (214 days without contacts); the model uses only the 31 days after it (1999-10-01 .. 1999-10-31)
    """
    head = (
        f"history has a {gap.size} gap: {gap.last_before} .. {gap.first_after} "
        f"({gap.days} days without contacts)"
    )
    if gap.first_after == plan.origin:
        return (
            f"{head}; the history ends {gap.days} days before the forecast starts, so the "
            "forecast carries forward a level that old"
        )
    last_day = plan.origin - timedelta(days=1)
    if plan.after_last_gap:
        if gap is plan.gaps[-1]:
            return (
                f"{head}; the model uses only the {plan.days} days after it "
                f"({plan.first} .. {last_day})"
            )
        return f"{head}; the model does not use the history before the later gap"
    after = (plan.origin - plan.gaps[-1].first_after).days
    return (
        f"{head}; the model fits on the history on both sides and leaves the gap out "
        f"(the {after} days after {'it' if gap is plan.gaps[-1] else 'the last gap'} are "
        f"under the {plan.min_days} needed to stand alone)"
    )


@dataclass(frozen=True)
class Coverage:
    """What a forecast covers, for one queue x channel or for the whole run.

    ``history_first .. history_last``: the span of history the model used (the last is
    the day before the origin); ``history_days``: the days of that span it used (the
    days of a gap left out are not counted), ``contact_days`` of them with contacts; ``data_first``: the first day with contacts available (earlier than
    ``history_first`` when the model started after a gap); ``horizon_first`` and
    ``horizon_last``: the first and the last forecast interval (their starts);
    ``gaps``: the long gaps of the available history; ``warnings``: the same in words.
    """

    history_first: date
    history_last: date
    history_days: int
    contact_days: int
    data_first: date
    horizon_first: datetime
    horizon_last: datetime
    gaps: tuple[Gap, ...]
    warnings: tuple[str, ...]

    @property
    def horizon_days(self) -> int:
        """Calendar days the forecast spans (first to last interval, both included)."""
        return (self.horizon_last.date() - self.horizon_first.date()).days + 1

    @property
    def used_after_gap(self) -> bool:
        """True when the history before a long gap was not used."""
        return self.history_first > self.data_first
