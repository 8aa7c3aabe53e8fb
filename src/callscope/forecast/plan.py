"""The capacity plan: forecast -> agents on the phones -> scheduled staff and FTE.

Every queue x channel x interval of a forecast is planned by the one staffing planner,
:func:`callscope.queueing.plan.plan_intervals` (Erlang C, or Erlang A with each queue's
patience), for its service goal; scheduled agents add shrinkage,
``scheduled = ceil(agents / (1 - shrinkage))`` (``KPIS.md``: scheduled staff =
required / (1 - shrinkage)). Over the horizon,

``FTE = sum_intervals scheduled_agents x interval_s / 3600 / (fte_hours_per_week x weeks)``

with ``weeks = horizon / 7 days``: the full-time agents whose paid hours cover the plan.
What-if scenarios (:class:`Scenario`) change the volume (``volume_factor``), the handle
time (``aht_s`` replaces it, ``aht_factor`` scales it) or the target, and are planned on
the same forecast so that they can be set against the base plan. Queues answered by one
group of agents can be pooled (:func:`callscope.queueing.plan.pool_queues`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callscope.errors import CallscopeError
from callscope.model.target import Target
from callscope.queueing.plan import plan_intervals, pool_queues

__all__ = ["CapacityPlan", "Scenario", "ScenarioSummary", "capacity_plan", "parse_what_if"]


@dataclass(frozen=True)
class Scenario:
    """A what-if on the forecast: volume and AHT changes, another target."""

    name: str = "base"
    volume_factor: float = 1.0
    aht_s: float | None = None
    aht_factor: float = 1.0
    target: Target | None = None


def parse_what_if(text: str) -> Scenario:
    """``volume=+10%``, ``volume=1.1``, ``aht=300``, ``aht=+5%``, ``sl=90/20``; several
    joined by ``;`` make one scenario (``,`` also works when no target has commas).

    >>> parse_what_if("volume=+10%").volume_factor
    1.1
    >>> parse_what_if("sl=90/20; aht=+5%").target.label()
    '90/20'
    """
    sc = Scenario(name=text.strip())
    sep = ";" if ";" in text else ","
    for part in text.split(sep):
        key, _, val = part.partition("=")
        key, val = key.strip().lower(), val.strip()
        if not val:
            raise CallscopeError(
                f"cannot read the what-if {part.strip()!r}: use volume=+10%, aht=300, "
                "aht=+5% or sl=90/20",
                field="what_if",
            )
        if key in ("volume", "calls"):
            sc = replace(sc, volume_factor=_factor(val, part))
        elif key == "aht":
            if val.endswith("%"):
                sc = replace(sc, aht_factor=_factor(val, part))
            else:
                sc = replace(sc, aht_s=_number(val, part))
        elif key in ("sl", "target"):
            try:
                sc = replace(sc, target=Target.parse(val))
            except CallscopeError as e:
                raise CallscopeError(f"what-if {part.strip()!r}: {e}", field="what_if") from None
        else:
            raise CallscopeError(f"unknown what-if {key!r}: use volume, aht or sl", field="what_if")
    return sc


def _number(val: str, part: str) -> float:
    try:
        x = float(val)
    except ValueError:
        raise CallscopeError(f"cannot read the what-if {part.strip()!r}", field="what_if") from None
    if not np.isfinite(x) or x < 0:
        raise CallscopeError(f"the what-if {part.strip()!r} needs a number >= 0", field="what_if")
    return x


def _factor(val: str, part: str) -> float:
    if val.endswith("%"):
        return round(
            1 + _number(val[:-1].lstrip("+-"), part) / 100 * (-1 if val.startswith("-") else 1),
            12,
        )
    return _number(val, part)


@dataclass(frozen=True, slots=True)
class ScenarioSummary:
    """One scenario over the whole horizon."""

    scenario: str
    target: str  #: the goals planned for (one label, or several joined by " | ")
    calls: float
    agent_hours: float  #: agents on the phones x hours
    scheduled_hours: float  #: with shrinkage
    peak_agents: int  #: the largest sum of agents over queues in one interval
    peak_scheduled: int
    fte: float
    fte_vs_base: float
    intervals_met: float  #: share of intervals whose goals are met


@dataclass(frozen=True)
class CapacityPlan:
    """Per interval and scenario (``intervals``: ``scenario`` then the planner's
    columns) and per scenario a :class:`ScenarioSummary`."""

    intervals: pa.Table
    summary: tuple[ScenarioSummary, ...]
    model: str
    shrinkage: float
    fte_hours_per_week: float
    first: datetime | None  #: first interval planned
    last: datetime | None  #: start of the last interval planned

    def summary_table(self) -> pa.Table:
        """The summary as an Arrow table (one row per scenario)."""
        return pa.Table.from_pylist([asdict(s) for s in self.summary])


def capacity_plan(
    forecast: pa.Table,
    *,
    target: Target | Mapping[str, Target],
    model: str = "erlang-c",
    patience_s: Mapping[str, float] | None = None,
    shrinkage: float = 0.3,
    concurrency: Mapping[str, int] | None = None,
    scenarios: Sequence[Scenario] = (),
    fte_hours_per_week: float = 40.0,
    pools: Mapping[str, Sequence[str]] | None = None,
) -> CapacityPlan:
    """Plan staff for ``forecast`` rows (``interval_start, interval_s, queue, channel,
    calls, aht_s``) for the base scenario and each what-if.

    ``target`` is one goal for every queue or queue -> goal (a scenario's own target
    replaces it). ``patience_s`` (unless the forecast has a ``patience_s`` column) maps
    queue -> mean patience (Erlang A; queues without
    one, or with an infinite one, use Erlang C). ``concurrency`` maps channel ->
    contacts an agent handles at once. ``pools`` merges queues into staffing groups.
    """
    if not 0 <= shrinkage < 1:
        raise CallscopeError(
            f"shrinkage is a share of paid time in [0, 1); got {shrinkage:g}", field="shrinkage"
        )
    if not fte_hours_per_week > 0:
        raise CallscopeError(
            f"paid hours per week must be > 0; got {fte_hours_per_week:g}",
            field="fte_hours_per_week",
        )
    if forecast.num_rows == 0:
        raise CallscopeError("the forecast has no intervals to plan", field="forecast")
    f = forecast.select(
        [
            c
            for c in (
                "interval_start",
                "interval_s",
                "queue",
                "channel",
                "calls",
                "aht_s",
                "patience_s",
            )
            if c in forecast.column_names
        ]
    )
    if model == "erlang-a" and "patience_s" not in f.column_names:
        pat = patience_s or {}
        f = f.append_column(
            "patience_s", pa.array([pat.get(q, np.inf) for q in f.column("queue").to_pylist()])
        )
    if pools:
        f = pool_queues(f, pools)
        if isinstance(target, Mapping):
            target = _pool_targets(target, pools)
    parts = []
    summaries = []
    span_s = _horizon_s(f)
    weeks = span_s / (7 * 86400)
    for sc in (Scenario(), *scenarios):
        calls = f.column("calls").to_numpy() * sc.volume_factor
        aht = (
            np.full(f.num_rows, sc.aht_s)
            if sc.aht_s is not None
            else f.column("aht_s").to_numpy().astype(np.float64)
        ) * sc.aht_factor
        g = f.set_column(f.column_names.index("calls"), "calls", pa.array(calls))
        g = g.set_column(g.column_names.index("aht_s"), "aht_s", pa.array(aht))
        planned = plan_intervals(
            g,
            target=sc.target or target,
            model=model,
            shrinkage=shrinkage,
            concurrency=concurrency,
        )
        planned = planned.add_column(0, "scenario", pa.array([sc.name] * planned.num_rows))
        parts.append(planned)
        summaries.append(_summary(sc.name, planned, fte_hours_per_week, weeks))
    base_fte = summaries[0].fte
    summary = tuple(replace(s, fte_vs_base=s.fte - base_fte) for s in summaries)
    ts = f.column("interval_start")
    first = pc.min(ts).as_py()
    last = pc.max(ts).as_py()
    return CapacityPlan(
        pa.concat_tables(parts),
        summary,
        model,
        shrinkage,
        fte_hours_per_week,
        first if isinstance(first, datetime) else None,
        last if isinstance(last, datetime) else None,
    )


def _pool_targets(
    target: Mapping[str, Target], pools: Mapping[str, Sequence[str]]
) -> dict[str, Target]:
    """A pool is planned for the strictest goal of its queues (the highest service
    level, then the shortest threshold)."""
    out = dict(target)
    for name, members in pools.items():
        goals = [target[q] for q in members if q in target]
        if goals:
            out[name] = max(goals, key=lambda t: (t.service_level or 0.0, -t.threshold_s))
    return out


def _summary(name: str, g: pa.Table, fte_hours: float, weeks: float) -> ScenarioSummary:
    agents = g.column("agents").to_numpy()
    sched = g.column("scheduled_agents").to_numpy()
    iv = g.column("interval_s").to_numpy()
    per = (
        pa.table({"t": g.column("interval_start"), "a": agents, "s": sched})
        .group_by("t")
        .aggregate([("a", "sum"), ("s", "sum")])
    )
    sched_h = float((sched * iv).sum() / 3600)
    labels = pc.unique(g.column("target")).to_pylist()
    return ScenarioSummary(
        scenario=name,
        target=" | ".join(sorted(labels)),
        calls=float(g.column("calls").to_numpy().sum()),
        agent_hours=float((agents * iv).sum() / 3600),
        scheduled_hours=sched_h,
        peak_agents=int(pc.max(per.column("a_sum")).as_py() or 0),
        peak_scheduled=int(pc.max(per.column("s_sum")).as_py() or 0),
        fte=sched_h / (fte_hours * weeks) if weeks > 0 else 0.0,
        fte_vs_base=0.0,
        intervals_met=float(g.column("met").to_numpy(zero_copy_only=False).mean()),
    )


def _horizon_s(f: pa.Table) -> float:
    ts = f.column("interval_start")
    if not pa.types.is_timestamp(ts.type):
        ts = pc.strptime(ts.cast(pa.string()), format="%Y-%m-%d %H:%M:%S", unit="us")
    lo, hi = pc.min(ts).as_py(), pc.max(ts).as_py()
    if lo is None:
        return 0.0
    step = float(f.column("interval_s").to_numpy()[0]) if "interval_s" in f.column_names else 1800.0
    return max((hi - lo).total_seconds() + step, 0.0)
