"""Scheduling use cases: shift cover for a requirement, and adherence to the schedule.

:func:`cover` reads a requirement (``plan`` / ``staff`` output, or any CSV with
``interval_start`` and a count of agents) and a shift file (a TOML template file or a
0/1 coverage matrix), builds the horizon (the requirement's days, its interval, the
center's opening hours) and calls :func:`callscope.schedule.cover.solve_cover`.
Requirement rows are matched to the shifts by their time of day; rows of several queues
in one interval add up (one pool of agents works the schedule).

:func:`adherence` reads ``schedules`` and ``agent_states`` from the store and runs
:func:`callscope.schedule.adherence.agent_day` for every agent, then groups the days.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from callscope.schedule.cover import CoverResult, Horizon
    from callscope.schedule.templates import ShiftSet

__all__ = [
    "ADHERENCE_KEYS",
    "AdherenceRequest",
    "AdherenceResult",
    "CoverRequest",
    "CoverSchedule",
    "REQUIREMENT_COLUMNS",
    "adherence",
    "cover",
]

#: Columns a requirement's agents may come from, in order of preference.
REQUIREMENT_COLUMNS = ("scheduled_agents", "agents", "required")
_DAY_MIN = 1440.0


@dataclass(frozen=True)
class CoverRequest:
    """Cover ``requirement`` (CSV) with the shifts of ``shifts`` (``.toml`` templates,
    else a CSV coverage matrix); ``costs`` replaces the shifts' costs (one per shift,
    ``252,288,...``); ``column`` picks the requirement's agents column (default: the
    first of :data:`REQUIREMENT_COLUMNS` present); ``chart`` draws required against
    scheduled per interval to that file."""

    requirement: Path
    shifts: Path
    costs: str | None = None
    column: str | None = None
    time_limit_s: float = 60.0
    chart: Path | None = None


@dataclass(frozen=True)
class CoverSchedule:
    """The schedule and its quality. ``schedule``: one row per shift (``shift,
    template, day, start, end, hours, paid_hours, cost, breaks``); ``coverage``: one row
    per interval (``interval_start, required, scheduled, under, over``);
    ``activities``: the shifts cut into ``work`` and their breaks (``shift, activity,
    start, end``), what a timeline draws."""

    result: CoverResult
    schedule: pa.Table
    coverage: pa.Table
    activities: pa.Table
    requirement_column: str
    source: str
    notes: tuple[str, ...] = ()

    @property
    def unmet(self) -> list[dict[str, Any]]:
        """Intervals left short: start and agents missing."""
        labels = self.coverage.column("interval_start").to_pylist()
        return [
            {"interval_start": labels[i], "short": float(self.result.under[i])}
            for i in self.result.unmet
        ]

    def as_dict(self) -> dict[str, Any]:
        """The JSON summary: ``cost``, ``lp_bound``, ``gap``, ``counts`` per shift,
        ``coverage`` per interval and the rest of what was found."""
        r = self.result
        fw = r.horizon.first_weekday
        return {
            "cost": r.cost,
            "objective": r.objective,
            "lp_bound": r.lp_bound,
            "bound": r.bound,
            "gap": r.gap,
            "status": r.status,
            "seconds": r.seconds,
            "shifts": int(r.counts.sum()),
            "counts": r.counts_by_template(),
            "patterns": [
                {"pattern": p.label(fw), "day": p.day, "count": int(n), "cost": p.cost}
                for p, n in zip(r.patterns, r.counts, strict=True)
                if n > 0
            ],
            "under_agent_hours": float(r.under.sum()) * r.horizon.slot_min / 60.0,
            "over_agent_hours": float(r.over.sum()) * r.horizon.slot_min / 60.0,
            "under_weight": r.under_weight,
            "over_weight": r.over_weight,
            "unmet": self.unmet,
            "coverage": [
                {k: row[k] for k in ("interval_start", "required", "scheduled")}
                for row in self.coverage.to_pylist()
            ],
            "requirement_column": self.requirement_column,
            "source": self.source,
            "notes": list(self.notes),
        }


# -- reading the inputs ------------------------------------------------------------------


def _text(path: Path, field: str, what: str) -> str:
    path = Path(path)
    if not path.exists():
        raise CallscopeError(f"{path} does not exist", field=field)
    if path.is_dir():
        raise CallscopeError(f"{path} is a folder; give {what}", field=field)
    data = path.read_bytes()
    if not data.strip():
        raise CallscopeError(f"{path} is empty; give {what}", field=field)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CallscopeError(
            f"cannot read {path}: it is not UTF-8 text; save it as UTF-8", field=field
        ) from None


def read_shifts(path: Path) -> ShiftSet:
    """A shift file: ``.toml`` templates, anything else a CSV coverage matrix."""
    from callscope.schedule.templates import read_matrix, read_templates

    text = _text(path, "shifts", "a coverage matrix (CSV) or a template file (TOML)")
    if Path(path).suffix.lower() == ".toml":
        return read_templates(text, str(path))
    return read_matrix(text, str(path))


def _when(value: Any, row: int) -> tuple[date | None, float]:
    """``(date or None, minute of the day)`` of an ``interval_start`` value."""
    if isinstance(value, datetime):
        return value.date(), value.hour * 60.0 + value.minute + value.second / 60.0
    text = "" if value is None else str(value).strip()
    try:
        ts = datetime.fromisoformat(text)
        return ts.date(), ts.hour * 60.0 + ts.minute + ts.second / 60.0
    except ValueError:
        pass
    try:
        t = time.fromisoformat(text)
        return None, t.hour * 60.0 + t.minute + t.second / 60.0
    except ValueError:
        raise CallscopeError(
            f"column 'interval_start', row {row + 1}: {text!r} is not a time; write "
            "2025-01-06 09:00 or 09:00",
            field="requirement",
        ) from None


def read_requirement(
    settings: Settings, path: Path, column: str | None = None
) -> tuple[Any, Horizon, list[str], date | None, str, list[str]]:
    """The requirement as agents per slot over whole days: ``(required, horizon,
    slot labels, first date or None, column used, notes)``. Slots no row names need
    no agent (the center is closed, or the plan left them out)."""
    import numpy as np

    from callscope.schedule.cover import Horizon
    from callscope.services.common import read_csv_table
    from callscope.settings import WEEKDAYS

    table = read_csv_table(path, "requirement", strings=("interval_start", "queue", "channel"))
    names = table.column_names
    if "interval_start" not in names:
        raise CallscopeError(
            "the requirement has no column 'interval_start'; give interval_start and "
            f"one of {', '.join(REQUIREMENT_COLUMNS)} (e.g. the output of `callscope staff`)",
            field="requirement",
        )
    if column is not None and column not in names:
        raise CallscopeError(f"the requirement has no column {column!r}", field="column")
    col = column or next((c for c in REQUIREMENT_COLUMNS if c in names), None)
    if col is None:
        raise CallscopeError(
            f"the requirement has no column of agents: give one of "
            f"{', '.join(REQUIREMENT_COLUMNS)}",
            field="requirement",
        )
    if table.num_rows == 0:
        raise CallscopeError(f"{path} has a header but no rows", field="requirement")
    values = table.column(col).to_pylist()
    starts = table.column("interval_start").to_pylist()
    when = [_when(v, i) for i, v in enumerate(starts)]
    dated = {d is None for d, _ in when}
    if len(dated) > 1:
        raise CallscopeError(
            "column 'interval_start' mixes dates and bare times; use one form",
            field="requirement",
        )
    for i, v in enumerate(values):
        try:
            ok = v is not None and math.isfinite(float(v)) and float(v) >= 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise CallscopeError(
                f"column {col!r}, row {i + 1}: {v!r}; agents are numbers >= 0",
                field="requirement",
            )
    notes = []
    if "interval_s" in names:
        iv = {float(x) for x in table.column("interval_s").to_pylist() if x is not None}
        if len(iv) != 1:
            raise CallscopeError("column 'interval_s' must hold one length", field="requirement")
        slot = iv.pop() / 60.0
    else:
        minutes = sorted({m for _, m in when})
        diffs = [b - a for a, b in zip(minutes, minutes[1:], strict=False) if b - a > 1e-9]
        slot = min(diffs) if diffs else settings.interval_s / 60.0
    if slot <= 0 or _DAY_MIN % slot > 1e-9:
        raise CallscopeError(
            f"intervals of {slot:g} minutes do not split a day; use 15, 30 or 60 minutes",
            field="requirement",
        )
    first = min((d for d, _ in when if d is not None), default=None)
    last = max((d for d, _ in when if d is not None), default=None)
    days = 1 if first is None or last is None else (last - first).days + 1
    per_day = int(round(_DAY_MIN / slot))
    required = np.zeros(days * per_day)
    for i, ((d, m), v) in enumerate(zip(when, values, strict=True)):
        k = m / slot
        if abs(k - round(k)) > 1e-6:
            raise CallscopeError(
                f"row {i + 1}: {starts[i]} does not start a {slot:g}-minute interval",
                field="requirement",
            )
        day = 0 if d is None or first is None else (d - first).days
        required[day * per_day + int(round(k))] += float(v)
    if "queue" in names and len(set(table.column("queue").to_pylist())) > 1:
        notes.append("several queues: their agents add up per interval (one pool)")
    first_weekday = first.weekday() if first is not None else 0
    if first is None:
        notes.append("the requirement has times but no dates: one day, taken as a Monday")
    closed = np.array(
        [
            not settings.is_open((first_weekday + k // per_day) % 7, (k % per_day) * slot * 60)
            for k in range(days * per_day)
        ]
    )
    if closed.any():
        shut = [d for d in WEEKDAYS if not settings.hours[d]]
        notes.append(
            "opening hours from the settings: templates work only while open"
            + (f" (closed: {', '.join(shut)})" if shut else "")
        )
    horizon = Horizon(days, slot, first_weekday, True, closed if closed.any() else None)
    labels = [_label(first, k * slot) for k in range(days * per_day)]
    return required, horizon, labels, first, col, notes


def _label(first: date | None, minute: float) -> str:
    """A time on the horizon: ``2025-01-06 09:00``, or ``09:00`` (``+1d`` past
    midnight) when the requirement has no dates."""
    if first is not None:
        return (datetime.combine(first, time()) + timedelta(minutes=minute)).strftime(
            "%Y-%m-%d %H:%M"
        )
    d, m = divmod(int(round(minute)), 1440)
    return f"{m // 60:02d}:{m % 60:02d}" + (f" +{d}d" if d else "")


def _day_label(first: date | None, first_weekday: int, day: int) -> str:
    from callscope.schedule.templates import DAY_NAMES

    if first is not None:
        return (first + timedelta(days=day)).isoformat()
    return DAY_NAMES[(first_weekday + day) % 7]


def _tables(
    r: CoverResult, shifts: ShiftSet, labels: list[str], first: date | None
) -> tuple[pa.Table, pa.Table, pa.Table]:
    import pyarrow as pa

    h = r.horizon
    rows: dict[str, list[Any]] = defaultdict(list)
    acts: dict[str, list[Any]] = defaultdict(list)
    for s in r.shifts:
        t = shifts.templates[r.patterns[s.pattern].template_index]
        length = r.patterns[s.pattern].length_min
        rows["shift"].append(s.number)
        rows["template"].append(s.template)
        rows["day"].append(_day_label(first, h.first_weekday, s.day))
        rows["start"].append(_label(first, s.start_min))
        rows["end"].append(_label(first, s.end_min))
        rows["hours"].append((s.end_min - s.start_min) / 60.0)
        rows["paid_hours"].append(t.paid_minutes(length) / 60.0)
        rows["cost"].append(s.cost)
        rows["breaks"].append(
            ", ".join(
                f"{b.name} {_label(first, b.start_min)}-{_label(first, b.end_min)}"
                for b in s.breaks
            )
        )
        work = t.work if t.work is not None else ((0.0, length),)
        pieces = [(s.start_min + a, s.start_min + b) for a, b in work]
        for b in s.breaks:  # cut the work around each break
            cut = []
            for a, e in pieces:
                if b.start_min >= e or b.end_min <= a:
                    cut.append((a, e))
                    continue
                if a < b.start_min:
                    cut.append((a, b.start_min))
                if b.end_min < e:
                    cut.append((b.end_min, e))
            pieces = cut
        spans = [(a, e, "work") for a, e in pieces] + [
            (b.start_min, b.end_min, b.name) for b in s.breaks
        ]
        for a, e, act in sorted(spans):
            acts["shift"].append(s.number)
            acts["activity"].append(act)
            acts["start"].append(_label(first, a))
            acts["end"].append(_label(first, e))
            acts["start_min"].append(a)
            acts["end_min"].append(e)
    schedule = pa.table(
        {
            "shift": pa.array(rows["shift"], pa.int64()),
            "template": pa.array(rows["template"], pa.string()),
            "day": pa.array(rows["day"], pa.string()),
            "start": pa.array(rows["start"], pa.string()),
            "end": pa.array(rows["end"], pa.string()),
            "hours": pa.array(rows["hours"], pa.float64()),
            "paid_hours": pa.array(rows["paid_hours"], pa.float64()),
            "cost": pa.array(rows["cost"], pa.float64()),
            "breaks": pa.array(rows["breaks"], pa.string()),
        }
    )
    coverage = pa.table(
        {
            "interval_start": pa.array(labels, pa.string()),
            "required": pa.array(r.required, pa.float64()),
            "scheduled": pa.array(r.scheduled, pa.float64()),
            "under": pa.array(r.under, pa.float64()),
            "over": pa.array(r.over, pa.float64()),
        }
    )
    activities = pa.table(
        {
            "shift": pa.array(acts["shift"], pa.int64()),
            "activity": pa.array(acts["activity"], pa.string()),
            "start": pa.array(acts["start"], pa.string()),
            "end": pa.array(acts["end"], pa.string()),
            "start_min": pa.array(acts["start_min"], pa.float64()),
            "end_min": pa.array(acts["end_min"], pa.float64()),
        }
    )
    return schedule, coverage, activities


def cover(settings: Settings, request: CoverRequest) -> CoverSchedule:
    """The cheapest schedule of the shift file's shifts for the requirement, with its
    LP bound, gap and the intervals it leaves short (see :mod:`callscope.schedule.cover`)."""
    from callscope.schedule.cover import solve_cover
    from callscope.schedule.templates import parse_costs

    if not (request.time_limit_s > 0 and math.isfinite(request.time_limit_s)):
        raise CallscopeError("the time limit is above 0 seconds", field="time_limit_s")
    if request.chart is not None:
        from callscope.services.common import check_output_file

        check_output_file(request.chart, "chart", (".png", ".svg", ".pdf"))
    shifts = read_shifts(request.shifts)
    costs = parse_costs(request.costs, len(shifts.templates)) if request.costs is not None else None
    required, horizon, labels, first, col, notes = read_requirement(
        settings, request.requirement, request.column
    )
    r = solve_cover(required, shifts, horizon, costs=costs, time_limit_s=request.time_limit_s)
    if not r.patterns:
        notes.append("no shift of the file can be worked on these days and hours")
    if shifts.kind == "matrix" and costs is None:
        notes.append("no --costs: each shift costs its hours")
    if col == "scheduled_agents" and any(t.breaks for t in shifts.templates):
        notes.append(
            "covering scheduled_agents, which already allow for shrinkage; the templates' "
            "breaks are placed on top (--column agents covers the agents on the phones)"
        )
    schedule, coverage, activities = _tables(r, shifts, labels, first)
    if request.chart is not None:
        from callscope.export.charts import coverage_chart

        coverage_chart(
            labels,
            list(r.required),
            list(r.scheduled),
            request.chart,
            title=f"Required and scheduled agents ({int(r.counts.sum()):,} shifts)",
        )
    return CoverSchedule(
        result=r,
        schedule=schedule,
        coverage=coverage,
        activities=activities,
        requirement_column=col,
        source=f"{request.requirement} with {request.shifts}",
        notes=tuple(notes),
    )


# -- adherence ---------------------------------------------------------------------------

#: What ``callscope adherence --by`` may group by.
ADHERENCE_KEYS = ("agent", "team", "day")


@dataclass(frozen=True)
class AdherenceRequest:
    """Adherence of the store's agents to their schedules, grouped ``by`` (of
    :data:`ADHERENCE_KEYS`), for the days from ``start`` (inclusive) to ``end``
    (exclusive); ``tolerance_s`` and ``outside_shift_exception`` override the
    settings."""

    by: tuple[str, ...] = ("agent", "day")
    start: datetime | None = None
    end: datetime | None = None
    tolerance_s: float | None = None
    outside_shift_exception: bool | None = None


@dataclass(frozen=True)
class AdherenceResult:
    """``table``: one row per group (the keys, ``scheduled_s, scheduled_work_s,
    worked_s, outside_s, exception_s, exceptions, adherence, conformance,
    planned_shrinkage, actual_shrinkage``); ``exceptions``: one row per exception
    (``agent, kind, start_ts, end_ts, minutes, activity, reason``)."""

    table: pa.Table
    exceptions: pa.Table
    tolerance_s: float
    outside_shift_exception: bool
    notes: tuple[str, ...] = field(default=())


def _epoch(ts: datetime) -> float:
    return (ts - datetime(1970, 1, 1)).total_seconds()


def _from_epoch(s: float) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=s)


def adherence(settings: Settings, request: AdherenceRequest) -> AdherenceResult:
    """Adherence, conformance, planned and actual shrinkage and the exceptions of every
    agent with a schedule, per the request's grouping (see
    :mod:`callscope.schedule.adherence` for the rules and formulas)."""
    import pyarrow as pa

    from callscope.schedule.adherence import agent_day
    from callscope.services.common import open_store

    bad = [k for k in request.by if k not in ADHERENCE_KEYS]
    if bad:
        raise CallscopeError(
            f"unknown grouping {bad[0]!r}; use {', '.join(ADHERENCE_KEYS)}", field="by"
        )
    if request.start and request.end and request.end <= request.start:
        raise CallscopeError("--to must be after --from", field="end")
    tol = settings.adherence_tolerance_s if request.tolerance_s is None else request.tolerance_s
    if not (tol >= 0 and math.isfinite(tol)):
        raise CallscopeError("the tolerance is >= 0", field="tolerance_s")
    outside = (
        settings.outside_shift_exception
        if request.outside_shift_exception is None
        else request.outside_shift_exception
    )
    margin = timedelta(days=1)
    with open_store(settings) as store:
        con = store.ibis()
        sch = con.table("schedules")
        st = con.table("agent_states")
        if request.start is not None:
            sch = sch.filter(sch.end_ts > request.start - margin)
            st = st.filter(st.end_ts > request.start - margin)
        if request.end is not None:
            sch = sch.filter(sch.start_ts < request.end + margin)
            st = st.filter(st.start_ts < request.end + margin)
        sched_rows = sch.select("agent", "activity", "start_ts", "end_ts").to_pyarrow().to_pylist()
        state_rows = (
            st.select("agent", "state", "reason", "start_ts", "end_ts").to_pyarrow().to_pylist()
        )
        teams = {}
        if "team" in request.by:
            ag = con.table("agents").select("agent", "team").to_pyarrow().to_pylist()
            teams = {r["agent"]: r["team"] for r in ag}
    if not sched_rows:
        raise CallscopeError(
            "the store has no schedules"
            + (" in that period" if request.start or request.end else "")
            + ": load them (a schedules CSV through a mapping), or give another store",
            field="db",
        )
    per_sched: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    per_state: dict[str, list[tuple[str, str | None, float, float]]] = defaultdict(list)
    for row in sched_rows:
        per_sched[row["agent"]].append(
            (row["activity"], _epoch(row["start_ts"]), _epoch(row["end_ts"]))
        )
    for row in state_rows:
        if row["agent"] in per_sched:
            per_state[row["agent"]].append(
                (row["state"], row["reason"], _epoch(row["start_ts"]), _epoch(row["end_ts"]))
            )
    lo = None if request.start is None else _epoch(request.start) // 86400
    hi = None if request.end is None else math.ceil(_epoch(request.end) / 86400)
    groups: dict[tuple[Any, ...], list[float]] = {}
    exc: dict[str, list[Any]] = defaultdict(list)
    for agent in sorted(per_sched):
        for d in agent_day(
            per_sched[agent],
            per_state[agent],
            tolerance_s=tol,
            outside_shift_exception=outside,
        ):
            if (lo is not None and d.day < lo) or (hi is not None and d.day >= hi):
                continue
            day = (datetime(1970, 1, 1) + timedelta(days=d.day)).date()
            key = tuple(
                {"agent": agent, "team": teams.get(agent), "day": day}[k] for k in request.by
            )
            acc = groups.setdefault(key, [0.0] * 7)
            for i, v in enumerate(
                (
                    d.scheduled_s,
                    d.scheduled_work_s,
                    d.worked_s,
                    d.worked_in_schedule_s,
                    d.outside_s,
                    d.exception_s,
                    len(d.exceptions),
                )
            ):
                acc[i] += v
            for e in d.exceptions:
                exc["agent"].append(agent)
                exc["kind"].append(e.kind)
                exc["start_ts"].append(_from_epoch(e.start))
                exc["end_ts"].append(_from_epoch(e.end))
                exc["minutes"].append(e.seconds / 60.0)
                exc["activity"].append(e.activity)
                exc["reason"].append(e.reason)

    def ratio(a: float, b: float) -> float | None:
        return a / b if b > 0 else None

    cols: dict[str, list[Any]] = defaultdict(list)
    for key in sorted(groups, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        sch_s, work_s, worked, worked_in, out_s, exc_s, n = groups[key]
        for k, v in zip(request.by, key, strict=True):
            cols[k].append(v)
        cols["scheduled_s"].append(sch_s)
        cols["scheduled_work_s"].append(work_s)
        cols["worked_s"].append(worked)
        cols["outside_s"].append(out_s)
        cols["exception_s"].append(exc_s)
        cols["exceptions"].append(int(n))
        den = sch_s + out_s
        cols["adherence"].append(max(0.0, 1.0 - exc_s / den) if den > 0 else None)
        cols["conformance"].append(ratio(worked, work_s))
        cols["planned_shrinkage"].append(ratio(sch_s - work_s, sch_s))
        cols["actual_shrinkage"].append(1.0 - worked_in / sch_s if sch_s > 0 else None)
    types = {"agent": pa.string(), "team": pa.string(), "day": pa.date32()}
    out = {k: pa.array(cols[k], types[k]) for k in request.by}
    for k in ("scheduled_s", "scheduled_work_s", "worked_s", "outside_s", "exception_s"):
        out[k] = pa.array(cols[k], pa.float64())
    out["exceptions"] = pa.array(cols["exceptions"], pa.int64())
    for k in ("adherence", "conformance", "planned_shrinkage", "actual_shrinkage"):
        out[k] = pa.array(cols[k], pa.float64())
    exceptions = pa.table(
        {
            "agent": pa.array(exc["agent"], pa.string()),
            "kind": pa.array(exc["kind"], pa.string()),
            "start_ts": pa.array(exc["start_ts"], pa.timestamp("us")),
            "end_ts": pa.array(exc["end_ts"], pa.timestamp("us")),
            "minutes": pa.array(exc["minutes"], pa.float64()),
            "activity": pa.array(exc["activity"], pa.string()),
            "reason": pa.array(exc["reason"], pa.string()),
        }
    )
    return AdherenceResult(pa.table(out), exceptions, tol, outside)
