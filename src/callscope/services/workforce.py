"""What the Workforce pages show: the latest stored forecast, its capacity plan per
interval and per day against the goals, the saved schedules and adherence per agent.

The figures come from the same services as the CLI (:func:`forecasting.forecast`,
:func:`forecasting.capacity_plan`, :func:`scheduling.adherence`); this module reads
what they stored and adds it up for a page. Form fields are read here too, with the
CLI's parsers, so a mistake is the same one line (naming the field) in both.

Per day of a plan: ``agent_hours`` and ``scheduled_hours`` add up every queue's
intervals; ``peak_agents`` is the largest sum over queues in one interval;
``fte = scheduled_hours x 7 / fte_hours_per_week`` (the full-time agents whose paid
hours, spread over a 7-day week, cover the day), so the mean over the plan's days is
the plan's FTE; ``intervals_met`` is the share of queue-intervals whose goal is met.

Schedules and adherence are scoped (:class:`~callscope.access.roles.Scope`): an agent
gets their own rows, a supervisor their teams' agents; rows of others never leave
this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from callscope.access.roles import Scope
from callscope.errors import CallscopeError
from callscope.services.forecasting import ForecastRequest, PlanRequest, PlanResult
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ForecastView",
    "PlanView",
    "ScheduleView",
    "forecast_form",
    "forecast_view",
    "plan_form",
    "plan_view",
    "adherence_goal",
    "schedule_view",
]

#: Most days a schedule page shows at once.
MAX_SCHEDULE_DAYS = 62
#: Longest horizon the page runs (the CLI has no limit).
MAX_HORIZON_S = 92 * 86400.0


# -- forms -----------------------------------------------------------------------------


def forecast_form(horizon: str, interval: str) -> ForecastRequest:
    """A :class:`ForecastRequest` from the form's text (``7d``, ``30m``); a mistake is
    one line naming ``horizon_s`` or ``interval_s``."""
    from callscope.model.units import parse_duration_s

    if not horizon.strip():
        raise CallscopeError("give the horizon, e.g. 7d or 14d", field="horizon_s")
    try:
        horizon_s = parse_duration_s(horizon, what="horizon")
    except CallscopeError as e:
        raise e.at("horizon_s") from None
    if not 0 < horizon_s <= MAX_HORIZON_S:
        raise CallscopeError(
            f"the horizon is at most {MAX_HORIZON_S / 86400:.0f}d here; got {horizon.strip()}",
            field="horizon_s",
        )
    interval_s = None
    if interval.strip():
        try:
            interval_s = parse_duration_s(interval, what="interval")
        except CallscopeError as e:
            raise e.at("interval_s") from None
        if interval_s not in (900, 1800, 3600):
            raise CallscopeError("the interval must be 15m, 30m or 60m", field="interval_s")
    return ForecastRequest(horizon_s=horizon_s, interval_s=interval_s)


def plan_form(target: str, shrinkage: str) -> PlanRequest:
    """A :class:`PlanRequest` from the form's text (``80/20``, ``30%``; empty: the
    settings'); a mistake is one line naming ``target`` or ``shrinkage``."""
    from callscope.model.target import Target
    from callscope.model.units import parse_share

    tgt = None
    if target.strip():
        try:
            tgt = Target.parse(target.strip())
        except CallscopeError as e:
            raise e.at("target") from None
    shr = None
    if shrinkage.strip():
        try:
            shr = parse_share(shrinkage.strip(), what="shrinkage")
        except CallscopeError as e:
            raise e.at("shrinkage") from None
        if not 0 <= shr < 1:
            raise CallscopeError(
                f"shrinkage is a share of paid time in [0, 1); got {shrinkage.strip()}",
                field="shrinkage",
            )
    return PlanRequest(target=tgt, shrinkage=shr)


# -- the latest forecast ---------------------------------------------------------------


