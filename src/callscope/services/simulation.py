"""Simulation use case: run a center (one queue, or a staffing plan) call by call and
set each queue against the exact Erlang model with the same means.

The center comes from :func:`callscope.queueing.sim_plan.center_from_plan` (a plan
table, e.g. ``callscope staff --format csv``) or from a single queue's parameters; with
``from_store``, each queue's handle times are resampled from its stored answered
contacts and its patience from the Kaplan-Meier estimate of its stored waits and
abandons. A saved run lands in the store like any source: its rows carry the run id
(``sim-<run_id>-...``), so two runs never collide and the same run twice adds nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

__all__ = ["SimulateRequest", "SimulateResult", "simulate"]

_MIN_STORED = 30  # fewer answered contacts or waits than this: no empirical distribution


@dataclass(frozen=True, slots=True)
class SimulateRequest:
    """A plan (``input``) or one queue (``calls`` per interval, ``aht_s``, ``agents``,
    ``intervals``); ``patience_s`` None: nobody abandons."""

    input: Path | None = None
    calls: float | None = None
    aht_s: float | None = None
    agents: int | None = None
    patience_s: float | None = None
    intervals: int = 16
    interval_s: float = 1800.0
    handle: str = "exponential"
    handle_cv: float = 1.0
    sl_threshold_s: float | None = None
    seed: int = 0
    from_store: bool = False
    save: bool = False


@dataclass(frozen=True)
class SimulateResult:
    """Per queue (``queues``: dicts with counts, rates, their 95 % half-widths and the
    Erlang values) and the whole run."""

    queues: list[dict[str, Any]]
    calls: int
    occupancy: float
    seed: int
    run_id: str
    sl_threshold_s: float
    notes: tuple[str, ...]
    saved_to: Path | None

    def other_outcomes(self) -> list[str]:
        """Outcome counts beyond answered and abandoned that some queue has."""
        return [k for k in ("exit_empty",) if any(q.get(k) for q in self.queues)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "occupancy": self.occupancy,
            "seed": self.seed,
            "run_id": self.run_id,
            "sl_threshold_s": self.sl_threshold_s,
            "queues": self.queues,
            "saved_to": str(self.saved_to) if self.saved_to else None,
        }


def _store_distributions(settings: Settings, queues: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Empirical handle time and Kaplan-Meier patience per queue from the store."""
    from callscope.queueing.distributions import Distribution
    from callscope.queueing.patience import kaplan_meier
    from callscope.services.common import open_store
    from callscope.store.patience import handle_times, queue_waits

    out: dict[str, Any] = {}
    notes = []
    with open_store(settings) as store:
        for q in queues:
            h = handle_times(store, q)
            w, ab = queue_waits(store, q)
            if h.size < _MIN_STORED or w.size < _MIN_STORED:
                raise CallscopeError(
                    f"queue {q!r} has too few stored contacts ({h.size} answered) for "
                    "empirical distributions; ingest more data or leave the store out",
                    field="from_store",
                )
            out[q] = (Distribution.empirical(h), kaplan_meier(w, ab).distribution())
            notes.append(
                f"queue {q!r}: handle time from {h.size:,} answered calls, patience "
                f"(Kaplan-Meier) from {w.size:,} waits, {int(ab.sum()):,} abandons"
            )
    return out, notes


