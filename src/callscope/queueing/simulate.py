"""A discrete-event contact-center simulator with a compiled kernel.

Describe a center with :class:`Queue` (calls expected per interval, handle-time and
patience :class:`~callscope.queueing.distributions.Distribution`, priority, overflow
delay), :class:`AgentGroup` (agents on shift per interval, primary skills, overflow
skills) and :class:`Center`; :func:`simulate` draws Poisson arrivals with a piecewise
constant rate (``calls[i] / interval_s`` in interval ``i``), handle times and patience
from ``rng``, and runs the kernel (:mod:`.sim_kernel`, routing rules there). The result
gives canonical ``contacts`` and ``agent_states`` Arrow tables (:mod:`callscope.model`)
so the KPI engine measures a simulated center like a real one, and a quick
:meth:`SimulationResult.summary` per queue (every call counted under its outcome, with
batch-means confidence intervals). A run is reproducible from its recorded ``seed`` and
identified by its ``run_id`` in every stored row. :mod:`.sim_plan` builds a center from
a staffing plan.

>>> center = Center(
...     queues=(Queue("sales", calls=[252.0] * 4, handle=Distribution.exponential(120),
...                   patience=Distribution.exponential(60)),),
...     groups=(AgentGroup("team", agents=12, skills=("sales",)),), interval_s=3600)
>>> res = simulate(center, rng=np.random.default_rng(1))
>>> s = res.summary(warmup_s=600)
>>> 0.01 < float(s.p_abandon[0]) < 0.06  # exact Erlang A: 0.0297
True
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa

from callscope.errors import CallscopeError
from callscope.model import AGENT_STATES, CONTACTS, Table
from callscope.model.outcome import OUTCOME_BY_CODE
from callscope.queueing import sim_kernel
from callscope.queueing.distributions import Distribution

__all__ = [
    "AgentGroup",
    "Center",
    "Queue",
    "QueueSummary",
    "SimulationResult",
    "run_seed",
    "simulate",
]

#: Outcome name by kernel code (:attr:`callscope.model.outcome.Outcome.code`).
_OUTCOMES = np.array(OUTCOME_BY_CODE, dtype=object)


@dataclass(frozen=True)
class Queue:
    """One queue. ``calls``: expected arrivals per interval. A call still waiting after
    ``overflow_after_s`` is also offered to groups with this queue as an overflow skill."""

    name: str
    calls: object
    handle: Distribution
    patience: Distribution = field(default_factory=Distribution.never)
    priority: int = 0
    channel: str = "voice"
    overflow_after_s: float = math.inf


@dataclass(frozen=True)
class AgentGroup:
    """Agents of one skill profile; ``agents`` on shift per interval (or one number)."""

    name: str
    agents: object
    skills: tuple[str, ...]
    overflow_skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Center:
    """Queues and agent groups over ``n`` intervals of ``interval_s`` from ``start``."""

    queues: tuple[Queue, ...]
    groups: tuple[AgentGroup, ...]
    interval_s: float = 1800.0
    start: datetime = datetime(2024, 1, 1)

    @property
    def n_intervals(self) -> int:
        return int(np.asarray(self.queues[0].calls, dtype=np.float64).size)


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """Per-queue results of a simulation over a measurement window (arrays by queue).

    Calls are those that *arrived* in the window; each has its final outcome (the run
    goes on until every call has left), so for every queue
    ``offered == answered + abandoned + exit_empty``.

    The ``*_ci`` fields are 95 % half-widths by **batch means**: the window is cut into
    ``batches`` equal spans of time and each ratio (``abandoned / offered``,
    ``answered within T / offered``, ``total wait / answered``) gets the delta-method
    variance of a ratio of sums over the batches,
    ``Var(R) = B / (B - 1) * sum_b (x_b - R y_b)**2 / (sum_b y_b)**2``, times Student's
    ``t(0.975, B - 1)`` (Law & Kelton, *Simulation Modeling and Analysis*, 3rd ed.,
    9.5.3; Cochran, *Sampling Techniques*, 3rd ed., 6.4). Unlike a binomial interval, it
    counts the correlation between calls that share a busy period and the noise of the
    drawn arrivals and handle times (on M/M/18+M at 89 % load the binomial half-width is
    2.2 times too narrow). Batches must be long against the queue's relaxation time
    (minutes to an hour); on a time-varying plan the intervals' differences inflate it,
    so read it as an upper bound there.
    """

    queues: tuple[str, ...]
    offered: np.ndarray  #: calls that arrived in the window
    answered: np.ndarray
    abandoned: np.ndarray
    exit_empty: np.ndarray  #: still waiting when no agent was left (end of the run)
    service_level: np.ndarray  #: answered within threshold_s / offered
    asa_s: np.ndarray  #: mean wait of answered, seconds
    p_abandon: np.ndarray  #: abandoned / offered
    aht_s: np.ndarray  #: mean drawn handle time of the answered calls, seconds
    p_abandon_ci: np.ndarray  #: 95 % half-width of p_abandon (batch means)
    service_level_ci: np.ndarray  #: 95 % half-width of service_level (batch means)
    asa_s_ci: np.ndarray  #: 95 % half-width of asa_s (batch means), seconds
    occupancy: float  #: busy agent time / logged-in agent time in the window, all agents
    batches: int  #: number of batches behind the ``*_ci`` fields


@dataclass(frozen=True)
class SimulationResult:
    """Per-call arrays (seconds from ``center.start``) and agent sessions.

    ``seed`` reproduces the run: ``simulate(center, rng=seed)`` gives the same result.
    ``run_id`` (16 hex digits) identifies the center and the seed; every row of
    :meth:`contacts` and :meth:`agent_states` carries it in its key, so runs with
    different seeds or centers never collide in a store and the same run stored twice
    adds nothing.
    """

    center: Center
    seed: int
    run_id: str
    queue: np.ndarray  #: queue index per call
    arrival_s: np.ndarray
    answer_s: np.ndarray  #: nan if never answered
    end_s: np.ndarray
    handle_s: np.ndarray  #: drawn handle time (used only if answered)
    agent: np.ndarray  #: agent index, -1 if unanswered
    outcome: np.ndarray  #: ``Outcome.code``: answered, abandoned or exit_empty
    agent_names: tuple[str, ...]  #: ``<group>-<nnn>``, unique within the run
    session_agent: np.ndarray
    session_start_s: np.ndarray
    session_end_s: np.ndarray

    @property
    def calls(self) -> int:
        return int(self.arrival_s.size)

    @property
    def source(self) -> str:
        """``source_file`` of every stored row: ``simulate:<run_id>:seed=<seed>``."""
        return f"simulate:{self.run_id}:seed={self.seed}"

    def summary(
        self,
        *,
        threshold_s: float = 20.0,
        warmup_s: float = 0.0,
        until_s: float | None = None,
        batches: int = 20,
    ) -> QueueSummary:
        """Metrics of calls arriving in ``[warmup_s, until_s)`` (default: to the horizon),
        agent occupancy over the same window, and batch-means confidence half-widths
        (see :class:`QueueSummary`)."""
        horizon = self.center.n_intervals * self.center.interval_s
        end = horizon if until_s is None else until_s
        sel = (self.arrival_s >= warmup_s) & (self.arrival_s < end)
        nq = len(self.center.queues)
        q = self.queue[sel]
        arr = self.arrival_s[sel]
        wait = self.answer_s[sel] - arr
        out = self.outcome[sel]
        ans = out == sim_kernel.ANSWERED
        ab = out == sim_kernel.ABANDONED
        empty = out == sim_kernel.EXIT_EMPTY
        in_t = ans & (wait <= threshold_s)
        w_ans = np.where(ans, wait, 0.0)
        # per (queue, batch) sums; a batch is an equal span of arrival time
        lo, hi = warmup_s, min(end, horizon)
        nb = max(int(batches), 1)
        pos = (arr - lo) * (nb / (hi - lo)) if hi > lo else np.zeros_like(arr)
        bi = np.clip(pos.astype(np.int64), 0, nb - 1)
        cell = q * nb + bi

        def sums(weights: np.ndarray | None) -> np.ndarray:
            return np.bincount(cell, weights=weights, minlength=nq * nb).reshape(nq, nb)

        off_b, ans_b, ab_b, in_b, w_b = (
            sums(None).astype(np.float64),
            sums(ans),
            sums(ab),
            sums(in_t),
            sums(w_ans),
        )
        offered, answered, abandoned = off_b.sum(1), ans_b.sum(1), ab_b.sum(1)
        exit_empty = np.bincount(q, weights=empty, minlength=nq)
        hsum = np.bincount(q, weights=np.where(ans, self.handle_s[sel], 0.0), minlength=nq)
        with np.errstate(divide="ignore", invalid="ignore"):
            p_ab = abandoned / offered
            sl = in_b.sum(1) / offered
            asa = w_b.sum(1) / answered
            aht = hsum / answered
        done = self.outcome == sim_kernel.ANSWERED
        busy = _overlap(
            self.answer_s[done], self.answer_s[done] + self.handle_s[done], warmup_s, end
        )
        logged = _overlap(self.session_start_s, self.session_end_s, warmup_s, end)
        occ = busy / logged if logged > 0 else math.nan
        return QueueSummary(
            queues=tuple(x.name for x in self.center.queues),
            offered=offered,
            answered=answered,
            abandoned=abandoned,
            exit_empty=exit_empty,
            service_level=sl,
            asa_s=asa,
            p_abandon=p_ab,
            aht_s=aht,
            p_abandon_ci=_ratio_ci(ab_b, off_b),
            service_level_ci=_ratio_ci(in_b, off_b),
            asa_s_ci=_ratio_ci(w_b, ans_b),
            occupancy=occ,
            batches=nb,
        )

    def contacts(self, run_id: str | None = None) -> pa.Table:
        """The calls as a canonical ``contacts`` table (``CONTACTS.schema``); contact ids
        are ``sim-<run_id>-<n>`` (``run_id`` defaults to :attr:`run_id`), agents are
        named as in :meth:`agent_states`."""
        c = self.center
        n = self.calls
        base = np.datetime64(c.start, "us")
        names = np.array([x.name for x in c.queues], dtype=object)
        channels = np.array([x.channel for x in c.queues], dtype=object)
        prios = np.array([x.priority for x in c.queues], dtype=np.int16)
        prefix = f"sim-{self.run_id if run_id is None else run_id}-"
        ids = np.char.add(prefix, np.arange(1, n + 1).astype(str)).astype(object)
        answered = self.outcome == sim_kernel.ANSWERED
        arr_ts = base + np.round(self.arrival_s * 1e6).astype("timedelta64[us]")
        ans_us = np.where(answered, np.round(np.nan_to_num(self.answer_s) * 1e6), 0)
        end_ts = base + np.round(self.end_s * 1e6).astype("timedelta64[us]")
        wait = np.where(answered, self.answer_s, self.end_s) - self.arrival_s
        agents = np.array([*self.stored_agent_names(), ""], dtype=object)[self.agent]
        cols = {
            "contact_id": ids,
            "conversation_id": ids,
            "segment": np.ones(n, dtype=np.int16),
            "previous_contact_id": pa.nulls(n, pa.string()),
            "channel": channels[self.queue],
            "direction": np.full(n, "inbound", dtype=object),
            "queue": names[self.queue],
            "skill": names[self.queue],
            "priority": prios[self.queue],
            "customer_key": pa.nulls(n, pa.string()),
            "arrival_ts": arr_ts,
            "ivr_s": np.zeros(n),
            "queue_entry_ts": arr_ts,
            "answer_ts": pa.array(
                base + ans_us.astype("timedelta64[us]"), pa.timestamp("us"), mask=~answered
            ),
            "end_ts": end_ts,
            "wait_s": np.maximum(wait, 0.0),
            "talk_s": pa.array(self.handle_s, pa.float64(), mask=~answered),
            "hold_s": pa.array(np.zeros(n), pa.float64(), mask=~answered),
            "acw_s": pa.array(np.zeros(n), pa.float64(), mask=~answered),
            "agent": pa.array(agents, pa.string(), mask=~answered),
            "rings": pa.array(np.ones(n, dtype=np.int16), pa.int16(), mask=~answered),
            "outcome": _OUTCOMES[self.outcome],
            "transferred": np.zeros(n, dtype=bool),
            "disposition": pa.nulls(n, pa.string()),
            "resolved": pa.nulls(n, pa.bool_()),
            "source_file": np.full(n, self.source, dtype=object),
            "source_line": np.arange(1, n + 1, dtype=np.int64),
        }
        return _table(CONTACTS, cols)

    def stored_agent_names(self) -> tuple[str, ...]:
        """Agent names as stored: ``sim-<run_id>-<group>-<nnn>`` (unique across runs)."""
        return tuple(f"sim-{self.run_id}-{a}" for a in self.agent_names)

    def agent_states(self) -> pa.Table:
        """Logged-in sessions as a canonical ``agent_states`` table; agents are named
        ``sim-<run_id>-<group>-<nnn>`` so that two runs never share a key."""
        c = self.center
        base = np.datetime64(c.start, "us")
        n = self.session_agent.size
        group_of = (
            np.concatenate([np.full(_gsize(g), i) for i, g in enumerate(c.groups)]).astype(np.int64)
            if c.groups
            else np.zeros(0, np.int64)
        )
        gq = np.array([g.skills[0] if g.skills else None for g in c.groups], dtype=object)
        start = base + np.round(self.session_start_s * 1e6).astype("timedelta64[us]")
        end = base + np.round(self.session_end_s * 1e6).astype("timedelta64[us]")
        cols = {
            "agent": np.array(self.stored_agent_names(), dtype=object)[self.session_agent],
            "state": np.full(n, "logged_in", dtype=object),
            "reason": pa.nulls(n, pa.string()),
            "queue": gq[group_of[self.session_agent]] if n else np.zeros(0, dtype=object),
            "start_ts": start,
            "end_ts": end,
            "duration_s": (end - start).astype(np.int64) / 1e6,
            "source_file": np.full(n, self.source, dtype=object),
            "source_line": np.arange(1, n + 1, dtype=np.int64),
        }
        return _table(AGENT_STATES, cols)


def _table(spec: Table, cols: dict[str, object]) -> pa.Table:
    """``cols`` as ``spec``'s canonical table (its optional columns, absent here, null)."""
    arrays = {
        f.name: v if isinstance(v, pa.Array) else pa.array(v, f.type)
        for f in spec.schema
        if (v := cols.get(f.name)) is not None
    }
    return spec.conform(pa.table(arrays))