@dataclass(frozen=True)
class ForecastView:
    """The newest stored forecast run: what it is (``info``:
    :class:`callscope.store.forecasts.ForecastInfo`), one row per queue x channel
    (``series``: model, contacts, the band's ends, open intervals) and per interval the
    contacts of the queues kept (``by_interval``: ``interval_start, calls, calls_lo,
    calls_hi``; the bounds are the queues' bounds added up) and the whole run
    (``table``, the stored rows)."""

    info: Any
    series: list[dict[str, Any]]
    by_interval: pa.Table
    table: pa.Table
    queues: tuple[str, ...]
    queue: str | None = None  #: the queue the chart keeps (``None``: all)
    level: int | None = None  #: the prediction interval, percent, when known


def forecast_view(settings: Settings, queue: str | None = None) -> ForecastView | None:
    """The newest stored forecast (``None``: the store has none)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from callscope.services.common import open_store
    from callscope.store.forecasts import forecast_info, latest_forecast

    with open_store(settings) as store:
        info = forecast_info(store)
        fc = latest_forecast(store)
    if info is None or fc.num_rows == 0:
        return None
    queues = tuple(sorted({str(q) for q in fc.column("queue").to_pylist()}))
    if queue and queue not in queues:
        raise CallscopeError(
            f"the forecast has no queue {queue!r}; use one of {', '.join(queues)}", field="queue"
        )
    rows = fc.to_pylist()
    per: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["queue"], r["channel"])
        s = per.setdefault(
            key,
            {
                "queue": r["queue"],
                "channel": r["channel"],
                "models": set(),
                "calls": 0.0,
                "calls_lo": 0.0,
                "calls_hi": 0.0,
                "hs": 0.0,
                "open_intervals": 0,
                "intervals": 0,
            },
        )
        s["intervals"] += 1
        if r["model"] == "closed":
            continue
        s["models"].add(r["model"])
        s["open_intervals"] += 1
        s["calls"] += r["calls"] or 0.0
        s["calls_lo"] += r["calls_lo"] or 0.0
        s["calls_hi"] += r["calls_hi"] or 0.0
        s["hs"] += (r["calls"] or 0.0) * (r["aht_s"] or 0.0)
    series = []
    for key in sorted(per):
        s = per[key]
        hs = s.pop("hs")
        s["model"] = ", ".join(sorted(s.pop("models"))) or "closed"
        s["aht_s"] = hs / s["calls"] if s["calls"] > 0 else None
        series.append(s)
    kept = fc if not queue else fc.filter(pc.equal(fc.column("queue"), queue))
    g = (
        kept.group_by("interval_start")
        .aggregate([("calls", "sum"), ("calls_lo", "sum"), ("calls_hi", "sum")])
        .sort_by("interval_start")
    )
    by_interval = pa.table(
        {
            "interval_start": g.column("interval_start"),
            "calls": g.column("calls_sum"),
            "calls_lo": g.column("calls_lo_sum"),
            "calls_hi": g.column("calls_hi_sum"),
        }
    )
    return ForecastView(info, series, by_interval, fc, queues, queue or None)


# -- the capacity plan -----------------------------------------------------------------


@dataclass(frozen=True)
class PlanView:
    """A capacity plan of the latest forecast (``result``: what
    :func:`callscope.services.forecasting.capacity_plan` returned) added up per
    interval (``interval_start, calls, agents, scheduled_agents, queues_met, queues``),
    per day (``day, calls, agent_hours, scheduled_hours, peak_agents, peak_scheduled,
    fte, intervals_met``) and per queue with its goal (module docstring)."""

    result: PlanResult
    by_interval: pa.Table
    by_day: pa.Table
    goals: list[dict[str, Any]]
    target_label: str | None  #: the target asked for (``None``: the settings' goals)

    @property
    def summary(self) -> Any:
        return self.result.plan.summary[0]


def plan_view(settings: Settings, request: PlanRequest) -> PlanView:
    """:func:`callscope.services.forecasting.capacity_plan` (the base scenario) added up
    for the page."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from callscope.services.forecasting import capacity_plan

    res = capacity_plan(settings, request)
    cp = res.plan
    t = cp.intervals.filter(pc.equal(cp.intervals.column("scenario"), "base"))
    t = t.append_column("met_i", pc.cast(t.column("met"), pa.int64()))
    t = t.append_column("one", pa.array([1] * t.num_rows, pa.int64()))
    g = (
        t.group_by("interval_start")
        .aggregate(
            [
                ("calls", "sum"),
                ("agents", "sum"),
                ("scheduled_agents", "sum"),
                ("met_i", "sum"),
                ("one", "sum"),
                ("interval_s", "max"),
            ]
        )
        .sort_by("interval_start")
    )
    by_interval = pa.table(
        {
            "interval_start": g.column("interval_start"),
            "calls": g.column("calls_sum"),
            "agents": g.column("agents_sum"),
            "scheduled_agents": g.column("scheduled_agents_sum"),
            "queues_met": g.column("met_i_sum"),
            "queues": g.column("one_sum"),
        }
    )
    days: dict[date, list[float]] = {}
    for r in g.to_pylist():
        d = r["interval_start"].date()
        h = r["interval_s_max"] / 3600.0
        acc = days.setdefault(d, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        acc[0] += r["calls_sum"]
        acc[1] += r["agents_sum"] * h
        acc[2] += r["scheduled_agents_sum"] * h
        acc[3] = max(acc[3], r["agents_sum"])
        acc[4] = max(acc[4], r["scheduled_agents_sum"])
        acc[5] += r["met_i_sum"]
        acc[6] += r["one_sum"]
    order = sorted(days)
    by_day = pa.table(
        {
            "day": pa.array(order, pa.date32()),
            "calls": pa.array([days[d][0] for d in order], pa.float64()),
            "agent_hours": pa.array([days[d][1] for d in order], pa.float64()),
            "scheduled_hours": pa.array([days[d][2] for d in order], pa.float64()),
            "peak_agents": pa.array([int(days[d][3]) for d in order], pa.int64()),
            "peak_scheduled": pa.array([int(days[d][4]) for d in order], pa.int64()),
            "fte": pa.array([days[d][2] * 7 / cp.fte_hours_per_week for d in order], pa.float64()),
            "intervals_met": pa.array(
                [days[d][5] / days[d][6] if days[d][6] else None for d in order], pa.float64()
            ),
        }
    )
    goals: dict[tuple[str, str, str], list[float]] = {}
    for r in t.select(["queue", "channel", "target", "calls", "agents", "met_i"]).to_pylist():
        acc = goals.setdefault((r["queue"], r["channel"], r["target"]), [0.0, 0.0, 0.0, 0.0])
        acc[0] += r["calls"]
        acc[1] = max(acc[1], r["agents"])
        acc[2] += r["met_i"]
        acc[3] += 1
    goal_rows = [
        {
            "queue": q,
            "channel": ch,
            "goal": tg,
            "calls": v[0],
            "peak_agents": int(v[1]),
            "intervals_met": v[2] / v[3] if v[3] else None,
        }
        for (q, ch, tg), v in sorted(goals.items())
    ]
    label = str(request.target) if request.target is not None else None
    return PlanView(res, by_interval, by_day, goal_rows, label)


# -- schedules and adherence -----------------------------------------------------------


@dataclass(frozen=True)
class ScheduleView:
    """The saved schedules of the agents in scope, one row per agent and day (``rows``:
    ``agent, team, day, start, end, hours, activities`` where ``hours`` leaves out
    lunch and absence and ``activities`` is every scheduled activity but work, with its
    times), adherence per agent over the
    same days (``adherence``: :func:`callscope.services.scheduling.adherence` by agent,
    ``None`` when nobody in scope has a schedule there), the days shown and the days
    that have schedules at all."""

    first_day: date | None
    last_day: date | None
    rows: list[dict[str, Any]]
    adherence: pa.Table | None
    exceptions: pa.Table | None
    scope: str
    data_first: date | None = None
    data_last: date | None = None
    notes: tuple[str, ...] = field(default=())
    tolerance_s: float | None = None  #: exceptions shorter than this are not counted

    def days(self) -> list[date]:
        """Every day shown, first to last."""
        if self.first_day is None or self.last_day is None:
            return []
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(n)]

    def by_agent(self) -> list[dict[str, Any]]:
        """One entry per agent: ``agent``, ``team``, ``days`` (day -> its row) and
        ``hours`` (the period's)."""
        out: dict[str, dict[str, Any]] = {}
        for r in self.rows:
            a = out.setdefault(r["agent"], {"agent": r["agent"], "team": r["team"], "days": {}})
            a["days"][r["day"]] = r
        for a in out.values():
            a["hours"] = sum(r["hours"] for r in a["days"].values())
        return [out[k] for k in sorted(out)]

    def table(self) -> pa.Table:
        """``rows`` for a download (activities as text)."""
        import pyarrow as pa

        return pa.table(
            {
                "agent": pa.array([r["agent"] for r in self.rows], pa.string()),
                "team": pa.array([r["team"] for r in self.rows], pa.string()),
                "day": pa.array([r["day"] for r in self.rows], pa.date32()),
                "start": pa.array([r["start"] for r in self.rows], pa.timestamp("us")),
                "end": pa.array([r["end"] for r in self.rows], pa.timestamp("us")),
                "hours": pa.array([r["hours"] for r in self.rows], pa.float64()),
                "activities": pa.array(
                    [
                        "; ".join(
                            f"{a['activity']} {a['start']:%H:%M}-{a['end']:%H:%M}"
                            for a in r["activities"]
                        )
                        for r in self.rows
                    ],
                    pa.string(),
                ),
            }
        )


