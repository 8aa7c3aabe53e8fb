"""Sampling plans: which contacts to evaluate, N per agent per period.

The plan (``KPIS.md``: the common floor is 3-6 evaluations per agent per month; the
default here is 4) draws, for each agent and period (calendar month or ISO week of the
answer time), ``N - already evaluated`` contacts the agent answered, never a contact that
has an evaluation already.

* **Stratified** by any of ``queue``, ``channel``, ``outcome`` (``transferred``, else
  ``resolved``/``unresolved`` where the source says, else ``answered``) and
  ``handle_band`` (``short``/``mid``/``long``: the terciles of handle time = talk + hold +
  ACW over all candidates of the run). The draws are allocated to the agent's strata in
  proportion to their sizes: stratum ``h`` of ``N_h`` of ``N`` contacts gets
  ``floor(n * N_h / N)`` draws, and the ``n - sum floor`` left over go to strata drawn
  with probability proportional to their fractional parts, without replacement, so
  every stratum's expected share is exactly ``n * N_h / N`` (no stratum is left out
  month after month because it is small).
* **Weighted** within a stratum when asked: ``low-csat`` weights a contact ``1 + (5 -
  csat)`` (csat on 1-5: a 1 is five times as likely as a 5; contacts without a survey
  weigh 1), ``long-aht`` weights it by its handle time (probability proportional to
  size). Weighted draws without replacement use Efraimidis & Spirakis (2006): the ``k``
  largest of ``u ** (1 / w)``, ``u`` uniform.
* **Seeded**: each agent and period draws from its own generator, seeded with ``(seed,
  CRC-32 of the agent, the period's day number)``, so the same seed gives the same plan,
  and adding another agent changes nobody else's picks.

The **coverage** report lists per agent and period the contacts answered, evaluated,
sampled now, the quota and how many are missing (``short``: fewer contacts than the
quota left to draw from).
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from callscope.errors import CallscopeError

__all__ = [
    "PERIODS",
    "STRATA",
    "WEIGHTS",
    "SamplePlan",
    "allocate",
    "period_start",
    "plan_sample",
    "weighted_pick",
]

#: The strata a plan may use.
STRATA = ("queue", "channel", "outcome", "handle_band")
#: The weightings toward contacts worth a look.
WEIGHTS = ("low-csat", "long-aht")
#: The planning periods.
PERIODS = ("month", "week")


@dataclass(frozen=True)
class SamplePlan:
    """The contacts to evaluate and the coverage of every agent and period."""

    picks: (
        pa.Table
    )  #: agent, period, contact_id, queue, channel, outcome, handle_band, handle_s, csat, ts
    coverage: pa.Table  #: agent, period, answered, evaluated, sampled, quota, short
    per_agent: int
    period: str
    strata: tuple[str, ...]
    weight: str | None
    seed: int

    @property
    def below_quota(self) -> list[dict[str, Any]]:
        """Coverage rows of agents who cannot reach the quota this period."""
        return [r for r in self.coverage.to_pylist() if r["short"] > 0]


def period_start(ts: datetime, period: str) -> date:
    """The first day of ``ts``'s month, or the Monday of its week.

    >>> period_start(datetime(2025, 1, 15, 9), "month"), period_start(datetime(2025, 1, 15), "week")
    (datetime.date(2025, 1, 1), datetime.date(2025, 1, 13))
    """
    d = ts.date()
    if period == "month":
        return d.replace(day=1)
    return d - timedelta(days=d.weekday())


def allocate(sizes: Sequence[int], n: int, rng: np.random.Generator) -> list[int]:
    """``n`` draws over strata of ``sizes``: proportional floors, then the remainder to
    strata drawn by their fractional parts without replacement; never more than a
    stratum holds.

    >>> allocate([50, 30, 20], 10, np.random.default_rng(0))
    [5, 3, 2]
    >>> sum(allocate([3, 1, 1], 2, np.random.default_rng(1)))
    2
    """
    total = sum(sizes)
    n = min(n, total)
    if n <= 0:
        return [0] * len(sizes)
    quota = [n * s / total for s in sizes]
    out = [min(int(math.floor(q)), s) for q, s in zip(quota, sizes, strict=True)]
    left = n - sum(out)
    frac = np.array([q - o if o < s else 0.0 for q, o, s in zip(quota, out, sizes, strict=True)])
    while left > 0:
        room = np.array([o < s for o, s in zip(out, sizes, strict=True)])
        w = np.where(room, frac, 0.0)
        if w.sum() <= 0:
            w = room.astype(float)
        chosen = weighted_pick(w, min(left, int(room.sum())), rng)
        for i in chosen:
            out[i] += 1
            frac[i] = 0.0
        left = n - sum(out)
    return out


def weighted_pick(weights: np.ndarray, k: int, rng: np.random.Generator) -> list[int]:
    """Indices of ``k`` items drawn without replacement with probability proportional
    to ``weights`` (Efraimidis & Spirakis 2006: the ``k`` largest keys ``log(u) / w``);
    items of weight 0 are never drawn."""
    w = np.asarray(weights, dtype=float)
    u = rng.random(len(w))
    with np.errstate(divide="ignore"):
        keys = np.where(w > 0, np.log(u) / np.where(w > 0, w, 1.0), -np.inf)
    order = np.argsort(-keys, kind="stable")
    return [int(i) for i in order[:k] if np.isfinite(keys[i])]


def _outcome(row: dict[str, Any]) -> str:
    if row.get("transferred"):
        return "transferred"
    r = row.get("resolved")
    return "answered" if r is None else ("resolved" if r else "unresolved")


def _weight(row: dict[str, Any], how: str | None) -> float:
    if how == "low-csat":
        c = row.get("csat")
        return 1.0 if c is None else 1.0 + max(0.0, 5.0 - float(c))
    if how == "long-aht":
        return max(float(row.get("handle_s") or 0.0), 1.0)
    return 1.0


def _seed(seed: int, agent: str, period: date) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(agent.encode()), period.toordinal()])


def plan_sample(
    candidates: pa.Table,
    *,
    evaluated: Iterable[str] = (),
    evaluations: pa.Table | None = None,
    per_agent: int = 4,
    period: str = "month",
    strata: Sequence[str] = STRATA,
    weight: str | None = None,
    seed: int = 0,
) -> SamplePlan:
    """The sampling plan over ``candidates`` (contact_id, agent, queue, channel, ts,
    handle_s, transferred, resolved, csat; see
    :func:`callscope.store.quality.sampling_candidates`). ``evaluated`` contacts are
    never drawn; ``evaluations`` (agent, contact_ts) count toward each agent's quota."""
    if period not in PERIODS:
        raise CallscopeError(f"unknown period {period!r}; use month or week", field="period")
    bad = [s for s in strata if s not in STRATA]
    if bad:
        raise CallscopeError(
            f"unknown stratum {bad[0]!r}; use any of {', '.join(STRATA)}", field="strata"
        )
    if weight is not None and weight not in WEIGHTS:
        raise CallscopeError(
            f"unknown weighting {weight!r}; use {' or '.join(WEIGHTS)}", field="weight"
        )
    if per_agent < 1:
        raise CallscopeError(f"contacts per agent must be >= 1; got {per_agent}", field="per_agent")
    rows = candidates.to_pylist()
    handle = np.array([float(r["handle_s"] or 0.0) for r in rows]) if rows else np.zeros(0)
    cuts = np.quantile(handle, [1 / 3, 2 / 3]) if len(handle) else np.zeros(2)
    done = set(evaluated)
    answered: dict[tuple[str, date], int] = defaultdict(int)
    pools: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        key = (r["agent"], period_start(r["ts"], period))
        answered[key] += 1
        if r["contact_id"] in done:
            continue
        h = float(r["handle_s"] or 0.0)
        r["handle_band"] = "short" if h <= cuts[0] else ("mid" if h <= cuts[1] else "long")
        r["outcome"] = _outcome(r)
        pools[key].append(r)
    already: dict[tuple[str, date], int] = defaultdict(int)
    if evaluations is not None and evaluations.num_rows:
        for e in evaluations.select(["agent", "contact_ts"]).to_pylist():
            if e["contact_ts"] is not None:
                already[(e["agent"], period_start(e["contact_ts"], period))] += 1
    picks: list[dict[str, Any]] = []
    coverage: list[dict[str, Any]] = []
    for key in sorted(set(answered) | set(already)):
        agent, start = key
        pool = pools.get(key, [])
        need = max(0, per_agent - already[key])
        rng = _seed(seed, agent, start)
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for r in pool:
            groups[tuple(str(r.get(s)) for s in strata)].append(r)
        names = sorted(groups)
        counts = allocate([len(groups[g]) for g in names], need, rng)
        chosen: list[dict[str, Any]] = []
        for g, k in zip(names, counts, strict=True):
            if k:
                members = groups[g]
                idx = weighted_pick(np.array([_weight(m, weight) for m in members]), k, rng)
                chosen.extend({**members[i], "stratum": "/".join(g) if g else "all"} for i in idx)
        chosen.sort(key=lambda r: (r["ts"], r["contact_id"]))
        for r in chosen:
            picks.append(
                {
                    "agent": agent,
                    "period": start,
                    "contact_id": r["contact_id"],
                    "queue": r["queue"],
                    "channel": r["channel"],
                    "outcome": r["outcome"],
                    "handle_band": r["handle_band"],
                    "handle_s": float(r["handle_s"] or 0.0),
                    "csat": r["csat"],
                    "ts": r["ts"],
                    "stratum": r["stratum"],
                }
            )
        coverage.append(
            {
                "agent": agent,
                "period": start,
                "answered": answered.get(key, 0),
                "evaluated": already[key],
                "sampled": len(chosen),
                "quota": per_agent,
                "short": max(0, per_agent - already[key] - len(chosen)),
            }
        )
    pick_schema = pa.schema(
        [
            ("agent", pa.string()),
            ("period", pa.date32()),
            ("contact_id", pa.string()),
            ("queue", pa.string()),
            ("channel", pa.string()),
            ("outcome", pa.string()),
            ("handle_band", pa.string()),
            ("handle_s", pa.float64()),
            ("csat", pa.float64()),
            ("ts", pa.timestamp("us")),
            ("stratum", pa.string()),
        ]
    )
    cov_schema = pa.schema(
        [
            ("agent", pa.string()),
            ("period", pa.date32()),
            ("answered", pa.int64()),
            ("evaluated", pa.int64()),
            ("sampled", pa.int64()),
            ("quota", pa.int64()),
            ("short", pa.int64()),
        ]
    )
    return SamplePlan(
        pa.Table.from_pylist(picks, pick_schema),
        pa.Table.from_pylist(coverage, cov_schema),
        per_agent,
        period,
        tuple(strata),
        weight,
        seed,
    )