def _ratio_ci(num: np.ndarray, den: np.ndarray, level: float = 0.95) -> np.ndarray:
    """Half-width of the ``level`` interval of ``sum(num) / sum(den)`` per row, from the
    row's batches (columns): see :class:`QueueSummary`. NaN with fewer than 2 batches or
    no denominator."""
    nb = num.shape[1]
    if nb < 2:
        return np.full(num.shape[0], np.nan)
    from scipy.special import stdtrit

    d = den.sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = num.sum(1) / d
        resid = num - r[:, None] * den
        var = nb / (nb - 1) * (resid * resid).sum(1) / (d * d)
    return float(stdtrit(nb - 1, 0.5 + level / 2)) * np.sqrt(var)


def _overlap(start: np.ndarray, end: np.ndarray, lo: float, hi: float) -> float:
    return float(np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None).sum())


def _gsize(g: AgentGroup) -> int:
    a = np.asarray(g.agents, dtype=np.float64)
    return int(np.ceil(a.max())) if a.size else 0


def _validate(center: Center) -> tuple[np.ndarray, np.ndarray]:
    if not center.queues:
        raise CallscopeError("a simulated center needs at least one queue")
    names = [q.name for q in center.queues]
    if len(set(names)) != len(names):
        raise CallscopeError("queue names must be unique")
    calls = [np.asarray(q.calls, dtype=np.float64).ravel() for q in center.queues]
    nint = calls[0].size
    if any(c.size != nint for c in calls) or nint == 0:
        raise CallscopeError("every queue needs calls for the same (non-zero) number of intervals")
    if any((c < 0).any() or not np.isfinite(c).all() for c in calls):
        raise CallscopeError("calls per interval must be finite and >= 0")
    if not center.interval_s > 0:
        raise CallscopeError("interval_s must be > 0")
    gnames = [g.name for g in center.groups]
    if len(set(gnames)) != len(gnames):
        raise CallscopeError("agent group names must be unique")
    sched = np.zeros((len(center.groups), nint), dtype=np.int64)
    for i, g in enumerate(center.groups):
        for s in (*g.skills, *g.overflow_skills):
            if s not in names:
                raise CallscopeError(f"agent group {g.name!r} has unknown skill {s!r}")
        a = np.asarray(g.agents, dtype=np.float64).ravel()
        if a.size == 1:
            a = np.full(nint, a[0])
        if a.size != nint or (a < 0).any() or not np.isfinite(a).all():
            raise CallscopeError(
                f"agent group {g.name!r} needs agents >= 0 for each of the "
                f"{nint} intervals (or one number)"
            )
        sched[i] = np.round(a).astype(np.int64)
    return np.vstack(calls), sched