#: Scheduled activities a day's ``hours`` leave out (the rest of a shift: work, breaks,
#: training, meetings, counts).
NOT_COUNTED = frozenset({"lunch", "absence"})


def _scoped_agents(store: Any, scope: Scope) -> set[str] | None:
    from callscope.store.live import agents_of_teams

    if scope.everyone:
        return None
    agents = set(scope.agents or ())
    if scope.teams:
        agents |= set(agents_of_teams(store, sorted(scope.teams)))
    return agents


def schedule_view(
    settings: Settings,
    scope: Scope,
    first_day: date | None = None,
    last_day: date | None = None,
) -> ScheduleView:
    """The schedules of the agents ``scope`` may see from ``first_day`` to ``last_day``
    (both included; default: the last 7 days that have schedules) and their adherence."""
    import pyarrow.compute as pc

    from callscope.services.common import open_store
    from callscope.services.scheduling import AdherenceRequest, adherence
    from callscope.store.live import schedules_between
    from callscope.store.quality import agent_teams
    from callscope.store.sql import run

    if first_day and last_day and last_day < first_day:
        raise CallscopeError("the last day is before the first", field="to")
    with open_store(settings) as store:
        span = run(store.con, "SELECT min(start_ts), max(start_ts) FROM schedules").fetchall()
        lo, hi = span[0] if span else (None, None)
        worked = run(store.con, "SELECT max(end_ts) FROM agent_states").fetchall()
        worked_until = worked[0][0] if worked else None
        data_first = lo.date() if lo is not None else None
        data_last = hi.date() if hi is not None else None
        if last_day is None:
            last_day = (first_day + timedelta(days=6)) if first_day else (data_last or date.today())
        if first_day is None:
            first_day = last_day - timedelta(days=6)
        if (last_day - first_day).days + 1 > MAX_SCHEDULE_DAYS:
            raise CallscopeError(
                f"show at most {MAX_SCHEDULE_DAYS} days of schedules at once", field="from"
            )
        start = datetime.combine(first_day, datetime.min.time())
        end = datetime.combine(last_day + timedelta(days=1), datetime.min.time())
        allowed = _scoped_agents(store, scope)
        teams = agent_teams(store)
        found = schedules_between(store, start, end)
    per: dict[tuple[str, date], list[tuple[str, datetime, datetime]]] = defaultdict(list)
    for agent, act, s, e in found:
        if allowed is not None and agent not in allowed:
            continue
        if not start <= s < end:
            continue  # an activity belongs to the day it starts on
        per[(agent, s.date())].append((act, s, e))
    rows = []
    for (agent, day), acts in sorted(per.items()):
        acts.sort(key=lambda a: a[1])
        hours = sum((e - s).total_seconds() for a, s, e in acts if a not in NOT_COUNTED) / 3600
        rows.append(
            {
                "agent": agent,
                "team": teams.get(agent),
                "day": day,
                "start": min(s for _, s, _ in acts),
                "end": max(e for _, _, e in acts),
                "hours": hours,
                "activities": [
                    {"activity": a, "start": s, "end": e} for a, s, e in acts if a != "work"
                ],
            }
        )
    adh = exc = None
    tol = None
    notes: list[str] = []
    # adherence of the days that have been worked (agent states recorded up to then)
    done = end
    if worked_until is not None:
        done = min(
            end, datetime.combine(worked_until.date() + timedelta(days=1), datetime.min.time())
        )
    if rows and (worked_until is None or done <= start):
        notes.append(
            "no agent activity is recorded on these days yet: adherence shows once they are worked"
        )
    elif rows:
        if done < end:
            notes.append(
                f"adherence up to {done.date() - timedelta(days=1):%a %-d %b %Y}, the last day "
                "with agent activity recorded"
            )
        try:
            res = adherence(settings, AdherenceRequest(by=("agent",), start=start, end=done))
        except CallscopeError as e:
            notes.append(" ".join(str(e).split()))
        else:
            adh, exc, tol = res.table, res.exceptions, res.tolerance_s
            if allowed is not None:
                keep = sorted(allowed)
                adh = adh.filter(pc.is_in(adh.column("agent"), value_set=_strings(keep)))
                exc = exc.filter(pc.is_in(exc.column("agent"), value_set=_strings(keep)))
            adh = _with_status(settings, adh)
    elif data_first is not None:
        notes.append(
            f"no schedules of {scope.describe()} from {first_day:%a %-d %b %Y} to "
            f"{last_day:%a %-d %b %Y}; the store has schedules from {data_first:%a %-d %b %Y} "
            f"to {data_last:%a %-d %b %Y}"
        )
    else:
        notes.append(
            "the store has no schedules yet: `callscope roster build ... --save` writes them, "
            "or load a schedules CSV"
        )
    return ScheduleView(
        first_day,
        last_day,
        rows,
        adh,
        exc,
        scope.describe(),
        data_first,
        data_last,
        tuple(notes),
        tol,
    )


def adherence_goal(settings: Settings) -> float:
    """The adherence target of the settings (``[targets] adherence``, at least)."""
    return float(settings.targets["adherence"])


def _with_status(settings: Settings, table: pa.Table) -> pa.Table:
    """``table`` with ``adherence_status``: green (the target met), amber (missed by
    at most the amber margin) or red, as every other figure is judged."""
    import pyarrow as pa

    from callscope.kpi.targets import Target, rag

    goal = Target("adherence", adherence_goal(settings), "at_least", settings.amber_margin)
    marks = [rag(v, goal) for v in table.column("adherence").to_pylist()]
    return table.append_column("adherence_status", pa.array(marks, pa.string()))


def _strings(values: list[str]) -> Any:
    import pyarrow as pa

    return pa.array(values, pa.string())
