"""An independent checker of ``callscope roster build`` output.

Plain Python over the roster CSV (``employee,day,shift,date,template,start,end,
paid_hours``) and the rules written out by the test, sharing no code with callscope's
contracts reader, roster model or solver: dates and times are compared as
:class:`datetime` objects, runs are counted over calendar dates. Conventions (the
roster's, from the benchmark): a run of worked days or of days off that touches the
first or the last day of the horizon is never too short; a weekend (Saturday-Sunday)
counts when either day is worked; rest is from a shift's end to the next one's start.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path


@dataclass
class Rules:
    """One agent's hard rules over the whole horizon (``None``: no limit)."""

    max_hours: float | None = None
    min_hours: float = 0.0
    max_days_in_a_row: int | None = None
    min_days_in_a_row: int = 1
    min_days_off_in_a_row: int = 1
    max_weekends: int | None = None
    min_rest_h: float = 0.0
    templates: set[str] | None = None
    days_off: set[date] = field(default_factory=set)
    time_off: list[tuple[datetime, datetime]] = field(default_factory=list)


@dataclass
class Request:
    agent: str
    day: date
    template: str  # "*": any shift
    weight: int
    on: bool


@dataclass
class Shift:
    agent: str
    shift: str
    template: str
    start: datetime
    end: datetime
    paid_h: float


def read_roster(path: Path) -> list[Shift]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        Shift(
            r["employee"],
            r["shift"],
            r["template"],
            datetime.fromisoformat(r["start"]),
            datetime.fromisoformat(r["end"]),
            float(r["paid_hours"]),
        )
        for r in rows
    ]


def _runs(flags: list[bool]) -> list[tuple[bool, int, int]]:
    out: list[tuple[bool, int, int]] = []
    for i, f in enumerate(flags):
        if out and out[-1][0] == f:
            out[-1] = (f, out[-1][1], out[-1][2] + 1)
        else:
            out.append((f, i, 1))
    return out


def violations(shifts: list[Shift], rules: dict[str, Rules], first: date, days: int) -> list[str]:
    """Every hard rule the roster breaks, one line each."""
    bad: list[str] = []
    dates = [first + timedelta(days=d) for d in range(days)]
    by_agent: dict[str, list[Shift]] = {}
    for s in shifts:
        if s.agent not in rules:
            bad.append(f"unknown agent {s.agent}")
            continue
        by_agent.setdefault(s.agent, []).append(s)
    for agent, r in rules.items():
        mine = sorted(by_agent.get(agent, []), key=lambda s: s.start)
        worked: dict[date, Shift] = {}
        for s in mine:
            d = s.start.date()
            if d in worked:
                bad.append(f"{agent}: two shifts on {d}")
            if not first <= d < first + timedelta(days=days):
                bad.append(f"{agent}: a shift on {d}, outside the horizon")
            worked[d] = s
            if r.templates is not None and s.template not in r.templates:
                bad.append(f"{agent}: works {s.template} on {d}")
            for off in r.days_off:
                lo = datetime.combine(off, datetime.min.time())
                if s.start < lo + timedelta(days=1) and lo < s.end:
                    bad.append(f"{agent}: works into the day off {off}")
            for a, b in r.time_off:
                if s.start < b and a < s.end:
                    bad.append(f"{agent}: works in time off {a}-{b}")
        for s, t in zip(mine, mine[1:], strict=False):
            rest_h = (t.start - s.end).total_seconds() / 3600
            if rest_h < r.min_rest_h - 1e-9:
                bad.append(f"{agent}: {rest_h:g} h rest before {t.start}")
        hours = sum(s.paid_h for s in mine)
        if r.max_hours is not None and hours > r.max_hours + 1e-6:
            bad.append(f"{agent}: {hours:g} paid h > {r.max_hours:g}")
        if hours < r.min_hours - 1e-6:
            bad.append(f"{agent}: {hours:g} paid h < {r.min_hours:g}")
        flags = [d in worked for d in dates]
        for on, start, n in _runs(flags):
            inner = start > 0 and start + n < days
            if on and r.max_days_in_a_row is not None and n > r.max_days_in_a_row:
                bad.append(f"{agent}: {n} days in a row from {dates[start]}")
            if on and inner and n < r.min_days_in_a_row:
                bad.append(f"{agent}: only {n} days in a row from {dates[start]}")
            if not on and inner and n < r.min_days_off_in_a_row:
                bad.append(f"{agent}: only {n} days off in a row from {dates[start]}")
        if r.max_weekends is not None:
            weeks = {d.isocalendar()[:2] for d in dates if d.weekday() >= 5 and d in worked}
            if len(weeks) > r.max_weekends:
                bad.append(f"{agent}: {len(weeks)} weekends > {r.max_weekends}")
    return bad


def objective(
    shifts: list[Shift],
    required: dict[tuple[date, str], int],
    requests: list[Request],
    *,
    under_per_hour: float,
    over_per_hour: float,
    template_hours: dict[str, float],
    below_half_per_hour: float | None = None,
) -> int:
    """Cover shortfall and excess per (date, shift ``TEMPLATE@HH:MM``) times the weight
    per agent-hour of that shift (its template's length start to end, rounded to whole
    units per shift, at least 1 for the shortfall), plus the shortfall below half the
    wanted count (rounded down) times ``below_half_per_hour`` (default: the under
    weight), plus the weights of unmet requests."""
    half_w = under_per_hour if below_half_per_hour is None else below_half_per_hour
    count: dict[tuple[date, str], int] = {}
    for s in shifts:
        key = (s.start.date(), s.shift)
        count[key] = count.get(key, 0) + 1
        assert (s.end - s.start).total_seconds() / 3600 == template_hours[s.template]
    total = 0
    for key in set(required) | set(count):
        need, n = required.get(key, 0), count.get(key, 0)
        h = template_hours[key[1].split("@")[0]]
        total += max(0, need - n) * max(1, round(under_per_hour * h))
        total += max(0, n - need) * round(over_per_hour * h)
        if need // 2 >= 1 and half_w > 0:
            total += max(0, need // 2 - n) * max(1, round(half_w * h))
    worked = {(s.agent, s.start.date()): s.template for s in shifts}
    for q in requests:
        t = worked.get((q.agent, q.day))
        hit = t is not None and (q.template == "*" or t == q.template)
        if hit != q.on:
            total += q.weight
    return total
