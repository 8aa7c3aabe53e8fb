"""The capacity plan: forecast -> agents on the phones -> scheduled staff and FTE.

For every queue x channel x interval of a forecast, the staffing planner
(:func:`callscope.queueing.staffing.required_agents`, Erlang C, or Erlang A with the
queue's patience) gives the agents needed for the service target; scheduled agents add
shrinkage, ``scheduled = ceil(agents / (1 - shrinkage))`` (``KPIS.md``: scheduled staff =
required / (1 - shrinkage)). Over the horizon,

``FTE = sum_intervals scheduled_agents x interval_s / 3600 / (fte_hours_per_week x weeks)``

with ``weeks = horizon / 7 days``: the full-time agents whose paid hours cover the plan.
What-if scenarios (:class:`Scenario`) change the volume (``volume_factor``), the handle
time (``aht_s`` replaces it, ``aht_factor`` scales it) or the target, and are planned on
the same forecast so that they can be set against the base plan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from callscope.errors import CallscopeError
from callscope.queueing.staffing import required_agents

__all__ = ["CapacityPlan", "Scenario", "Target", "capacity_plan", "parse_what_if"]


@dataclass(frozen=True)
class Target:
    """A service target: ``sl_target`` (fraction) answered within ``sl_threshold_s``;
    optional ``max_abandon`` (fraction) and ``max_occupancy`` (fraction)."""

    sl_target: float = 0.8
    sl_threshold_s: float = 20.0
    max_abandon: float | None = None
    max_occupancy: float | None = None

    @classmethod
    def parse(cls, text: str) -> Target:
        """``"80/20"`` -> 80 % within 20 s."""
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", text)
        if not m or not 0 < float(m.group(1)) <= 100:
            raise CallscopeError(
                f"cannot read the target {text!r}: use e.g. 80/20 (80 % answered within 20 s)"
            )
        return cls(float(m.group(1)) / 100, float(m.group(2)))

    def label(self) -> str:
        return f"{self.sl_target * 100:g}/{self.sl_threshold_s:g}"


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
    joined by ``,`` make one scenario.

    >>> parse_what_if("volume=+10%").volume_factor
    1.1
    """
    sc = Scenario(name=text.strip())
    for part in text.split(","):
        key, _, val = part.partition("=")
        key, val = key.strip().lower(), val.strip()
        if not val:
            raise CallscopeError(
                f"cannot read the what-if {part!r}: use volume=+10%, aht=300, aht=+5% or sl=90/20"
            )
        if key in ("volume", "calls"):
            sc = replace(sc, volume_factor=_factor(val, part))
        elif key == "aht":
            if val.endswith("%"):
                sc = replace(sc, aht_factor=_factor(val, part))
            else:
                sc = replace(sc, aht_s=_number(val, part))
        elif key in ("sl", "target"):
            sc = replace(sc, target=Target.parse(val))
        else:
            raise CallscopeError(f"unknown what-if {key!r}: use volume, aht or sl")
    return sc


def _number(val: str, part: str) -> float:
    try:
        x = float(val)
    except ValueError:
        raise CallscopeError(f"cannot read the what-if {part!r}") from None
    if not np.isfinite(x) or x < 0:
        raise CallscopeError(f"the what-if {part!r} needs a number >= 0")
    return x


def _factor(val: str, part: str) -> float:
    if val.endswith("%"):
        return round(
            1 + _number(val[:-1].lstrip("+"), part) / 100 * (-1 if val.startswith("-") else 1), 12
        )
    return _number(val, part)


@dataclass(frozen=True)
class CapacityPlan:
    """Per interval and scenario: ``scenario, interval_start, interval_s, queue, channel,
    calls, aht_s, agents, scheduled_agents, service_level, asa_s, p_abandon, occupancy,
    met``; and per scenario a summary (calls, agent hours, scheduled hours, peak, FTE)."""

    intervals: pd.DataFrame
    summary: pd.DataFrame
    model: str
    shrinkage: float
    fte_hours_per_week: float