def run_seed(rng: np.random.Generator | int | None) -> int:
    """The integer seed a run is drawn from: ``rng`` itself when it is an int (>= 0); one
    draw from ``rng`` when it is a Generator (so the run is reproducible from the
    recorded seed, and the Generator advances); fresh OS entropy when ``None``.

    >>> run_seed(7), run_seed(np.random.default_rng(1)) == run_seed(np.random.default_rng(1))
    (7, True)
    """
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    if rng is None:
        return int(np.random.default_rng().integers(0, 2**63 - 1))
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise CallscopeError(
            f"the seed must be an integer >= 0 or a numpy Generator; got {rng!r}", field="seed"
        )
    return int(rng)


def _run_id(center: Center, calls: np.ndarray, sched: np.ndarray, seed: int) -> str:
    """16 hex digits of SHA-256 over everything that determines the run."""
    h = hashlib.sha256(repr((seed, float(center.interval_s), center.start)).encode())
    h.update(calls.tobytes())
    h.update(sched.tobytes())
    for q in center.queues:
        key = (q.name, q.handle, q.patience, q.priority, q.channel, q.overflow_after_s)
        h.update(repr(key).encode())
    for g in center.groups:
        h.update(repr((g.name, g.skills, g.overflow_skills)).encode())
    return h.hexdigest()[:16]


