"""A lower bound on the best roster by column generation, and rosters from its columns.

The Dantzig-Wolfe master (the relaxation of Curtois & Qu's branch and price, 2014; see
Desaulniers, Desrosiers & Solomon, *Column Generation*, 2005) chooses one schedule per
agent among columns ``p`` (a shift or a day off for every day, meeting every hard rule
of the agent's contract):

    min  sum_e sum_p c_p l_ep + sum_{d,s} (wu_ds u_ds + wo_ds o_ds)
    s.t. sum_p l_ep = 1                               (agent e; dual pi_e)
         sum_{e,p} a_pds l_ep + u_ds - o_ds = r_ds    (cover of day d, shift s; dual mu_ds)
         l, u, o >= 0

with ``c_p`` the request weights the schedule leaves unmet. HiGHS solves the master LP;
the pricing problem of each agent (the schedule of least reduced cost ``c_p - sum mu_ds
a_pds - pi_e``) is the one-agent CP-SAT model of :class:`.roster_cpsat.RosterModel` with
the reduced costs as objective (scaled to integers by rounding down, so its optimum
never overstates the true one).

Every complete pricing round gives the Lagrangian bound ``z_master + sum_e min(0,
rc_e)`` (``rc_e`` each agent's least reduced cost, or CP-SAT's bound on it), valid at
any iteration because the duals keep ``-wo <= mu <= wu``; at convergence it is the
master's LP value. Bounds are rounded up: the objective is an integer. Units: the
benchmark's weights.

:func:`master_roster` solves the master over the generated columns as an integer
program ("price and branch"): often a very good roster, handed to the search.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from callscope.schedule.roster import OFF, Roster, RosterProblem

__all__ = [
    "ColumnGeneration",
    "ColumnPool",
    "MasterFailed",
    "Pricer",
    "column_generation_bound",
    "master_roster",
    "request_costs",
]

_SCALE = 1000  # reduced costs in thousandths of a weight for CP-SAT's integer objective


class ColumnPool:
    """The columns generated so far: per agent, the set of schedules (a shift index or
    :data:`~callscope.schedule.roster.OFF` per day); thread-safe."""

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        self.lock = threading.Lock()
        self.by_agent: list[dict[tuple[int, ...], None]] = [{} for _ in problem.agents]

    def add_roster(self, roster: Roster) -> None:
        with self.lock:
            for e, row in enumerate(roster.days):
                self.by_agent[e].setdefault(tuple(row), None)

    def snapshot(self) -> list[list[tuple[int, ...]]]:
        with self.lock:
            return [list(d) for d in self.by_agent]


def request_costs(problem: RosterProblem) -> tuple[list[dict[tuple[int, int], int]], list[int]]:
    """Per agent: (day, shift) -> weight change if worked (off requests +, on requests
    -), and the constant (every on request's weight, paid when not met)."""
    aidx = problem.agent_index()
    delta: list[dict[tuple[int, int], int]] = [{} for _ in problem.agents]
    const = [0] * len(problem.agents)
    for r in problem.requests:
        e = aidx[r.agent]
        if r.on:
            const[e] += r.weight
        sign = -1 if r.on else 1
        for s in problem.shift_set(r.shift):  # at most one shift a day: exact
            key = (r.day, s)
            delta[e][key] = delta[e].get(key, 0) + sign * r.weight
    return delta, const


def _column_cost(row: Sequence[int], delta: dict[tuple[int, int], int], const: int) -> int:
    return const + sum(delta.get((d, s), 0) for d, s in enumerate(row) if s != OFF)


_BANNER = threading.Lock()


def _silent_highs() -> Any:
    """A ``highspy.Highs`` whose start-up banner goes to the null device, not stdout
    (a command's JSON must stay JSON)."""
    import highspy

    with _BANNER:
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError):
            h = highspy.Highs()
        else:
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(null)
    h.setOptionValue("output_flag", False)
    return h


class MasterFailed(RuntimeError):
    """HiGHS did not solve the master LP to optimality (no duals, no bound)."""