def capacity_plan(
    forecast: pd.DataFrame,
    *,
    target: Target | None = None,
    model: str = "erlang-c",
    patience_s: Mapping[str, float] | None = None,
    shrinkage: float = 0.3,
    concurrency: Mapping[str, int] | None = None,
    scenarios: Sequence[Scenario] = (),
    fte_hours_per_week: float = 40.0,
) -> CapacityPlan:
    """Plan staff for ``forecast`` rows (``interval_start, interval_s, queue, channel,
    calls, aht_s``) for the base scenario and each what-if.

    ``patience_s`` maps queue -> mean patience (Erlang A; queues without one, or with an
    infinite one, use Erlang C). ``concurrency`` maps channel -> contacts an agent
    handles at once (default 1; chat often 2-3).
    """
    if not 0 <= shrinkage < 1:
        raise CallscopeError("shrinkage must be in [0, 1)")
    base_target = target or Target()
    f = forecast.reset_index(drop=True)
    if f.empty:
        raise CallscopeError("the forecast has no intervals to plan")
    parts = []
    for sc in (Scenario(), *scenarios):
        tg = sc.target or base_target
        calls = f["calls"].to_numpy(dtype=float) * sc.volume_factor
        aht = (
            np.full(len(f), sc.aht_s) if sc.aht_s is not None else f["aht_s"].to_numpy(dtype=float)
        ) * sc.aht_factor
        interval_s = f["interval_s"].to_numpy(dtype=float)
        if model == "erlang-a":
            pat = np.array([(patience_s or {}).get(q, np.inf) for q in f["queue"]], dtype=float)
        else:
            pat = np.full(len(f), np.inf)
        conc = np.array([(concurrency or {}).get(c, 1) for c in f["channel"]], dtype=np.int64)
        busy = (calls > 0) & (aht > 0)
        agents = np.zeros(len(f), dtype=np.int64)
        cols = {
            k: np.full(len(f), np.nan) for k in ("service_level", "asa_s", "p_abandon", "occupancy")
        }
        met = np.ones(len(f), dtype=bool)
        for use_a in (False, True):
            sel = busy & (np.isfinite(pat) == use_a)
            if not sel.any():
                continue
            r = required_agents(
                calls[sel],
                aht[sel],
                interval_s[sel],
                model="erlang-a" if use_a else "erlang-c",
                sl_target=tg.sl_target,
                sl_threshold_s=tg.sl_threshold_s,
                max_abandon=tg.max_abandon,
                max_occupancy=tg.max_occupancy,
                patience_s=pat[sel] if use_a else None,
                concurrency=conc[sel],
            )
            agents[sel] = r.agents
            for k in cols:
                cols[k][sel] = getattr(r, k)
            met[sel] = r.met
        scheduled = np.ceil(agents / (1 - shrinkage) - 1e-9).astype(np.int64)
        parts.append(
            pd.DataFrame(
                {
                    "scenario": sc.name,
                    "interval_start": f["interval_start"].to_numpy(),
                    "interval_s": f["interval_s"].to_numpy(),
                    "queue": f["queue"].to_numpy(),
                    "channel": f["channel"].to_numpy(),
                    "calls": calls,
                    "aht_s": aht,
                    "agents": agents,
                    "scheduled_agents": scheduled,
                    **cols,
                    "met": met,
                    "target": tg.label(),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    horizon_s = _horizon_s(f)
    weeks = horizon_s / (7 * 86400)
    summ = []
    for name, g in table.groupby("scenario", sort=False):
        hours = (g["agents"] * g["interval_s"]).sum() / 3600
        sched = (g["scheduled_agents"] * g["interval_s"]).sum() / 3600
        per_interval = g.groupby("interval_start")[["agents", "scheduled_agents"]].sum()
        summ.append(
            {
                "scenario": name,
                "target": g["target"].iloc[0],
                "calls": float(g["calls"].sum()),
                "agent_hours": float(hours),
                "scheduled_hours": float(sched),
                "peak_agents": int(per_interval["agents"].max()),
                "peak_scheduled": int(per_interval["scheduled_agents"].max()),
                "fte": float(sched / (fte_hours_per_week * weeks)) if weeks > 0 else 0.0,
                "intervals_met": float(g["met"].mean()),
            }
        )
    summary = pd.DataFrame(summ)
    base_fte = summary["fte"].iloc[0]
    summary["fte_vs_base"] = summary["fte"] - base_fte
    return CapacityPlan(table, summary, model, shrinkage, fte_hours_per_week)


def _horizon_s(f: pd.DataFrame) -> float:
    t = pd.to_datetime(f["interval_start"])
    span = (t.max() - t.min()).total_seconds() + float(f["interval_s"].iloc[0])
    return max(span, 0.0)
