"""Rostering use cases: roster a benchmark instance (``callscope roster solve``) and
the center's own agents (``callscope roster build``).

:func:`roster_solve` reads an Employee Shift Scheduling Benchmark file (Curtois & Qu,
2014; :mod:`callscope.schedule.roster_instances`), rosters it with
:func:`callscope.schedule.roster_lns.solve_roster` within a time limit, and returns the
roster as an Arrow table (``employee, day, shift``: one row per worked shift, ``day`` a
0-based index), a per-agent summary and the numbers that say how good it is: the
benchmark objective, a proven lower bound, the gap between them, seconds, feasibility.

:func:`roster_build` rosters the store's ``agents`` or an agents file (CSV or YAML,
optionally some teams; :mod:`callscope.services.roster_inputs` reads them) for a
requirement per interval (a plan CSV, else the capacity plan of the store's latest
forecast as ``callscope plan`` makes it, base scenario) or per day and shift
(``date,shift,required``). The shift cover (:func:`callscope.schedule.cover.solve_cover`,
the horizon not wrapping) turns a requirement per interval into shifts per template,
start and day (a requirement per shift gives them:
:func:`callscope.schedule.roster_build.fixed_cover`);
:mod:`callscope.schedule.roster_build` turns those and the contracts into a roster
problem, which :func:`solve_roster` solves. Agents
whose contract no schedule meets are named before solving. With ``save`` the roster's
work and breaks replace the agents' ``schedules`` rows of those days in one
transaction (:mod:`callscope.store.roster`), so ``callscope adherence`` measures
against it; without it nothing is written to the store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from callscope.schedule.cover import CoverResult
    from callscope.schedule.roster import RosterProblem
    from callscope.schedule.roster_contracts import ContractFile
    from callscope.schedule.templates import ShiftSet

__all__ = [
    "RosterBuildRequest",
    "RosterBuildResult",
    "RosterSolveRequest",
    "RosterSolveResult",
    "roster_build",
    "roster_solve",
    "save_roster",
]


@dataclass(frozen=True, slots=True)
class RosterSolveRequest:
    """Roster the benchmark instance in ``instance`` within ``time_limit_s`` seconds
    (wall) on ``workers`` threads; ``seed`` draws the same neighbourhoods each run."""

    instance: Path
    time_limit_s: float = 60.0
    seed: int = 0
    workers: int = 2


@dataclass(frozen=True)
class RosterSolveResult:
    """The best roster found and how good it is proven to be.

    ``objective`` (benchmark weights: unmet requests plus cover shortfall and excess
    times their weights; ``None`` when no feasible roster was found), ``bound`` (a
    proven lower bound on the optimum; ``bound_source`` says which method proved it),
    ``gap = (objective - bound) / objective``, ``seconds`` (wall). ``roster``: columns
    ``employee`` (string), ``day`` (int64, 0 = the first day, a Monday), ``shift``
    (string). ``agents``: per agent ``employee, shifts, minutes, weekends`` (worked)
    and ``request_penalty`` (weights of their unmet requests)."""

    instance: str
    objective: int | None
    bound: int
    gap: float | None
    seconds: float
    feasible: bool
    optimal: bool
    bound_source: str
    request_penalty: int | None
    under_penalty: int | None
    over_penalty: int | None
    days: int
    shift_types: tuple[str, ...]
    neighbourhoods: int
    roster: pa.Table
    agents: pa.Table

    def summary(self) -> dict[str, Any]:
        """The numbers, JSON-safe (no tables)."""
        return {
            "instance": self.instance,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "feasible": self.feasible,
            "optimal": self.optimal,
            "bound_source": self.bound_source,
            "penalty": {
                "requests": self.request_penalty,
                "under": self.under_penalty,
                "over": self.over_penalty,
            },
            "agents": self.agents.num_rows,
            "days": self.days,
            "shift_types": list(self.shift_types),
            "shifts_worked": self.roster.num_rows,
            "neighbourhoods": self.neighbourhoods,
        }


def _check(request: RosterSolveRequest) -> None:
    t = request.time_limit_s
    if not (isinstance(t, (int, float)) and math.isfinite(t) and t > 0):
        raise CallscopeError(f"must be > 0 seconds; got {t}", field="time_limit_s")
    if request.workers < 1:
        raise CallscopeError(f"must be >= 1; got {request.workers}", field="workers")


def roster_solve(settings: Settings, request: RosterSolveRequest) -> RosterSolveResult:
    """Roster the benchmark instance of ``request`` (``settings`` are not used yet: a
    benchmark file carries everything; they are the seam for the center's own
    agents)."""
    import pyarrow as pa

    from callscope.schedule.roster import OFF, unmet_requests
    from callscope.schedule.roster_instances import read_instance
    from callscope.schedule.roster_lns import solve_roster

    del settings
    _check(request)
    problem = read_instance(request.instance)
    res = solve_roster(problem, request.time_limit_s, seed=request.seed, workers=request.workers)
    rows = res.roster.rows(problem) if res.roster is not None else []
    roster = pa.table(
        {
            "employee": pa.array([r[0] for r in rows], pa.string()),
            "day": pa.array([r[1] for r in rows], pa.int64()),
            "shift": pa.array([r[2] for r in rows], pa.string()),
        }
    )
    unmet: dict[str, int] = {}
    weekends = problem.weekends()
    if res.roster is not None:
        for r in unmet_requests(problem, res.roster):
            unmet[r.agent] = unmet.get(r.agent, 0) + r.weight
    per: dict[str, list[Any]] = {k: [] for k in ("employee", "shifts", "minutes", "weekends")}
    per["request_penalty"] = []
    for e, a in enumerate(problem.agents):
        row = res.roster.days[e] if res.roster is not None else (OFF,) * problem.horizon
        per["employee"].append(a.id)
        per["shifts"].append(sum(1 for s in row if s != OFF))
        per["minutes"].append(sum(problem.shifts[s].minutes for s in row if s != OFF))
        per["weekends"].append(sum(1 for days in weekends if any(row[d] != OFF for d in days)))
        per["request_penalty"].append(unmet.get(a.id, 0))
    agents = pa.table(
        {
            "employee": pa.array(per["employee"], pa.string()),
            "shifts": pa.array(per["shifts"], pa.int64()),
            "minutes": pa.array(per["minutes"], pa.int64()),
            "weekends": pa.array(per["weekends"], pa.int64()),
            "request_penalty": pa.array(per["request_penalty"], pa.int64()),
        }
    )
    pen = res.penalty
    return RosterSolveResult(
        instance=str(request.instance),
        objective=int(res.objective) if res.feasible else None,
        bound=int(res.bound),
        gap=res.gap if res.feasible else None,
        seconds=res.seconds,
        feasible=res.feasible,
        optimal=res.optimal,
        bound_source=res.bound_source,
        request_penalty=pen.requests if pen else None,
        under_penalty=pen.under if pen else None,
        over_penalty=pen.over if pen else None,
        days=problem.horizon,
        shift_types=problem.shift_ids,
        neighbourhoods=res.iterations,
        roster=roster,
        agents=agents,
    )


# -- a center's own roster (``callscope roster build``) ---------------------------------


@dataclass(frozen=True)
class RosterBuildRequest:
    """Roster the store's agents (``teams``: only these teams' agents) on the shifts of
    ``shifts`` (a template file, or a coverage matrix) for ``requirement`` (a plan or
    staff CSV; ``None``: the capacity plan of the store's latest forecast), with the
    contracts of ``contracts`` (TOML or YAML, :mod:`callscope.schedule.roster_contracts`;
    ``None``: the defaults for everyone). ``agents``: an agents file (CSV or YAML,
    :mod:`callscope.schedule.roster_agents`: ids, teams, each agent's own terms) to
    roster instead of the store's ``agents`` table. ``queues`` keeps those queues' rows of the
    requirement; ``column`` picks its agents column. The shift cover gets
    ``cover_time_limit_s`` seconds, the roster ``time_limit_s``. ``save`` writes the
    roster into the store's ``schedules`` (replacing the agents' rows in its days)."""

    shifts: Path
    requirement: Path | None = None
    contracts: Path | None = None
    agents: Path | None = None
    teams: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    column: str | None = None
    time_limit_s: float = 60.0
    cover_time_limit_s: float = 30.0
    seed: int = 0
    workers: int = 2
    save: bool = False


@dataclass(frozen=True)
class RosterBuildResult:
    """The roster of the store's agents and how good it is.

    The numbers of :class:`RosterSolveResult` (``objective``: unmet request weights
    plus the cover's shortfall and excess times their weights), and tables:

    * ``roster``: one row per worked shift: ``employee, day`` (0 = ``first``),
      ``shift`` (``template@HH:MM``), ``date, template, start, end`` (local
      ``YYYY-MM-DD HH:MM``), ``paid_hours``;
    * ``agents``: per agent ``employee, team, shifts, paid_hours, min_hours,
      max_hours`` (the contract over the horizon), ``weekends, request_penalty``;
    * ``cover``: per day and shift type ``date, day, shift, required, rostered,
      short, over`` (``required`` is the shift cover's count);
    * ``coverage``: per interval ``interval_start, required`` (the requirement),
      ``covered`` (agents on the phones in the shift cover) and ``rostered`` (in the
      roster, breaks off the phones);
    * ``schedules``: the rows ``--save`` stores (``agent, activity, start_ts,
      end_ts``); ``saved`` and ``replaced`` count what it wrote and removed."""

    objective: int | None
    bound: int
    gap: float | None
    seconds: float
    feasible: bool
    optimal: bool
    bound_source: str
    request_penalty: int | None
    under_penalty: int | None
    over_penalty: int | None
    first: date
    days: int
    shift_types: tuple[str, ...]
    cover_seconds: float
    roster: pa.Table
    agents: pa.Table
    cover: pa.Table
    coverage: pa.Table
    schedules: pa.Table
    source: str
    saved: int = 0
    replaced: int = 0
    notes: tuple[str, ...] = ()
    problem: RosterProblem | None = None  #: the roster problem solved (for benchmarks)

    @property
    def unmet(self) -> list[dict[str, Any]]:
        """Shifts of the cover the roster leaves short: date, shift, required,
        rostered, short."""
        return [
            {k: r[k] for k in ("date", "shift", "required", "rostered", "short")}
            for r in self.cover.to_pylist()
            if r["short"] > 0
        ]

    def short_intervals(self) -> list[dict[str, Any]]:
        """The requirement's spans the roster leaves short: runs of intervals with at
        least half an agent fewer on the phones than required, ``from, to`` (interval
        starts and the end of the last), ``most_short`` (agents) and
        ``agent_hours`` short over the run."""
        t = self.coverage.column("interval_start").to_pylist()
        req = self.coverage.column("required").to_pylist()
        got = self.coverage.column("rostered").to_pylist()
        if not t:
            return []
        step = (
            datetime.fromisoformat(t[1]) - datetime.fromisoformat(t[0])
            if len(t) > 1
            else timedelta(minutes=30)
        )
        out: list[dict[str, Any]] = []
        prev_end = None
        for when, r, g in zip(t, req, got, strict=True):
            gap = r - g
            start = datetime.fromisoformat(when)
            if gap < 0.5:
                prev_end = None
                continue
            hours = gap * step.total_seconds() / 3600
            if prev_end == start and out:
                run = out[-1]
                run["to"] = (start + step).strftime("%Y-%m-%d %H:%M")
                run["most_short"] = max(run["most_short"], round(gap, 2))
                run["agent_hours"] = round(run["agent_hours"] + hours, 2)
            else:
                out.append(
                    {
                        "from": start.strftime("%Y-%m-%d %H:%M"),
                        "to": (start + step).strftime("%Y-%m-%d %H:%M"),
                        "most_short": round(gap, 2),
                        "agent_hours": round(hours, 2),
                    }
                )
            prev_end = start + step
        return out

    def short_days(self) -> list[dict[str, Any]]:
        """Per day the roster leaves the requirement short: ``date``,
        ``agent_hours`` short, ``most_short`` (agents) and ``at`` (the first interval
        that short)."""
        out: dict[str, dict[str, Any]] = {}
        for run in self.short_intervals():
            day = run["from"][:10]
            d = out.setdefault(day, {"date": day, "agent_hours": 0.0, "most_short": 0.0})
            d["agent_hours"] = round(d["agent_hours"] + run["agent_hours"], 2)
            if run["most_short"] > d["most_short"]:
                d["most_short"], d["at"] = run["most_short"], run["from"][11:]
        return list(out.values())

    def grid(self) -> tuple[list[str], list[dict[str, Any]]]:
        """The roster as a grid: the day labels (``Mon 02-03``) and one row per agent,
        ``employee, team``, each day label -> ``HH:MM-HH:MM`` (empty when off),
        ``paid_hours`` and ``max_hours`` (the contract's over the horizon)."""
        labels = [(self.first + timedelta(days=d)).strftime("%a %m-%d") for d in range(self.days)]
        cells: dict[str, dict[str, str]] = {}
        for r in self.roster.to_pylist():
            cells.setdefault(r["employee"], {})[labels[r["day"]]] = (
                f"{r['start'][11:16]}-{r['end'][11:16]}"
            )
        rows = []
        for a in self.agents.to_pylist():
            got = cells.get(a["employee"], {})
            rows.append(
                {
                    "employee": a["employee"],
                    "team": a["team"],
                    **{lab: got.get(lab, "") for lab in labels},
                    "paid_hours": a["paid_hours"],
                    "max_hours": a["max_hours"],
                }
            )
        return labels, rows

    def summary(self) -> dict[str, Any]:
        """The numbers, JSON-safe: the solve's, unmet cover per day and shift, hours
        per agent, the cover per day and shift, and the requirement's intervals left
        short."""
        cov = self.coverage
        slot_h = 0.0
        if cov.num_rows > 1:
            t = cov.column("interval_start").to_pylist()
            slot_h = (
                datetime.fromisoformat(t[1]) - datetime.fromisoformat(t[0])
            ).total_seconds() / 3600

        def short(col: str) -> float:
            req = cov.column("required").to_numpy()
            got = cov.column(col).to_numpy()
            return round(float((req - got).clip(min=0).sum()) * slot_h, 3)

        return {
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "feasible": self.feasible,
            "optimal": self.optimal,
            "bound_source": self.bound_source,
            "penalty": {
                "requests": self.request_penalty,
                "under": self.under_penalty,
                "over": self.over_penalty,
            },
            "first": self.first.isoformat(),
            "days": self.days,
            "agents": self.agents.num_rows,
            "shift_types": list(self.shift_types),
            "shifts_required": sum(self.cover.column("required").to_pylist()),
            "shifts_worked": self.roster.num_rows,
            "unmet": self.unmet,
            "cover": [{**r, "date": r["date"].isoformat()} for r in self.cover.to_pylist()],
            "under_agent_hours": {"cover": short("covered"), "roster": short("rostered")},
            "short_intervals": self.short_intervals(),
            "per_agent": self.agents.to_pylist(),
            "cover_seconds": round(self.cover_seconds, 3),
            "source": self.source,
            "saved": self.saved,
            "replaced": self.replaced,
            "notes": list(self.notes),
        }


def roster_build(settings: Settings, request: RosterBuildRequest) -> RosterBuildResult:
    """Roster the store's agents for a requirement (see :class:`RosterBuildRequest` and
    :mod:`callscope.schedule.roster_build`): shift cover, then the roster, then (with
    ``save``) the store's ``schedules``. Every mistake is a :class:`CallscopeError`
    raised before anything is stored."""
    import tempfile
    from dataclasses import replace

    from callscope.schedule.cover import solve_cover
    from callscope.schedule.roster_contracts import ContractFile, read_contracts
    from callscope.services.roster_inputs import (
        agents_file,
        given_cover,
        is_yaml,
        per_shift,
        read_text,
        requirement_per_interval,
        store_inputs,
    )
    from callscope.services.scheduling import read_shifts

    for name, t in (
        ("time_limit_s", request.time_limit_s),
        ("cover_time_limit_s", request.cover_time_limit_s),
    ):
        if not (isinstance(t, (int, float)) and math.isfinite(t) and t > 0):
            raise CallscopeError(f"must be > 0 seconds; got {t}", field=name)
    if request.workers < 1:
        raise CallscopeError(f"must be >= 1; got {request.workers}", field="workers")
    shifts = read_shifts(request.shifts)
    contracts = (
        read_contracts(
            read_text(request.contracts, "contracts", "a contracts file (TOML or YAML)"),
            str(request.contracts),
            yaml_syntax=is_yaml(request.contracts),
        )
        if request.contracts is not None
        else ContractFile(where="")
    )
    listed = agents_file(request, contracts.weights.request)
    agents, everyone, teams = store_inputs(settings, request, listed)
    fte = settings.fte_hours_per_week
    names = [t.name for t in shifts.templates]
    contracts.check(dict(everyone), names, teams, fte)
    if listed is not None:
        listed.check(names)
        contracts = listed.merged_into(contracts)
        contracts.check(dict(agents), names, teams, fte)
    if request.requirement is not None and per_shift(request.requirement):
        given, day0, labels, col, notes = given_cover(settings, request, shifts)
        return _solve_and_store(
            settings,
            request,
            shifts,
            contracts,
            agents,
            given,
            day0,
            labels,
            col,
            notes,
            str(request.requirement),
        )
    with tempfile.TemporaryDirectory(prefix="callscope-roster-") as tmp:
        required, horizon, labels, first, col, notes, source = requirement_per_interval(
            settings, request, Path(tmp)
        )
    if first is None:
        raise CallscopeError(
            "the requirement has times but no dates; a roster needs dates: give `plan` "
            "output, or interval_start as 2025-01-06 09:00",
            field="requirement",
        )
    horizon = replace(horizon, cyclic=False)  # real dates: nothing wraps around
    # one HiGHS thread, as the roster's column generation asks: HiGHS's global scheduler
    # keeps the thread count of the first model solved in the process
    cover = solve_cover(
        required, shifts, horizon, time_limit_s=request.cover_time_limit_s, threads=1
    )
    if int(cover.counts.sum()) == 0:
        raise CallscopeError(
            "the requirement needs no shift of the shifts file on these days (all zero, or "
            "only when no template can be worked): nothing to roster",
            field="requirement",
        )
    return _solve_and_store(
        settings, request, shifts, contracts, agents, cover, first, labels, col, notes, source
    )


def _solve_and_store(
    settings: Settings,
    request: RosterBuildRequest,
    shifts: ShiftSet,
    contracts: ContractFile,
    agents: list[tuple[str, str | None]],
    cover: CoverResult,
    first: date,
    labels: list[str],
    column: str,
    notes: list[str],
    source: str,
) -> RosterBuildResult:
    from dataclasses import replace

    import pyarrow as pa

    from callscope.schedule.roster import OFF, penalty, unmet_requests
    from callscope.schedule.roster_build import (
        build_problem,
        cover_shortfall,
        coverage,
        each_alone,
        main_cover,
        roster_shifts,
    )
    from callscope.schedule.roster_lns import solve_roster

    built = build_problem(
        cover,
        shifts,
        first,
        agents,
        contracts,
        fte_hours_per_week=settings.fte_hours_per_week,
        name=f"roster from {first}",
    )
    p = built.problem
    bad, fallback = each_alone(p)
    if bad:
        (agent, why), more = bad[0], len(bad) - 1
        also = f" ({more} more agent{'s' if more > 1 else ''} likewise)" if more else ""
        if request.agents is None:
            raise CallscopeError(
                f"agent {agent!r}: {why}{also}; change the contract", field="contracts"
            )
        raise CallscopeError(
            f"agent {agent!r}: {why}{also}; change their terms (here or in --contracts)",
            field="agents",
        )
    res = solve_roster(p, request.time_limit_s, seed=request.seed, workers=request.workers)
    notes = list(notes)
    if res.roster is None or not res.feasible:
        if fallback is None:
            raise CallscopeError(
                f"no roster meeting every contract was found in {request.time_limit_s:g} s; "
                "allow more time",
                field="time_limit_s",
            )
        pen0 = penalty(p, fallback)
        res = replace(
            res,
            roster=fallback,
            objective=float(pen0.total),
            penalty=pen0,
            feasible=True,
            optimal=False,
        )
        notes.append(
            f"the search found no roster in {request.time_limit_s:g} s: this is a schedule "
            "found for each agent alone (every contract met, the cover not considered); "
            "allow more time (--time-limit)"
        )
    roster = res.roster
    assert roster is not None
    dated = roster_shifts(built, roster, cover, shifts)
    fmt = "%Y-%m-%d %H:%M"
    roster_t = pa.table(
        {
            "employee": pa.array([s.agent for s in dated], pa.string()),
            "day": pa.array([s.day for s in dated], pa.int64()),
            "shift": pa.array([s.shift for s in dated], pa.string()),
            "date": pa.array([built.date(s.day) for s in dated], pa.date32()),
            "template": pa.array([s.template for s in dated], pa.string()),
            "start": pa.array([s.start.strftime(fmt) for s in dated], pa.string()),
            "end": pa.array([s.end.strftime(fmt) for s in dated], pa.string()),
            "paid_hours": pa.array([s.paid_minutes / 60 for s in dated], pa.float64()),
        }
    )
    unmet: dict[str, int] = {}
    for r in unmet_requests(p, roster):
        unmet[r.agent] = unmet.get(r.agent, 0) + r.weight
    weekends = p.weekends()
    per: dict[str, list[Any]] = {}
    for e, a in enumerate(p.agents):
        row = roster.days[e]
        c = a.contract
        values = {
            "employee": a.id,
            "team": built.teams[e],
            "shifts": sum(1 for s in row if s != OFF),
            "paid_hours": sum(p.shifts[s].minutes for s in row if s != OFF) / 60,
            "min_hours": c.min_minutes / 60,
            "max_hours": None if c.max_minutes is None else c.max_minutes / 60,
            "weekends": sum(1 for days in weekends if any(row[d] != OFF for d in days)),
            "request_penalty": unmet.get(a.id, 0),
        }
        for k, v in values.items():
            per.setdefault(k, []).append(v)
    agents_t = pa.table(
        {
            "employee": pa.array(per["employee"], pa.string()),
            "team": pa.array(per["team"], pa.string()),
            "shifts": pa.array(per["shifts"], pa.int64()),
            "paid_hours": pa.array(per["paid_hours"], pa.float64()),
            "min_hours": pa.array(per["min_hours"], pa.float64()),
            "max_hours": pa.array(per["max_hours"], pa.float64()),
            "weekends": pa.array(per["weekends"], pa.int64()),
            "request_penalty": pa.array(per["request_penalty"], pa.int64()),
        }
    )
    off = {(d, s): (req, n) for d, s, req, n in cover_shortfall(p, roster)}
    cov_rows: dict[str, list[Any]] = {k: [] for k in ("date", "day", "shift", "required")}
    cov_rows.update(rostered=[], short=[], over=[])
    for cv in main_cover(p):
        req, n = off.get((cv.day, cv.shift), (cv.requirement, cv.requirement))
        if req == 0 and n == 0:
            continue
        cov_rows["date"].append(built.date(cv.day))
        cov_rows["day"].append(cv.day)
        cov_rows["shift"].append(cv.shift)
        cov_rows["required"].append(req)
        cov_rows["rostered"].append(n)
        cov_rows["short"].append(max(0, req - n))
        cov_rows["over"].append(max(0, n - req))
    cover_t = pa.table(
        {
            "date": pa.array(cov_rows["date"], pa.date32()),
            "day": pa.array(cov_rows["day"], pa.int64()),
            "shift": pa.array(cov_rows["shift"], pa.string()),
            **{
                k: pa.array(cov_rows[k], pa.int64())
                for k in ("required", "rostered", "short", "over")
            },
        }
    )
    h = cover.horizon
    on_phones = coverage(dated, first, h.slot_min, h.slots)
    coverage_t = pa.table(
        {
            "interval_start": pa.array(labels, pa.string()),
            "required": pa.array(cover.required, pa.float64()),
            "covered": pa.array(cover.scheduled, pa.float64()),
            "rostered": pa.array(on_phones, pa.float64()),
        }
    )
    acts = [(s.agent, *a) for s in dated for a in s.activities]
    schedules = pa.table(
        {
            "agent": pa.array([a[0] for a in acts], pa.string()),
            "activity": pa.array([_activity(a[1]) for a in acts], pa.string()),
            "start_ts": pa.array([a[2] for a in acts], pa.timestamp("us")),
            "end_ts": pa.array([a[3] for a in acts], pa.timestamp("us")),
        }
    )
    per_day = [0] * h.days
    for q, n in zip(cover.patterns, cover.counts, strict=True):
        per_day[q.day] += int(n)
    most = max(per_day, default=0)
    if most > len(agents):
        notes.append(
            f"the cover needs up to {most} shifts a day and {len(agents)} agents are rostered: "
            "the roster leaves shifts short (see unmet)"
        )
    if column == "scheduled_agents" and any(t.breaks for t in shifts.templates):
        notes.append(
            "covering scheduled_agents, which already allow for shrinkage; the templates' "
            "breaks are placed on top (--column agents covers the agents on the phones)"
        )
    pen = res.penalty
    out = RosterBuildResult(
        objective=int(res.objective),
        bound=int(res.bound),
        gap=res.gap,
        seconds=res.seconds,
        feasible=res.feasible,
        optimal=res.optimal,
        bound_source=res.bound_source,
        request_penalty=pen.requests if pen else None,
        under_penalty=pen.under if pen else None,
        over_penalty=pen.over if pen else None,
        first=first,
        days=h.days,
        shift_types=p.shift_ids,
        cover_seconds=cover.seconds,
        roster=roster_t,
        agents=agents_t,
        cover=cover_t,
        coverage=coverage_t,
        schedules=schedules,
        source=source,
        saved=0,
        replaced=0,
        notes=tuple(notes),
        problem=p,
    )
    return save_roster(settings, out) if request.save else out


def save_roster(settings: Settings, result: RosterBuildResult) -> RosterBuildResult:
    """Write a built roster into the store's ``schedules``: its agents' rows of its days
    are replaced by the roster's (one transaction); ``saved`` and ``replaced`` count
    them. (``roster build --save`` does this; a server builds reading the store, then
    saves in one short write.)"""
    from dataclasses import replace

    from callscope.services.common import open_store
    from callscope.store.roster import publish_schedules

    start = datetime.combine(result.first, time())
    end = start + timedelta(days=result.days)
    label = f"roster:{result.first.isoformat()}+{result.days}d"
    agents = [str(a) for a in result.agents.column("employee").to_pylist()]
    with open_store(settings, write=True, create=False) as store:
        saved, replaced = publish_schedules(store, result.schedules, agents, start, end, label)
    return replace(result, saved=saved, replaced=replaced)


def _activity(name: str) -> str:
    """A template's break name as a ``schedules`` activity: ``lunch`` when it says so,
    one of the table's activities when it is one, else ``break``."""
    n = name.strip().lower()
    if "lunch" in n:
        return "lunch"
    return n if n in ("work", "break", "training", "meeting") else "break"