class _Master:
    """The restricted master LP in HiGHS."""

    def __init__(self, problem: RosterProblem) -> None:
        import highspy

        self.problem = p = problem
        h = self.h = _silent_highs()
        h.setOptionValue("threads", 1)
        E = len(p.agents)
        sidx = p.shift_index()
        #: (day, shift) -> its cover rows (several when the cover has tiers)
        self.cover_row: dict[tuple[int, int], list[int]] = {}
        for _ in range(E):  # one convexity row per agent
            h.addRow(1.0, 1.0, 0, [], [])
        for i, cv in enumerate(p.cover):
            r = E + i
            self.cover_row.setdefault((cv.day, sidx[cv.shift]), []).append(r)
            h.addRow(float(cv.requirement), float(cv.requirement), 0, [], [])
            h.addCol(float(cv.under_weight), 0.0, highspy.kHighsInf, 1, [r], [1.0])
            h.addCol(float(cv.over_weight), 0.0, highspy.kHighsInf, 1, [r], [-1.0])
        self.first_column = h.getNumCol()  #: the master's columns come after u and o
        self.columns: list[tuple[int, tuple[int, ...]]] = []
        self.seen: set[tuple[int, tuple[int, ...]]] = set()
        self.delta, self.const = request_costs(p)

    def add(self, e: int, row: tuple[int, ...]) -> bool:
        if (e, row) in self.seen:
            return False
        self.seen.add((e, row))
        idx = [e] + sorted(
            r for d, s in enumerate(row) if s != OFF for r in self.cover_row.get((d, s), ())
        )
        cost = float(_column_cost(row, self.delta[e], self.const[e]))
        self.h.addCol(cost, 0.0, 1.0, len(idx), idx, [1.0] * len(idx))
        self.columns.append((e, row))
        return True

    def solve(self) -> tuple[float, list[float], dict[tuple[int, int], float]]:
        import highspy

        status = self.h.run()
        if (
            status == highspy.HighsStatus.kError
            or self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal
        ):
            # e.g. HiGHS's global scheduler started by another model with another
            # thread count (a shift cover solved first in the same process)
            raise MasterFailed(self.h.modelStatusToString(self.h.getModelStatus()))
        info = self.h.getInfo()
        sol = self.h.getSolution()
        duals = list(sol.row_dual)
        E = len(self.problem.agents)
        mu = {key: sum(duals[r] for r in rows) for key, rows in self.cover_row.items()}
        return float(info.objective_function_value), duals[:E], mu


