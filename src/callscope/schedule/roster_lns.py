"""Rostering: column generation for a bound and good rosters, large-neighbourhood search.

:func:`solve_roster` runs two threads within a wall-clock budget (the machine's two
cores; ``workers=1`` runs the same steps one after the other):

* **The search** (:class:`_Search`). On a small instance (agents x days x shifts <=
  4,000) CP-SAT first tries the whole model (:class:`.roster_cpsat.RosterModel`) for 5 %
  of the budget, which often proves the optimum. Then a first roster: each agent's
  schedule cheapest by requests alone, improved by *best responses* (one agent at a
  time, the exact best schedule given everyone else's: the one-agent CP-SAT model with
  the marginal cover cost of each shift as objective) until no agent can improve. Then
  **large-neighbourhood search** (Shaw 1998; Pisinger & Ropke 2010; the LNS of the
  CP-SAT docs): free part of the best roster (a few agents over the horizon, every
  agent over a window of days, or more agents over half the horizon), keep the rest,
  and let CP-SAT complete it, hinted with the current roster; a completion at least as
  good replaces it. A neighbourhood solved in under half a second grows the next one of
  its kind by 15 %, a slower one shrinks it.
* **Column generation** (:mod:`.roster_colgen`, Dantzig-Wolfe over each agent's
  feasible schedules, the relaxation of Curtois & Qu's branch and price): every
  complete round proves a Lagrangian bound; at convergence, the LP optimum. It runs
  for up to 60 % of the budget (50 % on larger instances). When it converged, a *dive*
  (fix the agents whose LP column is integral, else the most fractional one's best
  column, re-converge, repeat) and an integer program over all columns generated
  (HiGHS) each propose a roster. The thread then runs a second search.

Every roster found goes to the shared best (and its schedules to the column pool); the
run stops as soon as the best roster's objective meets the bound (the objective is an
integer, so ``objective - bound < 1`` is optimal). CP-SAT's own bound counts too. Given
a ``seed`` the neighbourhoods are drawn the same way, but two threads and time limits
make runs differ a little from one to the next.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from callscope.schedule.roster import (
    OFF,
    Cover,
    Penalty,
    Roster,
    RosterProblem,
    penalty,
    violations,
)
from callscope.schedule.roster_colgen import ColumnPool, Pricer, request_costs
from callscope.schedule.roster_cpsat import RosterModel, sub_problem

__all__ = ["RosterResult", "solve_roster"]


@dataclass(frozen=True)
class RosterResult:
    """The best roster found and how good it is proven to be.

    ``objective`` is the benchmark objective (weights), ``bound`` a proven lower bound
    on the optimum, ``gap = (objective - bound) / objective`` (0 when optimal),
    ``seconds`` wall time. ``feasible`` is ``False`` when no roster meeting every hard
    rule was found (``roster`` is then ``None``)."""

    problem: RosterProblem
    roster: Roster | None
    objective: float
    penalty: Penalty | None
    bound: float
    seconds: float
    feasible: bool
    optimal: bool
    iterations: int  #: neighbourhoods searched
    improvements: int
    bound_source: str  #: "cp-sat", "column generation" or "none"

    @property
    def gap(self) -> float:
        if not self.feasible:
            return math.inf
        if self.objective <= 0:
            return 0.0 if self.bound >= self.objective else math.inf
        return max(0.0, (self.objective - self.bound) / self.objective)


class _Best:
    """The shared best roster and bound (the search and the bound thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.roster: Roster | None = None
        self.objective = math.inf
        self.bound = 0.0  # every weight is >= 0: 0 bounds any roster; "none" proved more
        self.bound_source = "none"
        self.infeasible = False  #: CP-SAT proved that no roster meets the hard rules
        self.stop = threading.Event()

    def offer_bound(self, value: float, source: str) -> None:
        with self.lock:
            if value > self.bound:
                self.bound, self.bound_source = value, source
            if self.objective - self.bound < 1 - 1e-6:
                self.stop.set()

    def offer(self, roster: Roster, objective: float) -> bool:
        with self.lock:
            if objective <= self.objective:
                better = objective < self.objective
                self.roster, self.objective = roster, objective
                if self.objective - self.bound < 1 - 1e-6:
                    self.stop.set()
                return better
        return False


def _neighbourhood(
    rng: random.Random, problem: RosterProblem, kind: str, size: float
) -> tuple[list[int], range]:
    """The agents and the window of days to free: ``kind`` agents (a few agents, the
    whole horizon), days (every agent, a window) or block (more agents, half the
    horizon); ``size`` in (0, 1] is roughly the share of the roster freed."""
    E, H = len(problem.agents), problem.horizon
    if kind == "agents":
        k = min(E, max(2, round(size * E)))  # a single agent: that one
        return sorted(rng.sample(range(E), k)), range(H)
    if kind == "days":
        w = min(H, max(2, round(size * H)))
        start = rng.randrange(0, H - w + 1)
        return list(range(E)), range(start, start + w)
    w = min(H, max(3, round(H * 0.5)))
    k = min(E, max(2, round(2 * size * E)))
    start = rng.randrange(0, H - w + 1)
    return sorted(rng.sample(range(E), k)), range(start, start + w)


class _Search:
    """Local search on its own models (one per thread): best responses of one agent at
    a time (each agent's exact best schedule given the others, the pricing model with
    marginal cover costs), then large-neighbourhood search with CP-SAT."""

    def __init__(self, problem: RosterProblem, best: _Best, pool: ColumnPool, seed: int) -> None:
        self.problem = problem
        self.best = best
        self.pool = pool
        self.model: RosterModel | None = None  # the whole model, built when first needed
        self.pricers: list[Pricer | None] = [None] * len(problem.agents)
        self.rng = random.Random(seed)
        self.size = {"agents": 0.1, "days": 0.2, "block": 0.1}
        self.iterations = self.improvements = 0
        self.delta, self.const = request_costs(problem)

    def whole(self) -> RosterModel:
        if self.model is None:
            self.model = RosterModel(self.problem)
        return self.model

    def first(self, deadline: float, budget: float, workers: int) -> bool:
        """CP-SAT on the whole model for ``budget`` seconds; True when that proved the
        roster optimal."""
        m = self.whole()
        out = m.solve(min(budget, deadline - time.perf_counter()), workers=workers, seed=0)
        if out.roster is not None:
            self.offer(out.roster, out.objective)
        if out.status == "INFEASIBLE":
            self.best.infeasible = True
            self.best.stop.set()
        self.best.offer_bound(math.ceil(out.bound - 1e-6), "cp-sat")
        return out.optimal

    def offer(self, roster: Roster, objective: float) -> bool:
        self.pool.add_roster(roster)
        return self.best.offer(roster, objective)

    def _pricer(self, e: int) -> Pricer:
        pr = self.pricers[e]
        if pr is None:
            pr = self.pricers[e] = Pricer(self.problem, e)
        return pr

    def seed_roster(self, deadline: float) -> Roster | None:
        """Each agent's schedule cheapest by requests alone (None: some agent has none)."""
        rows = []
        for e in range(len(self.problem.agents)):
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            found, _ = self._pricer(e).price({}, left)
            if not found:
                return None
            rows.append(found[-1][0])
        return Roster(tuple(rows))

    def descend(self, roster: Roster, deadline: float) -> Roster:
        """Best responses, agent by agent in random order, until a sweep improves
        nothing (or time runs out). Every step keeps the roster feasible."""
        p = self.problem
        sidx = p.shift_index()
        count: dict[tuple[int, int], int] = {}
        for row in roster.days:
            for d, s in enumerate(row):
                if s != OFF:
                    count[d, s] = count.get((d, s), 0) + 1
        cover: dict[tuple[int, int], list[Cover]] = {}
        for entry in p.cover:  # several entries for one day and shift: tiers
            cover.setdefault((entry.day, sidx[entry.shift]), []).append(entry)
        rows = [list(r) for r in roster.days]
        improved = True
        while improved and time.perf_counter() < deadline and not self.best.stop.is_set():
            improved = False
            order = list(range(len(rows)))
            self.rng.shuffle(order)
            for e in order:
                if time.perf_counter() >= deadline or self.best.stop.is_set():
                    break
                for d, s in enumerate(rows[e]):
                    if s != OFF:
                        count[d, s] -= 1
                cost = {}
                pr = self._pricer(e)
                for _, d, s in pr.rm.x:
                    c = self.delta[e].get((d, s), 0)
                    for cv in cover.get((d, s), ()):
                        c += (
                            cv.over_weight
                            if count.get((d, s), 0) >= cv.requirement
                            else -cv.under_weight
                        )
                    cost[d, s] = c
                now = sum(cost[d, s] for d, s in enumerate(rows[e]) if s != OFF)
                found, _ = pr.price(cost, min(2.0, deadline - time.perf_counter()))
                if found and found[-1][1] < now - 0.5:
                    rows[e] = list(found[-1][0])
                    improved = True
                for d, s in enumerate(rows[e]):
                    if s != OFF:
                        count[d, s] = count.get((d, s), 0) + 1
        return Roster(tuple(tuple(r) for r in rows))

    def _solve_part(
        self, current: Roster, agents: list[int], days: range, seconds: float
    ) -> Roster | None:
        """The best completion found when ``agents`` over ``days`` are free."""
        p = self.problem
        seed = self.rng.randrange(1 << 30)
        if len(agents) == len(p.agents):
            m = self.whole()
            free = [(e, d) for e in agents for d in days]
            local = current
        else:
            m = RosterModel(sub_problem(p, current, agents))
            free = [(i, d) for i in range(len(agents)) for d in days]
            local = Roster(tuple(current.days[e] for e in agents))
        if len(days) == p.horizon and m is not self.model:
            m.hint(local)
            res = m.solve(seconds, workers=1, seed=seed)
        else:
            m.fix(local, free)
            m.hint(local)
            try:
                res = m.solve(seconds, workers=1, seed=seed)
            finally:
                m.unfix()
        if res.roster is None:
            return None
        if m is self.model:
            return res.roster
        rows = list(current.days)
        for i, e in enumerate(agents):
            rows[e] = res.roster.days[i]
        return Roster(tuple(rows))

    def run(self, deadline: float, say: Callable[[str], None] | None = None) -> None:
        """Large-neighbourhood search from the best roster until ``deadline``."""
        kinds = ["agents", "days", "block"]
        best, rng = self.best, self.rng
        while not best.stop.is_set():
            left = deadline - time.perf_counter()
            if left < 0.05:
                break
            with best.lock:
                current, cur_obj = best.roster, best.objective
            if current is None:
                time.sleep(0.05)
                continue
            kind = kinds[self.iterations % len(kinds)]
            agents, days = _neighbourhood(rng, self.problem, kind, self.size[kind])
            t = time.perf_counter()
            r = self._solve_part(current, agents, days, min(1.0, left))
            took = time.perf_counter() - t
            self.iterations += 1
            if r is not None:
                obj = penalty(self.problem, r).total
                if obj <= cur_obj and self.offer(r, obj):
                    self.improvements += 1
                    if say:
                        say(f"lns {kind}: roster {obj}")
            grow = 1.15 if took < 0.5 else 0.85
            self.size[kind] = min(1.0, max(0.02, self.size[kind] * grow))


def solve_roster(
    problem: RosterProblem,
    time_limit: float = 60.0,
    *,
    seed: int = 0,
    workers: int = 2,
    bound: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RosterResult:
    """The best roster of ``problem`` found within ``time_limit`` seconds (wall), with
    a proven lower bound (see the module docstring). ``workers``: threads (2: the
    search in one, column generation and then a second search in the other)."""
    from callscope.schedule.roster_colgen import ColumnGeneration, master_roster

    t0 = time.perf_counter()
    deadline = t0 + time_limit
    say = progress or (lambda _m: None)
    best = _Best()
    pool = ColumnPool(problem)
    search = _Search(problem, best, pool, seed)
    first_budget = max(1.0, 0.05 * time_limit)

    def log(text: str) -> None:
        say(f"{time.perf_counter() - t0:6.1f} s  {text}")

    small = len(problem.agents) * problem.horizon * len(problem.shifts) <= 4000

    def search_thread() -> None:
        if small:  # CP-SAT alone often proves small instances optimal
            search.first(deadline, first_budget, 1)
            log(f"cp-sat: roster {best.objective:g}, bound {best.bound:g}")
        if best.stop.is_set():
            return
        start = search.seed_roster(deadline)
        if start is None:
            return
        r = search.descend(start, deadline)
        search.offer(r, penalty(problem, r).total)
        log(f"best responses: roster {best.objective:g}")
        search.run(deadline, log)

    thread = None
    if workers > 1:
        thread = threading.Thread(target=search_thread, daemon=True)
        thread.start()
    else:
        search_thread()

    def offer(r: Roster | None, what: str) -> None:
        if r is not None and not violations(problem, r):
            obj = penalty(problem, r).total
            log(f"{what}: roster {obj}")
            search.offer(r, obj)

    if bound and not best.stop.is_set():
        cg = ColumnGeneration(problem, pool)
        if cg.seed(deadline):
            seeded = [next(iter(c)) for c in pool.snapshot()]
            offer(Roster(tuple(seeded)), "each agent's cheapest schedule")
            cg_deadline = t0 + (0.6 if small else 0.5) * time_limit
            converged = False
            while time.perf_counter() < cg_deadline and not best.stop.is_set():
                z, lagr, added = cg.round(cg_deadline, best.stop)
                if lagr is None:
                    break
                value = math.ceil(lagr - 1e-6)
                if added == 0:
                    value = max(value, math.ceil(z - 1e-6))
                best.offer_bound(value, "column generation")
                if added == 0:
                    converged = True
                    log(f"column generation converged: bound {best.bound:g}")
                    break
            if converged and not best.stop.is_set():
                offer(cg.dive(t0 + 0.8 * time_limit, best.stop), "dive")
            if converged and not best.stop.is_set():
                left = deadline - time.perf_counter()
                r, _ = master_roster(problem, pool, min(0.5 * left, 20.0), cutoff=best.objective)
                offer(r, "columns")
    second = None
    if not best.stop.is_set():
        second = _Search(problem, best, pool, seed + 1)
        second.run(deadline, log)
    best.stop.set()
    if thread is not None:
        thread.join()
    its = search.iterations + (second.iterations if second else 0)
    imps = search.improvements + (second.improvements if second else 0)
    return _result(problem, best, t0, its, imps)


def _result(
    problem: RosterProblem,
    best: _Best,
    t0: float,
    iterations: int,
    improvements: int,
) -> RosterResult:
    roster = best.roster
    feasible = roster is not None and not violations(problem, roster)
    pen = penalty(problem, roster) if roster is not None else None
    objective = float(pen.total) if pen is not None else math.inf
    return RosterResult(
        problem=problem,
        roster=roster,
        objective=objective,
        penalty=pen,
        bound=max(0.0, min(best.bound, objective)),
        seconds=time.perf_counter() - t0,
        feasible=feasible,
        optimal=feasible and objective - best.bound < 1 - 1e-6,
        iterations=iterations,
        improvements=improvements,
        bound_source=best.bound_source,
    )
