"""Rostering use cases: roster a benchmark instance (``callscope roster solve``).

:func:`roster_solve` reads an Employee Shift Scheduling Benchmark file (Curtois & Qu,
2014; :mod:`callscope.schedule.roster_instances`), rosters it with
:func:`callscope.schedule.roster_lns.solve_roster` within a time limit, and returns the
roster as an Arrow table (``employee, day, shift``: one row per worked shift, ``day`` a
0-based index), a per-agent summary and the numbers that say how good it is: the
benchmark objective, a proven lower bound, the gap between them, seconds, feasibility.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["RosterSolveRequest", "RosterSolveResult", "roster_solve"]


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

    from callscope.schedule.roster import OFF
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
    sidx = problem.shift_index()
    aidx = problem.agent_index()
    weekends = problem.weekends()
    if res.roster is not None:
        for r in problem.requests:
            worked = res.roster.days[aidx[r.agent]][r.day] == sidx[r.shift]
            if worked != r.on:
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
