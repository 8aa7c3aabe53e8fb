"""A small seam over HiGHS (``highspy``): one mixed-integer program in, values and
bounds out.

:func:`solve_mip` takes the model as arrays (costs, bounds, a sparse constraint matrix
in compressed columns, which columns are integer) and returns a :class:`MipSolution`:
the values, the objective, the LP relaxation's optimum (``lp_bound``, a lower bound on
any solution), HiGHS's proven bound and the status. HiGHS prints a banner when a solver
is made; it is kept off stdout (a command's JSON must stay JSON).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MipSolution", "solve_mip"]

_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class MipSolution:
    """What HiGHS found: ``values`` per column, ``objective`` (``nan`` when no solution),
    ``lp_bound`` (the LP relaxation's optimum), ``bound`` (the best proven lower bound,
    at least ``lp_bound``), ``status`` (``optimal``, ``time_limit`` ...) and seconds."""

    values: np.ndarray
    objective: float
    lp_bound: float
    bound: float
    status: str
    seconds: float


def _highs() -> Any:
    """A silent ``highspy.Highs`` (its banner goes to the null device, not stdout)."""
    import highspy

    with _LOCK:
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
    h.silent()
    return h


def _lp(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    start: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
) -> Any:
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = int(cost.size)
    lp.num_row_ = int(row_lower.size)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    return lp


def solve_mip(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    start: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
    integer: np.ndarray,
    *,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-4,
    threads: int | None = None,
    start_values: np.ndarray | None = None,
) -> MipSolution:
    """Minimise ``cost @ x`` subject to ``row_lower <= A x <= row_upper`` and
    ``lower <= x <= upper``, ``x[integer]`` whole (``A`` in compressed sparse columns:
    ``start``, ``index``, ``value``). Solves the LP relaxation first (its optimum is
    ``lp_bound``), then the MIP within ``time_limit_s`` and ``mip_rel_gap``, from
    ``start_values`` when the caller has a feasible solution to start from."""
    import highspy

    # HiGHS keeps one thread scheduler per process, made by the first model that runs;
    # a later model asking for another thread count fails (status kNotset). Every
    # callscope model runs on one thread, so models of any kind run in any order (the
    # roster's master LP too; HiGHS's MIP search is serial anyway).
    threads = 1 if threads is None else threads
    t0 = time.perf_counter()
    inf = highspy.kHighsInf
    up = np.where(np.isfinite(upper), upper, inf)
    rl = np.where(np.isfinite(row_lower), row_lower, -inf)
    ru = np.where(np.isfinite(row_upper), row_upper, inf)
    lp = _lp(cost, lower, up, rl, ru, start, index, value)

    relax = _highs()
    relax.setOptionValue("time_limit", float(time_limit_s))
    if threads:
        relax.setOptionValue("threads", int(threads))
    relax.passModel(lp)
    relax.run()
    lp_bound = (
        float(relax.getInfo().objective_function_value)
        if relax.getModelStatus() == highspy.HighsModelStatus.kOptimal
        else -np.inf
    )

    h = _highs()
    h.setOptionValue("time_limit", max(float(time_limit_s) - (time.perf_counter() - t0), 1.0))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if threads:
        h.setOptionValue("threads", int(threads))
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
        for flag in integer
    ]
    h.passModel(lp)
    if start_values is not None:  # a feasible solution the caller built: a first incumbent
        sol = highspy.HighsSolution()
        sol.col_value = list(np.asarray(start_values, dtype=np.float64))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    names = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kInterrupt: "interrupted",
    }
    has = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value) if has else np.full(cost.size, np.nan)
    objective = float(info.objective_function_value) if has else float("nan")
    bound = float(info.mip_dual_bound)
    if status == highspy.HighsModelStatus.kOptimal and not np.isfinite(bound):
        bound = objective
    bound = max(bound, lp_bound) if np.isfinite(bound) else lp_bound
    return MipSolution(
        values=values,
        objective=objective,
        lp_bound=lp_bound,
        bound=bound,
        status=names.get(status, str(status).rsplit(".", 1)[-1]),
        seconds=time.perf_counter() - t0,
    )
