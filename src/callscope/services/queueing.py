"""Queueing use cases: Erlang B/C/A for one interval, and staffing a table of intervals.

:func:`erlang` answers both questions a planner asks of one interval: "what service do
N agents give?" and, without ``agents``, "how many agents meet this target?". It runs
the compiled kernels as plain Python (:func:`callscope.queueing.jit.interpreted`): one
interval needs microseconds of arithmetic, not half a second of compiler start-up.

:func:`staff` plans every row of an interval table (a CSV, or the latest forecast in the
store) with the one planner, :func:`callscope.queueing.plan.plan_intervals`, for the
service goal of each queue from the settings unless the request gives one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.model.target import Target
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ErlangRequest",
    "ErlangResult",
    "StaffRequest",
    "StaffResult",
    "erlang",
    "staff",
]

_MODELS = ("erlang-b", "erlang-c", "erlang-a")


@dataclass(frozen=True, slots=True)
class ErlangRequest:
    """One interval: ``calls`` offered in ``interval_s`` seconds with mean handle time
    ``aht_s``; ``agents`` on the phones (fractional allowed), or ``None`` to find the
    fewest that meet ``target`` (default: the settings' voice goal); ``patience_s``
    for Erlang A."""

    model: str
    calls: float
    aht_s: float
    agents: float | None = None
    patience_s: float | None = None
    interval_s: float = 1800.0
    target: Target | None = None


@dataclass(frozen=True, slots=True)
class ErlangResult:
    """The metrics of one interval (probabilities as shares, times in seconds; values
    that do not exist, such as the ASA of an unstable Erlang C queue, are ``None``)."""

    model: str
    target: str
    agents: float
    agents_searched: bool  #: True when ``agents`` is the answer to "how many?"
    traffic: float
    p_wait: float
    service_level: float
    asa_s: float | None
    mean_wait_s: float | None
    occupancy: float
    p_abandon: float
    p_abandon_within_t: float
    queue_length: float | None
    blocking: float | None
    stable: bool
    met: bool
    threshold_s: float
    interval_s: float
    patience_s: float | None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-safe values."""
        return asdict(self)


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _check_point(req: ErlangRequest) -> None:
    for name, v, ok, rule in (
        ("calls", req.calls, req.calls >= 0, ">= 0"),
        ("aht_s", req.aht_s, req.aht_s > 0, "> 0 seconds"),
        ("interval_s", req.interval_s, req.interval_s > 0, "> 0 seconds"),
    ):
        if not ok or not math.isfinite(v):
            raise CallscopeError(f"must be {rule} and finite; got {v:g}", field=name)
    if req.agents is not None and not (req.agents >= 0 and math.isfinite(req.agents)):
        raise CallscopeError(f"must be >= 0 and finite; got {req.agents:g}", field="agents")
    if req.model not in _MODELS:
        raise CallscopeError(
            f"unknown model {req.model!r}; use {', '.join(_MODELS)}", field="model"
        )
    if req.model == "erlang-a":
        p = req.patience_s
        if p is None:
            raise CallscopeError(
                "Erlang A needs the mean patience in seconds (e.g. 90)", field="patience_s"
            )
        if not p > 0:
            raise CallscopeError(f"must be > 0 seconds; got {p:g}", field="patience_s")
    if req.model == "erlang-b" and req.agents is None:
        raise CallscopeError(
            "Erlang B needs the number of agents (lines); it has no waiting target",
            field="agents",
        )


def erlang(settings: Settings, request: ErlangRequest) -> ErlangResult:
    """Metrics of one interval, searching the agents when none are given. Runs the
    scalar kernels of :mod:`callscope.queueing.kernels` as plain Python: no NumPy, no
    compiler, the same formulas as the array APIs."""
    from callscope.queueing.kernels import (
        NAN,
        erlang_b_point,
        interpreted,
        point,
        scratch,
        search_goals,
    )

    _check_point(request)
    tg = request.target or settings.goal_for("voice")
    t = tg.threshold_s
    lam, mu = request.calls / request.interval_s, 1.0 / request.aht_s
    patience = request.patience_s if request.model == "erlang-a" else None
    theta = 1.0 / patience if patience is not None and math.isfinite(patience) else 0.0
    kind = 2 if theta > 0 else 1
    out = scratch()
    blocking = None
    searched = request.agents is None

    def goal(v: float | None) -> float:
        return NAN if v is None else v

    with interpreted():
        if searched:
            n, ok = search_goals(
                kind,
                lam,
                mu,
                theta,
                t,
                goal(tg.service_level),
                goal(tg.max_asa_s),
                goal(tg.max_abandon),
                goal(tg.max_occupancy),
                goal(tg.max_p_wait),
                1,
                out,
            )
            if not ok:
                raise CallscopeError(
                    f"no number of agents meets {tg.label()} for this load", field="target"
                )
            agents = float(n)
        else:
            agents = float(request.agents)  # type: ignore[arg-type]
            if request.model == "erlang-b":
                blocking = erlang_b_point(lam, mu, agents, out)
            else:
                point(kind, lam, mu, theta, agents, t, out)
    p_wait, sl, asa, mean_wait, ab, ab_t, occ, lq, stable_f = (float(x) for x in out)
    stable = stable_f > 0.5
    met = stable and all(
        (
            tg.service_level is None or sl >= tg.service_level - 1e-12,
            tg.max_asa_s is None or asa <= tg.max_asa_s,
            tg.max_abandon is None or ab <= tg.max_abandon,
            tg.max_occupancy is None or occ <= tg.max_occupancy,
            tg.max_p_wait is None or p_wait <= tg.max_p_wait,
        )
    )
    return ErlangResult(
        model=request.model,
        target=tg.label(),
        agents=agents,
        agents_searched=searched,
        traffic=lam / mu,
        p_wait=p_wait,
        service_level=sl,
        asa_s=_finite(asa),
        mean_wait_s=_finite(mean_wait),
        occupancy=occ,
        p_abandon=ab,
        p_abandon_within_t=ab_t,
        queue_length=_finite(lq),
        blocking=blocking,
        stable=stable,
        met=met,
        threshold_s=t,
        interval_s=request.interval_s,
        patience_s=patience,
    )


# -- staffing a table --------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRequest:
    """Plan the intervals of ``input`` (CSV with ``interval_start, queue, calls, aht_s``
    and optionally ``channel, interval_s, patience_s``), or of the store's latest
    forecast when ``input`` is ``None``. Unset fields come from the settings."""

    input: Path | None = None
    target: Target | None = None  #: one goal for every queue; None: each queue's goal
    model: str | None = None
    patience_s: float | None = None
    shrinkage: float | None = None
    concurrency: Mapping[str, int] = field(default_factory=dict)
    interval_s: float | None = None  #: for rows without an interval_s column
    pools: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class StaffResult:
    """The planned intervals (:func:`callscope.queueing.plan.plan_intervals` columns)
    and how they were planned."""

    table: pa.Table
    source: str  #: the file, or the forecast (id, when made, which days)
    model: str
    shrinkage: float
    notes: tuple[str, ...]  #: patience estimates and the like
    unmet: int  #: intervals whose goals cannot be met
    warnings: tuple[str, ...] = ()  #: the forecast's own warnings (gaps in its history)

    @property
    def intervals(self) -> int:
        return self.table.num_rows


def _latest_forecast_table(settings: Settings) -> tuple[pa.Table, str, tuple[str, ...]]:
    """The store's newest forecast run, a line saying which run it is (made when, which
    days, on which history) and its warnings (gaps in that history)."""
    from callscope.services.common import open_store
    from callscope.store.forecasts import forecast_info, latest_forecast

    with open_store(settings) as store:
        fc = latest_forecast(store)
        info = forecast_info(store)
    if fc.num_rows == 0 or info is None:
        raise CallscopeError(
            "the store has no forecast: run `callscope forecast` first, or give an input CSV",
            field="input",
        )
    keep = [
        c
        for c in ("interval_start", "queue", "channel", "calls", "aht_s", "interval_s")
        if c in fc.column_names
    ]
    src = (
        f"forecast {info.forecast_id} (made {info.created_at:%Y-%m-%d %H:%M}) for "
        f"{info.horizon_first:%a %Y-%m-%d} to {info.horizon_last:%a %Y-%m-%d}"
    )
    if info.history_first is not None:
        src += (
            f", from {info.history_days:,} days of history {info.history_first:%Y-%m-%d} to "
            f"{info.history_last:%Y-%m-%d}"
        )
    return fc.select(keep), src, tuple(info.warnings)


def targets_by_queue(settings: Settings, table: pa.Table) -> dict[str, Target]:
    """Each queue's goal from the settings (its own, else its channel's)."""
    queues = table.column("queue").to_pylist()
    channels = (
        table.column("channel").to_pylist()
        if "channel" in table.column_names
        else [None] * len(queues)
    )
    first: dict[str, str | None] = {}
    for q, c in zip(queues, channels, strict=True):
        first.setdefault(str(q), c)
    return {q: settings.goal_for(c or settings.channel_of(q), q) for q, c in first.items()}


def with_channels(settings: Settings, table: pa.Table) -> pa.Table:
    """``table`` with each row's channel: the ``channel`` column when there is one, else
    each queue's channel from the settings (voice when they do not say). A table whose
    queues the settings give no channel stays as it is (the planner reads it as voice)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from callscope.model.arrow import numbers, texts, to_numpy

    if "channel" in table.column_names:
        return table
    q = table.column("queue").cast(pa.string())
    uniq = pc.unique(q)
    chans = [settings.channel_of(str(name)) for name in uniq.to_pylist()]
    if not any(chans):
        return table
    idx = pc.index_in(q, value_set=uniq)
    col = pc.take(texts([c or "voice" for c in chans]), numbers(to_numpy(idx).astype(np.int64)))
    return table.add_column(table.column_names.index("queue") + 1, "channel", col)


def staff(settings: Settings, request: StaffRequest) -> StaffResult:
    """Agents needed per interval for each queue's goal, with the service they give."""
    import pyarrow.compute as pc

    from callscope.model.arrow import to_numpy
    from callscope.queueing.plan import plan_intervals, pool_queues
    from callscope.services.common import patience_for, read_csv_table

    s = settings.override("request", model=request.model, shrinkage=request.shrinkage)
    if request.input is not None:
        table = read_csv_table(
            request.input, "input", strings=("interval_start", "queue", "channel")
        )
        source = str(request.input)
        warnings: tuple[str, ...] = ()
    else:
        table, source, warnings = _latest_forecast_table(s)
    if "queue" not in table.column_names:
        raise CallscopeError(
            "the input has no column 'queue'; the planner needs columns interval_start, "
            "queue, calls, aht_s (optional channel, interval_s, patience_s)",
            field="input",
        )
    table = with_channels(s, table)
    notes: list[str] = []
    if s.model == "erlang-a" and "patience_s" not in table.column_names:
        queues = [str(q) for q in pc.unique(table.column("queue")).to_pylist()]
        patience, notes = patience_for(s, queues, request.patience_s)
        table = with_patience(table, patience)
    if request.pools:
        table = pool_queues(table, request.pools)
    target: Target | dict[str, Target] = request.target or targets_by_queue(s, table)
    out = plan_intervals(
        table,
        target=target,
        model=s.model,
        shrinkage=s.shrinkage,
        concurrency={**s.concurrency, **request.concurrency},
        interval_s=request.interval_s or s.interval_s,
    )
    unmet = int((~to_numpy(out.column("met"))).sum())
    return StaffResult(out, source, s.model, s.shrinkage, tuple(notes), unmet, warnings)


def with_patience(table: pa.Table, patience: float | Mapping[str, float] | None) -> pa.Table:
    """``table`` with a ``patience_s`` column: one number for every row, or each row's
    queue's (infinite, i.e. Erlang C, for a queue without an estimate). Pooled queues
    then take the call-weighted mean, like every other per-queue number."""
    import pyarrow as pa

    if patience is None:
        return table
    queues = table.column("queue").to_pylist()
    if isinstance(patience, Mapping):
        values = [float(patience.get(str(q), math.inf)) for q in queues]
    else:
        values = [float(patience)] * len(queues)
    return table.append_column("patience_s", pa.array(values, pa.float64()))