class Pricer:
    """One agent's CP-SAT model, objective set per round."""

    def __init__(self, problem: RosterProblem, e: int) -> None:
        from callscope.schedule.roster_cpsat import RosterModel

        a = problem.agents[e]
        sub = RosterProblem(
            horizon=problem.horizon,
            shifts=problem.shifts,
            agents=(a,),
            forbidden=problem.forbidden,
            first_weekday=problem.first_weekday,
        )
        self.rm = RosterModel(sub)
        self.hint: Roster | None = None

    def price(
        self, cost: dict[tuple[int, int], int], seconds: float
    ) -> tuple[list[tuple[tuple[int, ...], float]], float]:
        """The schedules CP-SAT found (best last) with their scaled objectives, and its
        bound on the optimum (``inf`` when the agent has no feasible schedule)."""
        from ortools.sat.python import cp_model

        rm = self.rm
        m = rm.model
        m.minimize(sum(cost.get((d, s), 0) * v for (_, d, s), v in rm.x.items()))
        if self.hint is not None:
            rm.hint(self.hint)
        found: list[tuple[tuple[int, ...], float]] = []
        items = [(d, s, v) for (_, d, s), v in rm.x.items()]
        H = rm.problem.horizon

        class Collect(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                row = [OFF] * H
                for d, s, v in items:
                    if self.boolean_value(v):
                        row[d] = s
                found.append((tuple(row), self.objective_value))

        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        solver.parameters.num_workers = 1
        st = solver.solve(m, Collect())
        if st == cp_model.INFEASIBLE:
            return [], math.inf
        if found:
            self.hint = Roster((found[-1][0],))
        return found, solver.best_objective_bound


class ColumnGeneration:
    """The master and one pricer per agent, kept between rounds (warm starts)."""

    def __init__(self, problem: RosterProblem, pool: ColumnPool, *, threads: int = 1) -> None:
        self.problem = problem
        self.pool = pool
        self.master = _Master(problem)
        self.pricers: list[Pricer | None] = [None] * len(problem.agents)
        self.fixed: dict[int, int] = {}  #: agent -> its column's index in the master
        self.threads = threads
        self.columns_per_agent = 3
        self.sync()

    def seed(self, deadline: float) -> bool:
        """Give every agent without a column its cheapest schedule by requests alone
        (pricing with zero duals); False if some agent has no feasible schedule (or
        time ran out)."""
        have = {e for e, _ in self.master.columns}
        for e in range(len(self.problem.agents)):
            if e in have:
                continue
            left = deadline - time.perf_counter()
            if left <= 0:
                return False
            found, _ = self._price(e, {}, left)
            if not found:
                return False
            self.master.add(e, found[-1][0])
            with self.pool.lock:
                self.pool.by_agent[e].setdefault(found[-1][0], None)
        return True

    def sync(self) -> None:
        """Take the pool's columns into the master (the search adds rosters to it)."""
        for e, cols in enumerate(self.pool.snapshot()):
            if e in self.fixed:
                continue
            for row in cols:
                self.master.add(e, row)

    def ready(self) -> bool:
        """Every agent has a column (the master is feasible)."""
        have = {e for e, _ in self.master.columns}
        return len(have) == len(self.problem.agents)

    def _price(
        self, e: int, mu: dict[tuple[int, int], float], seconds: float
    ) -> tuple[list[tuple[tuple[int, ...], float]], float]:
        pr = self.pricers[e]
        if pr is None:
            pr = self.pricers[e] = Pricer(self.problem, e)
        delta = self.master.delta[e]
        cost = {
            (d, s): math.floor((delta.get((d, s), 0) - mu.get((d, s), 0.0)) * _SCALE)
            for _, d, s in pr.rm.x
        }
        return pr.price(cost, seconds)

    def round(
        self, deadline: float, stop: threading.Event | None = None
    ) -> tuple[float, float | None, int]:
        """One round: solve the master, price every free agent. Returns the master's
        LP value, the Lagrangian bound (``None`` if pricing was cut short) and how
        many columns were added."""
        self.sync()
        try:
            z, pi, mu = self.master.solve()
        except MasterFailed:
            return math.nan, None, 0
        lagr: float | None = z
        added = 0
        todo = [e for e in range(len(self.problem.agents)) if e not in self.fixed]

        def one(e: int) -> tuple[int, list[tuple[tuple[int, ...], float]], float] | None:
            left = deadline - time.perf_counter()
            if left <= 0 or (stop is not None and stop.is_set()):
                return None
            found, lb = self._price(e, mu, min(left, 10.0))
            return e, found, lb

        if self.threads > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(self.threads) as ex:
                results = list(ex.map(one, todo))
        else:
            results = [one(e) for e in todo]
        for res in results:
            if res is None:
                lagr = None
                continue
            e, found, lb = res
            const = self.master.const[e] - pi[e]
            if lagr is not None:
                lagr += min(0.0, lb / _SCALE + const)
            for row, val in found[-self.columns_per_agent :]:
                if val / _SCALE + const < -1e-6 and self.master.add(e, row):
                    added += 1
                    with self.pool.lock:
                        self.pool.by_agent[e].setdefault(row, None)
        return z, lagr, added

    def fix(self, e: int, j: int) -> None:
        """Agent ``e`` works column ``j`` of the master (its other columns are out)."""
        cols = self.master.columns
        n0 = self.master.first_column
        for k, (ee, _) in enumerate(cols):
            if ee == e:
                v = 1.0 if k == j else 0.0
                self.master.h.changeColBounds(n0 + k, v, v)
        self.fixed[e] = j

    def unfix(self) -> None:
        n0 = self.master.first_column
        for k in range(len(self.master.columns)):
            self.master.h.changeColBounds(n0 + k, 0.0, 1.0)
        self.fixed.clear()

    def values(self) -> list[float]:
        """The master's LP values of the columns (after a round)."""
        n0 = self.master.first_column
        return list(self.master.h.getSolution().col_value)[n0:]

    def dive(
        self, deadline: float, stop: threading.Event | None = None, *, rounds: int = 8
    ) -> Roster | None:
        """Diving: converge (at most ``rounds`` rounds), fix the agents whose LP
        column is integral, else the one closest to it; again until every agent is
        fixed. After ``deadline`` it prices no more and fixes from the master LP alone
        (milliseconds), so it always ends with a roster: every column is a feasible
        schedule. A heuristic (no bound); undoes its fixing at the end. ``None`` only
        when ``stop`` is set."""
        E = len(self.problem.agents)
        try:
            while len(self.fixed) < E:
                if stop is not None and stop.is_set():
                    return None
                for _ in range(rounds):
                    if time.perf_counter() >= deadline:
                        break
                    _, _, added = self.round(deadline, stop)
                    if added == 0:
                        break
                try:
                    self.master.solve()
                except MasterFailed:
                    return None
                vals = self.values()
                best_e, best_j, best_v = -1, -1, -1.0
                newly = 0
                for j, (e, _) in enumerate(self.master.columns):
                    if e in self.fixed:
                        continue
                    if vals[j] > 1 - 1e-6:
                        self.fix(e, j)
                        newly += 1
                    elif vals[j] > best_v:
                        best_e, best_j, best_v = e, j, vals[j]
                if newly == 0 and best_e >= 0:
                    self.fix(best_e, best_j)
            rows: list[tuple[int, ...]] = [()] * E
            for e, j in self.fixed.items():
                rows[e] = self.master.columns[j][1]
            return Roster(tuple(rows))
        finally:
            self.unfix()


def column_generation_bound(
    problem: RosterProblem,
    deadline: float,
    *,
    on_bound: Callable[[float], None],
    stop: threading.Event | None = None,
    pool: ColumnPool | None = None,
    on_round: Callable[[int, float, float], None] | None = None,
    threads: int = 1,
) -> float:
    """Run column generation until ``deadline`` (a :func:`time.perf_counter` value),
    convergence or ``stop``; report each better proven bound (rounded up) to
    ``on_bound`` and return the best. ``pool`` seeds the master with its columns (at
    least one per agent, e.g. a roster's) and receives the generated ones."""
    cg = ColumnGeneration(problem, pool or ColumnPool(problem), threads=threads)
    if not cg.seed(deadline):
        return -math.inf
    best = -math.inf
    rounds = 0
    while time.perf_counter() < deadline and not (stop and stop.is_set()):
        z, lagr, added = cg.round(deadline, stop)
        if math.isnan(z):  # the master LP failed: no bound from here
            break
        rounds += 1
        if on_round is not None:
            on_round(rounds, z, -math.inf if lagr is None else lagr)
        if lagr is not None:
            value = math.ceil(lagr - 1e-6)
            if added == 0:
                value = max(value, math.ceil(z - 1e-6))
            if value > best:
                best = value
                on_bound(value)
            if added == 0:
                break
    return best


def master_roster(
    problem: RosterProblem, pool: ColumnPool, seconds: float, *, cutoff: float | None = None
) -> tuple[Roster | None, float]:
    """The best roster made of the pool's columns (one per agent), by HiGHS as an
    integer program within ``seconds``; (None, inf) if none is found."""
    import highspy

    master = _Master(problem)
    for e, cols in enumerate(pool.snapshot()):
        for row in cols:
            master.add(e, row)
    h = master.h
    n0 = master.first_column
    n = h.getNumCol()
    idx = list(range(n0, n))
    h.changeColsIntegrality(len(idx), idx, [highspy.HighsVarType.kInteger] * len(idx))
    h.setOptionValue("time_limit", max(0.05, seconds))
    h.setOptionValue("mip_rel_gap", 0.0)
    if cutoff is not None:
        h.setOptionValue("objective_bound", cutoff)
    h.run()
    sol = h.getSolution()
    if not sol.value_valid:
        return None, math.inf
    values = list(sol.col_value)
    days: list[tuple[int, ...]] = [()] * len(problem.agents)
    for j, (e, row) in enumerate(master.columns):
        if values[n0 + j] > 0.5:
            days[e] = row
    if any(len(r) != problem.horizon for r in days):
        return None, math.inf
    return Roster(tuple(days)), float(h.getInfo().objective_function_value)
