"""How long each table keeps its rows, and the cut-off that follows from now.

A period is a number and a calendar unit: ``90 days``, ``8 weeks``, ``25 months``,
``2 years``, or ``forever``. Months and years are calendar ones: 25 months before
31 March 2027 is 28 February 2025 (the last day the month has), not 760 days.

>>> from datetime import datetime
>>> parse_period("25 months"), parse_period("90d"), parse_period("forever")
((25, 'months'), (90, 'days'), None)
>>> cutoff(datetime(2027, 3, 31, 12), (25, "months"))
datetime.datetime(2025, 2, 28, 12, 0)
>>> cutoff(datetime(2027, 3, 31, 12), (90, "days"))
datetime.datetime(2026, 12, 31, 12, 0)
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta

from callscope.errors import CallscopeError

__all__ = ["FOREVER", "Period", "cutoff", "format_period", "parse_period"]

Period = tuple[int, str] | None
FOREVER = None
_UNITS = {
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "mo": "months",
    "month": "months",
    "months": "months",
    "y": "years",
    "year": "years",
    "years": "years",
}


def parse_period(text: str) -> Period:
    """``"25 months"`` -> ``(25, "months")``; ``"forever"`` (or ``never``) -> ``None``."""
    t = str(text).strip().lower()
    if t in ("forever", "never", "keep", ""):
        return None
    m = re.fullmatch(r"(\d+)\s*([a-z]+)", t)
    if not m or m.group(2) not in _UNITS or int(m.group(1)) <= 0:
        raise CallscopeError(
            f"cannot read the period {text!r}; write e.g. 90 days, 8 weeks, 25 months, "
            "2 years or forever"
        )
    return int(m.group(1)), _UNITS[m.group(2)]


def format_period(period: Period) -> str:
    """The period as the settings write it."""
    return "forever" if period is None else f"{period[0]} {period[1]}"


def cutoff(now: datetime, period: Period) -> datetime | None:
    """The earliest time a row may have and still be kept (``None``: keep everything)."""
    if period is None:
        return None
    n, unit = period
    if unit == "days":
        return now - timedelta(days=n)
    if unit == "weeks":
        return now - timedelta(weeks=n)
    months = n if unit == "months" else 12 * n
    y, m = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, calendar.monthrange(y, m + 1)[1])
    return now.replace(year=y, month=m + 1, day=day)