def simulate(center: Center, *, rng: np.random.Generator | int | None = None) -> SimulationResult:
    """Run the simulator once. ``rng``: an integer seed, or a Generator to draw one from
    (:func:`run_seed`); the result records the seed (``SimulationResult.seed``) and a
    ``run_id`` derived from the center and the seed."""
    calls, sched = _validate(center)
    seed = run_seed(rng)
    gen = np.random.default_rng(seed)
    nq, nint = calls.shape
    iv = float(center.interval_s)
    counts = gen.poisson(calls)  # (queue, interval)
    q_of = np.repeat(np.repeat(np.arange(nq), nint), counts.ravel())
    i_of = np.repeat(np.tile(np.arange(nint), nq), counts.ravel())
    arrival = (i_of + gen.random(q_of.size)) * iv
    handle = np.empty(q_of.size)
    patience = np.empty(q_of.size)
    for k, q in enumerate(center.queues):
        m = q_of == k
        handle[m] = q.handle.sample(gen, int(m.sum()))
        patience[m] = q.patience.sample(gen, int(m.sum()))
    order = np.argsort(arrival, kind="stable")
    arrival, q_of, handle, patience = arrival[order], q_of[order], handle[order], patience[order]
    qcalls = np.argsort(q_of, kind="stable").astype(np.int64)  # by queue, arrival order
    qoff = np.concatenate([[0], np.cumsum(np.bincount(q_of, minlength=nq))]).astype(np.int64)
    qidx = {q.name: k for k, q in enumerate(center.queues)}
    ng = len(center.groups)
    delay = np.full((max(ng, 1), nq), np.inf)
    for g, grp in enumerate(center.groups):
        for s in grp.overflow_skills:
            delay[g, qidx[s]] = max(center.queues[qidx[s]].overflow_after_s, 1e-9)
        for s in grp.skills:
            delay[g, qidx[s]] = 0.0
    gsize = sched.max(axis=1) if nint else np.zeros(ng, np.int64)
    gfirst = np.concatenate([[0], np.cumsum(gsize)[:-1]]).astype(np.int64)
    group_of = np.repeat(np.arange(ng), gsize).astype(np.int64)
    names = tuple(
        f"{g.name}-{j + 1:03d}" for g, s in zip(center.groups, gsize, strict=True) for j in range(s)
    )
    prio = np.array([q.priority for q in center.queues], dtype=np.int64)
    ovf = np.array([q.overflow_after_s for q in center.queues], dtype=np.float64)
    answer, end, agent, outcome, s_agent, s_start, s_end, nsess = sim_kernel.run(
        arrival,
        q_of.astype(np.int64),
        handle,
        patience,
        qcalls,
        qoff,
        prio,
        ovf,
        delay[:ng] if ng else np.zeros((0, nq)),
        group_of,
        gfirst,
        gsize.astype(np.int64),
        sched,
        iv,
    )
    return SimulationResult(
        center,
        seed,
        _run_id(center, calls, sched, seed),
        q_of.astype(np.int64),
        arrival,
        answer,
        end,
        handle,
        agent,
        outcome,
        names,
        s_agent[:nsess],
        s_start[:nsess],
        s_end[:nsess],
    )
