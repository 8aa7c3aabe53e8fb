"""The roster as a CP-SAT model (OR-Tools, https://developers.google.com/optimization/cp).

Variables: ``x[e, d, s]`` (Boolean: agent ``e`` works shift ``s`` on day ``d``), made only
where the agent may work it (days off, unavailability, skills and zero maxima removed at
build time), and ``w[e, d] = sum_s x[e, d, s]`` (works that day; at most one shift).
Constraints (Curtois & Qu 2014, section 2; the run rules as in the nurse-rostering
CP-SAT example of the OR-Tools docs, ``shift_scheduling_sat.py``):

* max shifts per type and min/max paid minutes: linear sums over the horizon;
* max ``k`` consecutive working days: every window of ``k + 1`` days has at most ``k``;
* min ``m`` consecutive working days (and likewise days off): for every inner run length
  ``l < m`` a clause forbids ``off, on x l, off``; runs touching the first or the last
  day are never too short;
* forbidden successions and rest: ``x[e, d, s] + sum_{t after s forbidden} x[e, d+1, t]
  <= 1`` (one aggregated row per ``s``, tighter in the LP than pairwise rows);
* weekends: ``k[e, w] >= w[e, d]`` for the weekend's days and ``sum_w k[e, w] <= max``;
* cover: ``under[d, s] >= req - n`` and ``over[d, s] >= n - req`` with ``n`` the agents on
  it; objective = request weights + under and over times their weights (integers).

No symmetry breaking: the search fixes parts of rosters found by other means (column
generation, best responses), and an ordering of interchangeable agents' rows could make
those fixings infeasible.

:class:`RosterModel` builds this once; the large-neighbourhood search
(:mod:`.roster_lns`) solves it whole or with most variables fixed by setting their
domains in the model proto (and restoring them), so a neighbourhood costs no rebuild.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from callscope.schedule.roster import OFF, Roster, RosterProblem

__all__ = ["RosterModel", "SolveOutcome", "sub_problem"]


def sub_problem(problem: RosterProblem, roster: Roster, agents: Sequence[int]) -> RosterProblem:
    """The problem of re-rostering ``agents`` while everyone else keeps ``roster``: those
    agents, their requests, and each cover requirement less the others already on it
    (possibly negative: the others are over it). Its objective is the whole roster's
    minus the other agents' request weights."""
    keep = set(agents)
    ids = {problem.agents[e].id for e in keep}
    sidx = problem.shift_index()
    others: dict[tuple[int, int], int] = {}
    for e, row in enumerate(roster.days):
        if e in keep:
            continue
        for d, s in enumerate(row):
            if s != OFF:
                others[d, s] = others.get((d, s), 0) + 1
    cover = tuple(
        replace(c, requirement=c.requirement - others.get((c.day, sidx[c.shift]), 0))
        for c in problem.cover
    )
    return replace(
        problem,
        agents=tuple(problem.agents[e] for e in sorted(keep)),
        requests=tuple(r for r in problem.requests if r.agent in ids),
        cover=cover,
    )


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    """One CP-SAT call: its status name, the roster (``None`` if none found), its
    objective, CP-SAT's proven bound, and wall seconds."""

    status: str
    roster: Roster | None
    objective: float
    bound: float
    seconds: float

    @property
    def optimal(self) -> bool:
        return self.status == "OPTIMAL"


