"""A simulated :class:`~callscope.queueing.simulate.Center` from a staffing plan.

The plan is a table with one row per queue and interval (what
:func:`callscope.queueing.plan.plan_intervals` returns): ``interval_start, queue, calls,
aht_s, agents`` and optionally ``patience_s`` and ``interval_s``. Each queue becomes one
:class:`~callscope.queueing.simulate.Queue` answered by its own single-skill
:class:`~callscope.queueing.simulate.AgentGroup` with the plan's ``agents`` per interval.

* **Intervals**: the plan's distinct ``interval_start`` values in ascending order,
  simulated back to back (a gap in the plan, such as a closed night, is not simulated);
  a queue with no row at some interval has no calls and no agents there.
* **Handle time**: one distribution per queue, exponential or lognormal (``handle_cv``)
  with the call-weighted mean of the queue's ``aht_s``,
  ``sum(calls * aht_s) / sum(calls)`` (equal weights when the queue has no calls).
* **Patience**: exponential with the call-weighted mean of the ``patience_s`` column,
  else ``patience_s``; when any of a queue's rows is infinite, or neither is given, its
  callers never abandon.
* ``distributions`` (queue -> ``(handle, patience)``, e.g. resampled from the store)
  replaces both for the queues it names.

>>> center = center_from_plan({"interval_start": ["2025-01-06 09:00", "2025-01-06 09:30"],
...                            "queue": ["sales", "sales"], "calls": [100, 120],
...                            "aht_s": [180, 180], "agents": [12, 14]}, patience_s=60)
>>> center.n_intervals, center.groups[0].agents.tolist(), center.queues[0].patience.mean
(2, [12.0, 14.0], 60.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callscope.errors import CallscopeError
from callscope.queueing.distributions import Distribution
from callscope.queueing.plan import numeric_column
from callscope.queueing.simulate import AgentGroup, Center, Queue

__all__ = ["PLAN_COLUMNS", "center_from_plan"]

#: Columns a plan needs to be simulated.
PLAN_COLUMNS = ("interval_start", "queue", "calls", "aht_s", "agents")
_HANDLES = ("exponential", "lognormal")


def center_from_plan(
    plan: pa.Table | Mapping[str, Sequence[object]],
    *,
    handle: str = "exponential",
    handle_cv: float = 1.0,
    patience_s: float | None = None,
    interval_s: float = 1800.0,
    distributions: Mapping[str, tuple[Distribution, Distribution]] | None = None,
) -> Center:
    """The center that works ``plan`` (see the module docstring).

    ``plan``: an Arrow table or a mapping of column name -> values (strings are parsed,
    ``None``/NaN/"" are missing). A missing column, a value that is not a number, a
    negative ``calls`` or ``agents``, a non-positive ``aht_s`` or ``patience_s``, several
    ``interval_s`` values or a queue planned twice for one interval raise a
    :class:`CallscopeError` (field ``input``) naming the column and the row (1-based).
    ``interval_s`` is used when the plan has no ``interval_s`` column.
    """
    table = _as_table(plan)
    if table.num_rows == 0:
        raise CallscopeError("the plan has no rows", field="input")
    for col in PLAN_COLUMNS:
        if col not in table.column_names:
            raise CallscopeError(
                f"the plan has no column {col!r}; simulate needs {', '.join(PLAN_COLUMNS)} "
                "[patience_s, interval_s] (e.g. the output of `callscope staff`)",
                field="input",
            )
    if handle not in _HANDLES:
        raise CallscopeError(f"handle must be one of {_HANDLES}; got {handle!r}", field="handle")
    if not (handle_cv > 0 and math.isfinite(handle_cv)):
        raise CallscopeError(f"must be > 0 and finite; got {handle_cv}", field="handle_cv")
    if patience_s is not None and not patience_s > 0:
        raise CallscopeError(f"must be > 0; got {patience_s}", field="patience_s")
    calls = _checked(table, "calls", lambda x: x >= 0, ">= 0")
    aht = _checked(table, "aht_s", lambda x: x > 0, "> 0")
    agents = _checked(table, "agents", lambda x: x >= 0, ">= 0")
    if "patience_s" in table.column_names:
        pat = _checked(table, "patience_s", lambda x: x > 0, "> 0 (inf: never abandons)")
    else:
        pat = np.full(calls.shape, math.inf if patience_s is None else float(patience_s))
    if "interval_s" in table.column_names:
        ivs = np.unique(_checked(table, "interval_s", lambda x: x > 0, "> 0"))
        if ivs.size > 1:
            raise CallscopeError(
                f"column 'interval_s' has {ivs.size} different values; simulate needs one "
                "interval length for every row",
                field="input",
            )
        if ivs.size:
            interval_s = float(ivs[0])
    if not (interval_s > 0 and math.isfinite(interval_s)):
        raise CallscopeError(f"must be > 0 and finite; got {interval_s}", field="interval_s")
    starts = table.column("interval_start")
    names = table.column("queue")
    for col, arr in (("interval_start", starts), ("queue", names)):
        if arr.null_count:
            row = int(np.flatnonzero(arr.is_null().to_numpy(zero_copy_only=False))[0]) + 1
            raise CallscopeError(
                f"column {col!r} has an empty value in row {row}: fill it in or drop the row",
                field="input",
            )
    grid, t = np.unique(_sort_keys(starts), return_inverse=True)
    qnames, q = np.unique(
        np.asarray(names.cast(pa.string()).to_pylist(), dtype=object), return_inverse=True
    )
    nq, nt = qnames.size, grid.size
    cell = q * nt + t
    seen, first = np.unique(cell, return_index=True)
    if seen.size < cell.size:
        dup = np.setdiff1d(np.arange(cell.size), first)[0]
        raise CallscopeError(
            f"row {dup + 1} plans queue {qnames[q[dup]]!r} at {starts[int(dup)].as_py()} a "
            "second time; give each queue one row per interval (pool queues first)",
            field="input",
        )
    c = np.bincount(cell, weights=calls, minlength=nq * nt).reshape(nq, nt)
    a = np.bincount(cell, weights=agents, minlength=nq * nt).reshape(nq, nt)
    # call-weighted means per queue (equal weights for a queue without calls)
    has_calls = np.bincount(q, weights=calls, minlength=nq) > 0
    w = np.where(has_calls[q], calls, 1.0)
    wsum = np.bincount(q, weights=w, minlength=nq)
    mean_aht = np.bincount(q, weights=w * aht, minlength=nq) / wsum
    finite_pat = np.isfinite(pat)
    finite = np.bincount(q, weights=finite_pat, minlength=nq) == np.bincount(q, minlength=nq)
    mean_pat = np.bincount(q, weights=w * np.where(finite_pat, pat, 0.0), minlength=nq) / wsum
    queues, groups = [], []
    for k, name in enumerate(str(x) for x in qnames):
        if distributions is not None and name in distributions:
            hd, pd = distributions[name]
        else:
            hd = (
                Distribution.lognormal(mean_aht[k], handle_cv)
                if handle == "lognormal"
                else Distribution.exponential(mean_aht[k])
            )
            pd = Distribution.exponential(mean_pat[k]) if finite[k] else Distribution.never()
        queues.append(Queue(name, c[k], hd, pd))
        groups.append(AgentGroup(name, a[k], (name,)))
    return Center(tuple(queues), tuple(groups), float(interval_s), _start(grid[0]))


def _as_table(plan: pa.Table | Mapping[str, Sequence[object]]) -> pa.Table:
    if isinstance(plan, pa.Table):
        return plan
    cols = {}
    for name, values in plan.items():
        try:
            cols[str(name)] = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed: text with NaN for blanks
            cols[str(name)] = pa.array([None if _blank(v) else str(v) for v in values], pa.string())
    return pa.table(cols)


def _blank(v: object) -> bool:
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


def _checked(table: pa.Table, name: str, ok: object, rule: str) -> np.ndarray:
    """Column ``name`` as float64 (:func:`~callscope.queueing.plan.numeric_column`),
    every value satisfying ``ok`` (a vectorized predicate)."""
    col = table.column(name)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        blank = pc.equal(pc.utf8_trim_whitespace(col), "")
        col = pc.if_else(blank, pa.scalar(None, col.type), col)
        table = table.set_column(table.column_names.index(name), name, col)
    x = numeric_column(table, name)
    bad = np.flatnonzero(~ok(x))  # type: ignore[operator]
    if bad.size:
        raise CallscopeError(
            f"column {name!r} must be {rule}; row {bad[0] + 1} has {x[bad[0]]:g}", field="input"
        )
    return x


def _sort_keys(starts: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """``interval_start`` values as sortable NumPy values (timestamps, or text)."""
    if pa.types.is_timestamp(starts.type) or pa.types.is_date(starts.type):
        return starts.to_numpy(zero_copy_only=False)
    return np.asarray([str(v) for v in starts.to_pylist()], dtype=object)


def _start(first: object) -> datetime:
    """The center's start: the first interval's start, else 2024-01-01 (labels only)."""
    if isinstance(first, np.datetime64):
        return datetime.fromisoformat(str(first.astype("datetime64[us]")))
    try:
        return datetime.fromisoformat(str(first))
    except ValueError:
        return datetime(2024, 1, 1)