def _center(settings: Settings, req: SimulateRequest) -> tuple[Any, list[str]]:
    from callscope.queueing.distributions import Distribution
    from callscope.queueing.sim_plan import center_from_plan
    from callscope.queueing.simulate import AgentGroup, Center, Queue
    from callscope.services.common import read_csv_table

    if req.input is not None:
        table = read_csv_table(req.input, "input", strings=("interval_start", "queue", "channel"))
        dists = None
        notes: list[str] = []
        if req.from_store:
            if "queue" not in table.column_names:
                raise CallscopeError("the plan has no column 'queue'", field="input")
            queues = sorted({str(q) for q in table.column("queue").to_pylist()})
            dists, notes = _store_distributions(settings, queues)
        center = center_from_plan(
            table,
            handle=req.handle,
            handle_cv=req.handle_cv,
            patience_s=req.patience_s,
            interval_s=req.interval_s,
            distributions=dists,
        )
        return center, notes
    if req.from_store:
        raise CallscopeError(
            "the store's distributions need a plan with queues", field="from_store"
        )
    if req.calls is None or req.aht_s is None or req.agents is None:
        raise CallscopeError(
            "give a plan CSV, or the calls, AHT and agents of one queue", field="input"
        )
    for name, v, ok in (
        ("calls", req.calls, req.calls >= 0),
        ("aht_s", req.aht_s, req.aht_s > 0),
        ("agents", req.agents, req.agents >= 0),
    ):
        if not ok or not math.isfinite(v):
            raise CallscopeError(
                f"must be {'> 0' if name == 'aht_s' else '>= 0'}; got {v:g}", field=name
            )
    if req.intervals < 1:
        raise CallscopeError(f"must be >= 1; got {req.intervals}", field="intervals")
    if not (req.handle_cv > 0 and math.isfinite(req.handle_cv)):
        raise CallscopeError(f"must be > 0; got {req.handle_cv:g}", field="handle_cv")
    p = req.patience_s
    if p is not None and not (p > 0 and math.isfinite(p)):
        raise CallscopeError(
            f"must be > 0 seconds; got {p:g} (leave it out: nobody abandons)", field="patience_s"
        )
    dist = (
        Distribution.lognormal(req.aht_s, req.handle_cv)
        if req.handle == "lognormal"
        else Distribution.exponential(req.aht_s)
    )
    pat = Distribution.exponential(p) if p else Distribution.never()
    center = Center(
        (Queue("queue", [req.calls] * req.intervals, dist, pat),),
        (AgentGroup("agents", req.agents, ("queue",)),),
        req.interval_s,
    )
    return center, []


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def simulate(settings: Settings, request: SimulateRequest) -> SimulateResult:
    """Run the center once (seeded) and compare each queue with Erlang A (with
    patience) or Erlang C, weighting the per-interval Erlang values by calls."""
    import numpy as np

    from callscope.queueing.erlang import erlang_a, erlang_c
    from callscope.queueing.simulate import simulate as run

    if request.seed < 0:
        raise CallscopeError(f"must be >= 0; got {request.seed}", field="seed")
    t = (
        request.sl_threshold_s
        if request.sl_threshold_s is not None
        else settings.goal_for("voice").threshold_s
    )
    if not (t >= 0 and math.isfinite(t)):
        raise CallscopeError(f"must be >= 0 seconds; got {t:g}", field="sl_threshold_s")
    center, notes = _center(settings, request)
    res = run(center, rng=request.seed)
    s = res.summary(threshold_s=t)
    rows = []
    for k, q in enumerate(center.queues):
        c = np.asarray(q.calls, dtype=np.float64)
        grp = np.asarray(center.groups[k].agents, dtype=np.float64) * np.ones_like(c)
        p = q.patience.mean
        m = (
            erlang_a(c, q.handle.mean, grp, p, interval_s=center.interval_s, threshold_s=t)
            if np.isfinite(p)
            else erlang_c(c, q.handle.mean, grp, interval_s=center.interval_s, threshold_s=t)
        )
        w = c / c.sum() if c.sum() > 0 else np.full(c.size, 1 / c.size)

        def weighted(v: Any, w: Any = w) -> float | None:
            v = np.asarray(v, dtype=np.float64)
            ok = np.isfinite(v)
            return _num((w[ok] * v[ok]).sum() / w[ok].sum()) if ok.any() else None

        num = _num
        rows.append(
            {
                "queue": q.name,
                "offered": int(s.offered[k]),
                "answered": int(s.answered[k]),
                "abandoned": int(s.abandoned[k]),
                "exit_empty": int(s.exit_empty[k]),
                "service_level": num(s.service_level[k]),
                "service_level_ci": num(s.service_level_ci[k]),
                "asa_s": num(s.asa_s[k]),
                "asa_s_ci": num(s.asa_s_ci[k]),
                "p_abandon": num(s.p_abandon[k]),
                "p_abandon_ci": num(s.p_abandon_ci[k]),
                "aht_s": num(s.aht_s[k]),
                "input_aht_s": num(q.handle.mean),
                "erlang_service_level": weighted(m.service_level),
                "erlang_asa_s": weighted(m.asa_s),
                "erlang_p_abandon": weighted(m.p_abandon),
            }
        )
    saved = None
    if request.save:
        from callscope.services.common import open_store

        with (
            open_store(settings, write=True) as store,
            store.batch(res.source, "simulate", res.run_id) as b,
        ):
            b.rows_read = res.calls
            b.append("contacts", res.contacts())
            b.append("agent_states", res.agent_states())
        saved = Path(settings.db)
    return SimulateResult(
        queues=rows,
        calls=int(res.calls),
        occupancy=float(s.occupancy),
        seed=int(res.seed),
        run_id=str(res.run_id),
        sl_threshold_s=t,
        notes=tuple(notes),
        saved_to=saved,
    )