class RosterModel:
    """The CP-SAT model of ``problem`` (see the module docstring)."""

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = p = problem
        m = self.model = cp_model.CpModel()
        H, S, E = p.horizon, len(p.shifts), len(p.agents)
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.w: dict[tuple[int, int], cp_model.IntVar | int] = {}
        succ = p.successions()
        sidx = p.shift_index()
        objective: list[cp_model.LinearExprT] = []
        const = 0
        for e, a in enumerate(p.agents):
            c = a.contract
            allowed = p.allowed(a)
            for d in range(H):
                for s in range(S):
                    if allowed[d][s]:
                        self.x[e, d, s] = m.new_bool_var(f"x{e}_{d}_{s}")
                xs = [self.x[e, d, s] for s in range(S) if (e, d, s) in self.x]
                if not xs:
                    self.w[e, d] = 0
                elif len(xs) == 1:
                    self.w[e, d] = xs[0]
                else:
                    wv = m.new_bool_var(f"w{e}_{d}")
                    m.add(sum(xs) == wv)
                    self.w[e, d] = wv
            ws = [self.w[e, d] for d in range(H)]
            for key, cap in c.max_shifts.items():
                members = p.shift_set(key)
                xs = [self.x[e, d, s] for d in range(H) for s in members if (e, d, s) in self.x]
                if xs and cap < len(xs):
                    m.add(sum(xs) <= cap)
            minutes = sum(p.shifts[s].minutes * v for (ee, _, s), v in self.x.items() if ee == e)
            if c.max_minutes is not None:
                m.add(minutes <= c.max_minutes)
            if c.min_minutes > 0:
                m.add(minutes >= c.min_minutes)
            k = c.max_consecutive_shifts
            if k is not None and k < H:
                for d in range(H - k):
                    window = [v for v in ws[d : d + k + 1] if not isinstance(v, int)]
                    if len(window) > k:
                        m.add(sum(window) <= k)
            self._min_runs(ws, c.min_consecutive_shifts, on=True)
            self._min_runs(ws, c.min_consecutive_days_off, on=False)
            if c.max_weekends is not None:
                wks = []
                for days in p.weekends():
                    vs = [ws[d] for d in days if not isinstance(ws[d], int)]
                    if not vs:
                        continue
                    kv = m.new_bool_var(f"k{e}_{days[0]}")
                    for v in vs:
                        m.add_implication(v, kv)
                    wks.append(kv)
                if len(wks) > c.max_weekends:
                    m.add(sum(wks) <= c.max_weekends)
            rest = p.rest_forbidden(c)
            for d in range(H - 1):
                for s in range(S):
                    if (e, d, s) not in self.x:
                        continue
                    nxt = {t for t in succ[s]} | {t for (u, t) in rest if u == s}
                    vs = [self.x[e, d + 1, t] for t in sorted(nxt) if (e, d + 1, t) in self.x]
                    if vs:
                        m.add(self.x[e, d, s] + sum(vs) <= 1)
        aidx = p.agent_index()
        for r in p.requests:
            e = aidx[r.agent]
            xs = [
                self.x[e, r.day, s] for s in sorted(p.shift_set(r.shift)) if (e, r.day, s) in self.x
            ]
            if r.on:  # at most one shift a day: the sum is 0 or 1
                const += r.weight
                if xs:
                    objective.append(-r.weight * sum(xs))
            elif xs:
                objective.append(r.weight * sum(xs))
        self.cover_vars: list[tuple[cp_model.IntVar, cp_model.IntVar]] = []
        for cv in p.cover:
            s = sidx[cv.shift]
            xs = [self.x[e, cv.day, s] for e in range(E) if (e, cv.day, s) in self.x]
            n = sum(xs)
            # a requirement may be negative in a sub-problem (others already over it)
            under = m.new_int_var(0, max(0, cv.requirement), f"u{cv.day}_{s}")
            over = m.new_int_var(0, max(0, len(xs) - cv.requirement), f"o{cv.day}_{s}")
            m.add(under >= cv.requirement - n)
            m.add(over >= n - cv.requirement)
            self.cover_vars.append((under, over))
            objective.append(cv.under_weight * under + cv.over_weight * over)
        self.constant = const
        m.minimize(sum(objective) + const)
        self._xs = list(self.x.items())
        self._domains: dict[int, tuple[int, int]] = {}

    def _min_runs(self, ws: list[cp_model.IntVar | int], m_len: int, *, on: bool) -> None:
        """Forbid inner runs (of work if ``on``, else of days off) shorter than
        ``m_len``: no ``other, run x l, other`` with ``l < m_len`` away from the
        horizon's ends."""
        H = len(ws)

        def lit(v: cp_model.IntVar | int, value: bool) -> cp_model.LiteralT | bool:
            if isinstance(v, int):
                return bool(v) == value
            return v if value else ~v

        for length in range(1, m_len):
            for start in range(1, H - length):
                clause: list[cp_model.LiteralT | bool] = [lit(ws[start - 1], on)]
                clause += [lit(ws[d], not on) for d in range(start, start + length)]
                clause.append(lit(ws[start + length], on))
                if any(c is True for c in clause):
                    continue
                lits = [c for c in clause if c is not False]
                if lits:
                    self.model.add_bool_or(lits)  # type: ignore[arg-type]

    # -- solving ---------------------------------------------------------------------

    def roster_from(self, solver: cp_model.CpSolver) -> Roster:
        p = self.problem
        days = [[OFF] * p.horizon for _ in p.agents]
        for (e, d, s), v in self._xs:
            if solver.boolean_value(v):
                days[e][d] = s
        return Roster(tuple(tuple(r) for r in days))

    def hint(self, roster: Roster) -> None:
        """Use ``roster`` as the solution hint."""
        self.model.clear_hints()
        for (e, d, s), v in self._xs:
            self.model.add_hint(v, roster.days[e][d] == s)

    def fix(self, roster: Roster, keep: Iterable[tuple[int, int]]) -> None:
        """Fix every ``x`` to its value in ``roster`` except the (agent, day) pairs of
        ``keep``; :meth:`unfix` restores the model."""
        free = set(keep)
        variables = self.model.proto.variables
        for (e, d, s), v in self._xs:
            if (e, d) in free:
                continue
            i = v.index
            dom = variables[i].domain
            if i not in self._domains:
                self._domains[i] = (dom[0], dom[1])
            val = 1 if roster.days[e][d] == s else 0
            dom[0] = val
            dom[1] = val

    def unfix(self) -> None:
        variables = self.model.proto.variables
        for i, (lo, hi) in self._domains.items():
            dom = variables[i].domain
            dom[0] = lo
            dom[1] = hi
        self._domains.clear()

    def solve(
        self,
        seconds: float,
        *,
        workers: int = 2,
        seed: int = 0,
        log: bool = False,
        **params: object,
    ) -> SolveOutcome:
        """Run CP-SAT for at most ``seconds`` (wall) with ``workers`` threads (``params``:
        more CP-SAT parameters)."""
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.max_time_in_seconds = max(0.01, seconds)
        prm.num_workers = workers
        prm.random_seed = seed
        prm.log_search_progress = log
        for k, v in params.items():
            setattr(prm, k, v)
        t0 = time.perf_counter()
        status = solver.solve(self.model)
        took = time.perf_counter() - t0
        name = solver.status_name(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return SolveOutcome(
                name,
                self.roster_from(solver),
                solver.objective_value,
                solver.best_objective_bound,
                took,
            )
        return SolveOutcome(name, None, float("inf"), solver.best_objective_bound, took)
