"""The staffing planner over a table of intervals: the one behind ``callscope staff``,
``callscope plan`` and every what-if.

Input: an Arrow table with ``interval_start, queue, calls, aht_s`` and optionally
``channel``, ``interval_s`` (seconds; else the ``interval_s`` argument) and
``patience_s`` (Erlang A; else the ``patience_s`` argument). Output
(:func:`plan_intervals`): the input's columns, then ``target`` (the goal each row was
planned for, as written: ``80/20``) and the planner's columns (:data:`OUTPUT_COLUMNS`).
The whole table is solved in one compiled call of
:func:`~callscope.queueing.staffing.required_agents` per model (Erlang C rows and
Erlang A rows), with per-row targets, patience and concurrency.

* **Targets** are :class:`~callscope.model.target.Target` values: one for every row, or
  one per queue (the center settings give each queue its channel's or its own goal).
* **Erlang A** needs a mean patience per row: the ``patience_s`` column, else a number,
  else a queue -> seconds mapping. An infinite patience (nobody ever abandoned) plans
  that row with Erlang C, which is the limit of Erlang A as patience grows.
* **P(wait)** (``pwait<=50%``): the share of callers who wait at all (Erlang C's
  ``C(N, r)``; Erlang A's probability that every agent is busy). Like every goal, it is
  met by the fewest agents; a row with any calls gets at least one agent.
* **Concurrency**: an agent of a channel takes ``concurrency[channel]`` contacts at once
  (voice: always 1); see :mod:`.staffing` for the model.
* **Shrinkage**: ``scheduled_agents = ceil(agents / (1 - shrinkage))``.
* **Pooling** (:func:`pool_queues`): queues answered by one group of agents are planned
  as one queue: per interval, calls add up, AHT and patience are call-weighted means
  (the pooled queue's handle time is the mix of the queues' handle times).

>>> import pyarrow as pa
>>> from callscope.model.target import Target
>>> t = pa.table({"interval_start": ["2025-01-06 09:00"], "queue": ["sales"],
...               "calls": [100.0], "aht_s": [180.0]})
>>> out = plan_intervals(t, target=Target.parse("80/20"), shrinkage=0.3)
>>> out.column("agents").to_pylist(), out.column("scheduled_agents").to_pylist()
([14], [20])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callscope.errors import CallscopeError
from callscope.model.arrow import flags, numbers, texts, to_numpy
from callscope.model.target import Target
from callscope.queueing.staffing import required_agents

__all__ = [
    "OUTPUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "numeric_column",
    "plan_intervals",
    "pool_queues",
]

REQUIRED_COLUMNS = ("interval_start", "queue", "calls", "aht_s")
#: Columns the planner adds after ``target``, in order.
OUTPUT_COLUMNS = (
    "traffic",
    "agents",
    "scheduled_agents",
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "mean_wait_s",
    "p_wait",
    "met",
)
_HINT = (
    "the planner needs columns interval_start, queue, calls, aht_s "
    "(optional channel, interval_s, patience_s)"
)


def numeric_column(table: pa.Table, name: str) -> np.ndarray:
    """Column ``name`` as float64; a :class:`CallscopeError` (field ``input``) names the
    column and the first row (1-based, after the header) that is empty or not a number."""
    col = table.column(name)
    if not pa.types.is_floating(col.type) and not pa.types.is_integer(col.type):
        try:
            col = pc.cast(col, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            for i, v in enumerate(col.to_pylist()):
                try:
                    float(v)
                except (TypeError, ValueError):
                    raise CallscopeError(
                        f"column {name!r} must be numeric; row {i + 1} has {v!r}: fix or drop "
                        "that row",
                        field="input",
                    ) from None
            raise
    arr = to_numpy(col).astype(np.float64, copy=False)
    bad = np.flatnonzero(np.isnan(arr))
    if bad.size:
        raise CallscopeError(
            f"column {name!r} has an empty value in row {bad[0] + 1}: fill it in or drop the row",
            field="input",
        )
    return arr


def _check_columns(table: pa.Table) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise CallscopeError(f"the input has no column {missing[0]!r}; {_HINT}", field="input")


def _queue_index(table: pa.Table) -> tuple[list[str], np.ndarray]:
    """The distinct queue names and, per row, the index of its queue among them (Arrow
    hashing: no Python loop over rows). An empty queue is refused with its row."""
    q = table.column("queue").cast(pa.string())
    if q.null_count:
        i = int(np.flatnonzero(to_numpy(pc.is_null(q)))[0])
        raise CallscopeError(f"column 'queue' is empty in row {i + 1}", field="input")
    uniq = pc.unique(q)
    inv = to_numpy(pc.index_in(q, value_set=uniq)).astype(np.int64)
    return [str(v) for v in uniq.to_pylist()], inv


def _per_queue(
    names: list[str], inv: np.ndarray, values: Mapping[str, float], what: str, fix: str
) -> np.ndarray:
    missing = [q for q in names if q not in values]
    if missing:
        raise CallscopeError(f"no {what} for queue {missing[0]!r}: {fix}", field="input")
    return np.array([float(values[q]) for q in names], dtype=np.float64)[inv]


def _targets(
    names: list[str], inv: np.ndarray, target: Target | Mapping[str, Target]
) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-row goal arrays (NaN = no such goal) and the goal labels as a column."""
    if isinstance(target, Target):
        per = [target] * len(names)
    else:
        missing = [q for q in names if q not in target]
        if missing:
            raise CallscopeError(f"no service goal for queue {missing[0]!r}", field="target")
        per = [target[q] for q in names]

    def arr(values: list[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)[inv]

    labels = pc.take(texts([t.label() for t in per]), numbers(inv))
    return (
        labels,
        arr([t.service_level for t in per]),
        arr([t.threshold_s for t in per]),
        arr([t.max_asa_s for t in per]),
        arr([t.max_abandon for t in per]),
        arr([t.max_occupancy for t in per]),
        arr([t.max_p_wait for t in per]),
    )


def plan_intervals(
    table: pa.Table,
    *,
    target: Target | Mapping[str, Target],
    model: str = "erlang-c",
    patience_s: float | Mapping[str, float] | None = None,
    shrinkage: float = 0.0,
    concurrency: Mapping[str, int] | None = None,
    interval_s: float = 1800.0,
) -> pa.Table:
    """Plan every row of ``table`` (see the module docstring). ``target`` is one goal or
    queue -> goal; ``concurrency`` maps channel -> contacts per agent (rows without a
    ``channel`` column are voice)."""
    if model not in ("erlang-c", "erlang-a"):
        raise CallscopeError(f"unknown model {model!r}; use erlang-c or erlang-a", field="model")
    if not 0.0 <= shrinkage < 1.0:
        raise CallscopeError(
            f"shrinkage is a share of paid time in [0, 1); got {shrinkage:g}", field="shrinkage"
        )
    if not (interval_s > 0 and math.isfinite(interval_s)):
        raise CallscopeError(f"must be > 0 seconds; got {interval_s:g}", field="interval_s")
    _check_columns(table)
    n = table.num_rows
    calls = numeric_column(table, "calls")
    aht = numeric_column(table, "aht_s")
    if (calls < 0).any():
        i = int(np.argmax(calls < 0))
        raise CallscopeError(
            f"column 'calls' is negative in row {i + 1} ({calls[i]:g})", field="input"
        )
    if not np.isfinite(calls).all():
        raise CallscopeError(
            f"column 'calls' is not finite in row {int(np.argmax(~np.isfinite(calls))) + 1}",
            field="input",
        )
    bad_aht = ~(aht > 0) | ~np.isfinite(aht)
    if bad_aht.any():
        i = int(np.argmax(bad_aht))
        raise CallscopeError(
            f"column 'aht_s' must be > 0 seconds; row {i + 1} has {aht[i]:g}", field="input"
        )
    names = table.column_names
    iv = numeric_column(table, "interval_s") if "interval_s" in names else np.full(n, interval_s)
    if not ((iv > 0) & np.isfinite(iv)).all():
        i = int(np.argmax(~((iv > 0) & np.isfinite(iv))))
        raise CallscopeError(
            f"column 'interval_s' must be > 0 seconds; row {i + 1} has {iv[i]:g}", field="input"
        )
    names_q, inv = _queue_index(table)

    patience = np.full(n, np.inf)
    if model == "erlang-a":
        if "patience_s" in names:
            patience = numeric_column(table, "patience_s")
        elif isinstance(patience_s, Mapping):
            patience = _per_queue(
                names_q,
                inv,
                patience_s,
                "patience estimate",
                "add a patience_s column or give a patience in seconds",
            )
        elif patience_s is not None:
            patience = np.full(n, float(patience_s))
        else:
            raise CallscopeError(
                "model erlang-a needs patience: add a patience_s column, give a patience "
                "in seconds, or ingest contacts to estimate it",
                field="patience_s",
            )
        if (patience <= 0).any() or np.isnan(patience).any():
            i = int(np.argmax(~(patience > 0)))
            raise CallscopeError(
                f"patience must be > 0 seconds; row {i + 1} has {patience[i]:g}",
                field="patience_s",
            )

    conc = np.ones(n)
    if concurrency and "channel" in names:
        ch = table.column("channel").cast(pa.string())
        uniq = pc.unique(ch)
        per = np.array(
            [
                1.0 if c in (None, "voice") else float(concurrency.get(c, 1))
                for c in uniq.to_pylist()
            ]
        )
        where = to_numpy(pc.index_in(ch, value_set=uniq))
        conc = per[np.nan_to_num(where.astype(np.float64), nan=0).astype(np.int64)]

    labels, sl, thr, asa, ab, occ, pwait = _targets(names_q, inv, target)
    agents = np.zeros(n, dtype=np.int64)
    cols = {k: np.full(n, np.nan) for k in OUTPUT_COLUMNS if k not in ("agents", "met")}
    met = np.ones(n, dtype=bool)
    for use_a in (False, True):
        sel = np.isfinite(patience) == use_a
        if not sel.any():
            continue
        idx: Any = slice(None) if sel.all() else sel
        r = required_agents(
            calls[idx],
            aht[idx],
            iv[idx],
            model="erlang-a" if use_a else "erlang-c",
            sl_target=sl[idx],
            sl_threshold_s=np.nan_to_num(thr[idx], nan=0.0),
            asa_target_s=asa[idx],
            max_abandon=ab[idx],
            max_occupancy=occ[idx],
            max_p_wait=pwait[idx],
            patience_s=patience[idx] if use_a else None,
            shrinkage=shrinkage,
            concurrency=conc[idx],
        )
        agents[idx] = r.agents
        met[idx] = r.met
        for name in cols:
            cols[name][idx] = getattr(r, name)

    out = {c: table.column(c) for c in names}
    out["calls"] = numbers(calls)
    out["aht_s"] = numbers(aht)
    out["interval_s"] = numbers(iv)
    if model == "erlang-a":
        out["patience_s"] = numbers(patience)
    out["target"] = labels
    for name in OUTPUT_COLUMNS:
        if name == "agents":
            out[name] = numbers(agents)
        elif name == "scheduled_agents":
            out[name] = numbers(cols[name].astype(np.int64))
        elif name == "met":
            out[name] = flags(met)
        else:
            out[name] = numbers(cols[name])
    return pa.table(out)


def pool_queues(table: pa.Table, pools: Mapping[str, Sequence[str]]) -> pa.Table:
    """Merge the queues of each pool (pool name -> queue names) into one queue per
    interval: calls add up, ``aht_s`` and ``patience_s`` are call-weighted means (plain
    means where no call came). Queues in no pool are kept as they are. A queue in two
    pools, a pooled queue the table lacks, or a pool mixing channels is refused."""
    if not pools:
        return table
    _check_columns(table)
    seen: dict[str, str] = {}
    for name, members in pools.items():
        for q in members:
            if q in seen:
                raise CallscopeError(
                    f"queue {q!r} is in two pools ({seen[q]!r} and {name!r})", field="pool"
                )
            seen[q] = name
    queues = table.column("queue").cast(pa.string())
    present = set(pc.unique(queues).to_pylist())
    absent = sorted(set(seen) - present)
    if absent:
        raise CallscopeError(
            f"queue {absent[0]!r} of pool {seen[absent[0]]!r} is not in the input; "
            f"queues there: {', '.join(sorted(str(q) for q in present))}",
            field="pool",
        )
    uniq = pc.unique(queues)
    group = pc.take(
        pa.array([seen.get(q, q) for q in uniq.to_pylist()], pa.string()),
        pc.index_in(queues, uniq),
    )
    names = table.column_names
    if "channel" in names:
        chk = pa.table({"g": group, "c": table.column("channel").cast(pa.string())})
        per = chk.group_by("g").aggregate([("c", "count_distinct")])
        mixed = per.filter(pc.greater(per.column("c_count_distinct"), 1))
        if mixed.num_rows:
            raise CallscopeError(
                f"pool {mixed.column('g')[0].as_py()!r} mixes channels; pool queues of one channel",
                field="pool",
            )
    calls = numeric_column(table, "calls")
    aht = numeric_column(table, "aht_s")
    w = pa.array(np.where(calls > 0, calls, 0.0))
    work = {
        "_g": group,
        "interval_start": table.column("interval_start"),
        "calls": pa.array(calls),
        "_wa": pa.array(calls * aht),
        "_a": pa.array(aht),
        "_w": w,
    }
    keys = ["interval_start", "_g"]
    aggs = [("calls", "sum"), ("_wa", "sum"), ("_a", "mean"), ("_w", "sum")]
    for opt in ("channel", "interval_s"):
        if opt in names:
            work[opt] = table.column(opt)
            keys.append(opt)
    if "patience_s" in names:
        p = numeric_column(table, "patience_s")
        work["_wp"] = pa.array(np.where(np.isfinite(p), calls * p, np.inf))
        work["_p"] = pa.array(p)
        aggs += [("_wp", "sum"), ("_p", "mean")]
    g = pa.table(work).group_by(keys, use_threads=False).aggregate(aggs)
    tot = g.column("_w_sum").to_numpy()
    wa = g.column("_wa_sum").to_numpy()
    a_mean = g.column("_a_mean").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out_aht = np.where(tot > 0, wa / tot, a_mean)
    out = {
        "interval_start": g.column("interval_start"),
        "queue": g.column("_g"),
    }
    if "channel" in names:
        out["channel"] = g.column("channel")
    out["calls"] = g.column("calls_sum")
    out["aht_s"] = pa.array(out_aht)
    if "interval_s" in names:
        out["interval_s"] = g.column("interval_s")
    if "patience_s" in names:
        wp = g.column("_wp_sum").to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            out["patience_s"] = pa.array(
                np.where(tot > 0, wp / tot, g.column("_p_mean").to_numpy())
            )
    res = pa.table(out)
    return res.sort_by([("queue", "ascending"), ("interval_start", "ascending")])
