"""The staffing planner: agents needed per interval, and service expected from agents.

Public API (every argument is a scalar or a NumPy array; all broadcast together, one
element per interval of any number of queues, solved in one compiled call)::

    required_agents(calls, aht_s, interval_s=1800, *, model="erlang-c",
                    sl_target=0.8, sl_threshold_s=20, asa_target_s=None,
                    max_abandon=None, max_occupancy=None, max_p_wait=None,
                    patience_s=None, shrinkage=0.0, concurrency=1) -> StaffingResult

        The smallest whole number of agents on the phones (``agents``) that meets every
        target given, and the agents to schedule once shrinkage is taken off
        (``scheduled_agents``), with the metrics the center gets at ``agents``.

    expected_service(calls, aht_s, agents, interval_s=1800, *, model="erlang-c",
                     sl_threshold_s=20, patience_s=None, shrinkage=0.0,
                     concurrency=1) -> StaffingResult

        The reverse question: given the agents (``shrinkage`` > 0 means the agents given
        are *scheduled* ones, of whom ``agents * (1 - shrinkage)`` are on the phones,
        fractional agents allowed), the service level, ASA and abandonment to expect.

Units: ``calls`` per interval; ``aht_s``, ``interval_s``, ``sl_threshold_s``,
``asa_target_s``, ``patience_s`` in seconds; ``sl_target``, ``max_abandon``,
``max_occupancy``, ``max_p_wait``, ``shrinkage`` fractions in [0, 1]. A target of ``None`` (or NaN in an
array) is not applied. ``model`` is ``"erlang-c"`` (no abandonment) or ``"erlang-a"``
(exponential patience of mean ``patience_s``, required); see :mod:`.erlang`.

Targets: ``service_level >= sl_target`` (the share of *all* offered calls answered within
``sl_threshold_s``; with Erlang A abandoned calls count as not answered in time),
``asa_s <= asa_target_s``, ``p_abandon <= max_abandon``, ``occupancy <= max_occupancy``,
``p_wait <= max_p_wait`` (the share of callers who wait at all: Erlang C's
``C(N, r) = B / (1 - rho (1 - B))`` with ``B`` Erlang B and ``rho = r / N``, the goal of
the textbook Anonymous Bank shift example, Miller 2015, ch. 6; with Erlang A the share
who find every agent busy). An interval with calls always gets at least one agent.
Every metric is monotone in the number of agents. Erlang C steps up one agent at a time
with the forward Erlang B recursion ``B(s+1) = r B(s) / (s + 1 + r B(s))`` (stable, O(1)
per step; it starts from ``B(0) = 1``, or above 200 Erlangs from the incomplete-gamma
value at ``floor(r)``). Erlang A, whose evaluation is costlier, uses a galloping search
from the square-root-staffing guess ``r + sqrt(r)`` followed by bisection (about
2 log2 of the guess error evaluations).

Shrinkage: ``scheduled_agents = ceil(agents / (1 - shrinkage))`` (rounded up, with a
1e-9 tolerance so that 21 / (1 - 0.3) = 30.000000000000004 is 30, not 31).

Chat concurrency: an agent who takes ``concurrency = k`` chats at once is modelled as
``k`` servers, each chat holding one slot for ``aht_s`` seconds (the chat's elapsed
handle time, which already includes the slowdown of multitasking). The planner searches
over whole agents, ``servers = k * agents``; ``occupancy`` is the share of slots busy.

>>> r = required_agents(100, 180, 1800, sl_target=0.8, sl_threshold_s=20, shrinkage=0.3)
>>> int(r.agents), int(r.scheduled_agents), round(float(r.service_level), 4)
(14, 20, 0.8884)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from callscope.errors import CallscopeError
from callscope.queueing.erlang import _columns, _rates
from callscope.queueing.jit import njit
from callscope.queueing.kernels import NMET as _NMET
from callscope.queueing.kernels import point as _point
from callscope.queueing.kernels import search_goals
from callscope.queueing.special import log_erlang_b

__all__ = ["MODELS", "StaffingResult", "expected_service", "required_agents"]

#: Queueing models the planner knows.
MODELS = ("erlang-c", "erlang-a")


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """Agents and expected service per interval (arrays of one shape).

    ``agents`` are on the phones; ``scheduled_agents`` include shrinkage. Metrics are at
    ``agents`` (see :class:`~callscope.queueing.erlang.QueueMetrics` for definitions).
    """

    model: str
    agents: np.ndarray  #: agents on the phones (int64 from the planner; given ones otherwise)
    scheduled_agents: np.ndarray  #: agents to schedule: ceil(agents / (1 - shrinkage))
    traffic: np.ndarray  #: offered load, Erlangs
    service_level: np.ndarray  #: share of offered answered within the threshold
    asa_s: np.ndarray  #: mean wait of answered calls, seconds
    mean_wait_s: np.ndarray  #: mean wait of all calls, seconds
    p_wait: np.ndarray  #: share of calls that wait
    p_abandon: np.ndarray  #: share of calls that abandon
    p_abandon_within_t: np.ndarray  #: share of calls that abandon within the threshold
    occupancy: np.ndarray  #: busy share of agent slots
    queue_length: np.ndarray  #: mean callers waiting
    stable: np.ndarray  #: False where Erlang C has load >= servers
    met: np.ndarray  #: every target given is met

    def as_columns(self) -> dict[str, np.ndarray]:
        """The array fields, in order, as name -> array (for a DataFrame or Arrow)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "model"}

    def __len__(self) -> int:
        return int(self.agents.size)


@njit(cache=True, inline="always")
def _g(x: np.ndarray, i: int) -> float:
    """Element ``i`` of a per-interval input, or its only element (a scalar input)."""
    return x[0] if x.size == 1 else x[i]


@njit(cache=True)
def _search_goals(
    size: int,
    kind: int,
    lam_: np.ndarray,
    mu_: np.ndarray,
    theta_: np.ndarray,
    t_: np.ndarray,
    sl_: np.ndarray,
    asa_: np.ndarray,
    ab_: np.ndarray,
    occ_: np.ndarray,
    pw_: np.ndarray,
    k_: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~callscope.queueing.kernels.search_goals` for every interval."""
    agents = np.zeros(size, dtype=np.int64)
    met = np.ones(size, dtype=np.bool_)
    res = np.empty((size, _NMET))
    for i in range(size):
        n, ok = search_goals(
            kind,
            _g(lam_, i),
            _g(mu_, i),
            _g(theta_, i),
            _g(t_, i),
            _g(sl_, i),
            _g(asa_, i),
            _g(ab_, i),
            _g(occ_, i),
            _g(pw_, i),
            int(_g(k_, i)),
            res[i],
        )
        agents[i] = n
        met[i] = ok
    return agents, res, met


def _search(
    size: int,
    kind: int,
    lam_: np.ndarray,
    mu_: np.ndarray,
    theta_: np.ndarray,
    t_: np.ndarray,
    sl_: np.ndarray,
    asa_: np.ndarray,
    ab_: np.ndarray,
    occ_: np.ndarray,
    k_: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_search_goals` without a P(wait) goal."""
    nan = np.full(1, np.nan)
    return _search_goals(size, kind, lam_, mu_, theta_, t_, sl_, asa_, ab_, occ_, nan, k_)


#: Loads up to this many Erlangs start the Erlang B recursion from zero agents in NumPy
#: (the loop runs once per agent of the largest load, each step on the rows still short);
#: above, from the incomplete-gamma value (a compiled kernel, loaded only then).
_RECURSE_MAX_ERLANGS = 20_000.0
#: Agents added above the first stable count before a target is declared unreachable.
_MAX_STEPS = 100_000


def _full(x: np.ndarray, size: int) -> np.ndarray:
    return np.broadcast_to(x, (size,)) if x.size == 1 else x


@njit(cache=True)
def _inv_erlang_b_at(s: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``1 / B(s, r)`` from the incomplete-gamma form (large loads)."""
    out = np.empty(s.size)
    for i in range(s.size):
        v = -log_erlang_b(s[i], r[i])
        out[i] = math.inf if v > 709.0 else math.exp(v)  # B below 1e-308: 1/B is inf
    return out


def _inv_erlang_b_recursion(s: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``1 / B(s, r)`` for whole ``s`` by the forward Erlang B recursion
    ``1/B(j) = 1 + j/r * 1/B(j-1)`` from ``1/B(0) = 1``, vectorized over rows: the rows
    are sorted by ``s`` so that step ``j`` updates the contiguous tail that still needs
    it (total work: the sum of ``s``)."""
    order = np.argsort(s, kind="stable")
    ss = s[order]
    inv_r = 1.0 / r[order]
    inv_b = np.ones(s.size)
    top = int(ss[-1]) if ss.size else 0
    starts = np.searchsorted(ss, np.arange(1, top + 1), side="left")
    for j, lo in zip(range(1, top + 1), starts, strict=True):
        tail = inv_b[lo:]
        tail *= j * inv_r[lo:]
        tail += 1.0
    out = np.empty(s.size)
    out[order] = inv_b
    return out


@np.errstate(over="ignore")  # 1/B beyond 1e308 is inf, and C = 0 there: exact
def _search_c(
    size: int,
    lam_: np.ndarray,
    mu_: np.ndarray,
    t_: np.ndarray,
    sl_: np.ndarray,
    asa_: np.ndarray,
    occ_: np.ndarray,
    k_: np.ndarray,
    pw_: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Erlang C staffing for every interval at once, in NumPy (no compiler to load).

    Every count below the first stable one (``k n > r``) and below the occupancy bound
    fails, so the search starts there, with ``1/B`` from the forward recursion
    ``1/B(s+1) = 1 + (s+1)/r * 1/B(s)`` (numerically stable) or, above
    :data:`_RECURSE_MAX_ERLANGS`, from the incomplete-gamma value; then it adds one agent
    (``k`` servers) at a time to the intervals that still miss a target until none does.
    The targets are tested without division: with ``D = s/B - r (1/B - 1) =
    (s - r)/B + r > 0``,
    ``C = s / D``, so ``SL >= x  <=>  s e^{-(s mu - lam) t} <= (1 - x) D`` and
    ``ASA <= a  <=>  s <= a (s mu - lam) D`` and ``P(wait) = C <= p  <=>  s <= p D``."""
    lam, mu, t = (_full(x, size) for x in (lam_, mu_, t_))
    pw_ = np.full(1, np.nan) if pw_ is None else pw_
    sl, asa, occ, k, pw = (_full(x, size) for x in (sl_, asa_, occ_, k_, pw_))
    agents = np.zeros(size, dtype=np.int64)
    met = np.ones(size, dtype=np.bool_)
    res = np.empty((size, _NMET))
    res[:] = (0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)  # no calls: nobody waits
    idx = np.flatnonzero(lam > 0.0)
    if idx.size == 0:
        return agents, res, met
    lam, mu, t, sl, asa, occ, pw = (x[idx] for x in (lam, mu, t, sl, asa, occ, pw))
    k = k[idx].astype(np.int64)
    r = lam / mu
    a = np.floor(r * (1.0 + 1e-12) / k).astype(np.int64) + 1  # first stable count
    with np.errstate(invalid="ignore", divide="ignore"):
        a_occ = np.ceil(r / (occ * k)).astype(np.float64) - 1.0
    a = np.maximum(a, np.where(np.isnan(a_occ), 0, a_occ).astype(np.int64))
    s = (a * k).astype(np.float64)
    inv_b = np.empty(idx.size)
    small = r <= _RECURSE_MAX_ERLANGS
    if small.any():
        inv_b[small] = _inv_erlang_b_recursion(s[small], r[small])
    if not small.all():
        inv_b[~small] = _inv_erlang_b_at(s[~small], r[~small])
    decay = np.exp(-(s * mu - lam) * t)
    step_decay = np.exp(-k * mu * t)
    inv_r = 1.0 / r
    no_sl, no_asa, no_occ, no_pw = np.isnan(sl), np.isnan(asa), np.isnan(occ), np.isnan(pw)
    live = np.arange(idx.size)
    for _ in range(_MAX_STEPS):
        d = (s - r) * inv_b + r  # = s/B - r (1/B - 1); inf (C = 0) when B underflows
        gap = s * mu - lam
        ok = (
            (no_occ | (r <= occ * s))
            & (no_sl | (s * decay <= (1.0 - sl) * d))
            & (no_asa | (s <= asa * gap * d))
            & (no_pw | (s <= pw * d))
        )
        if ok.any():
            c = s[ok] / d[ok]
            w = c / gap[ok]
            rows = idx[live[ok]]
            agents[rows] = a[ok]
            res[rows, 0] = c
            res[rows, 1] = 1.0 - c * decay[ok]
            res[rows, 2] = w
            res[rows, 3] = w
            res[rows, 4] = 0.0
            res[rows, 5] = 0.0
            res[rows, 6] = r[ok] / s[ok]
            res[rows, 7] = lam[ok] * w
            res[rows, 8] = 1.0
            keep = ~ok
            if not keep.any():
                return agents, res, met
            live, a, s, inv_b, decay, step_decay = (
                x[keep] for x in (live, a, s, inv_b, decay, step_decay)
            )
            lam, mu, t, r, inv_r, k = (x[keep] for x in (lam, mu, t, r, inv_r, k))
            sl, asa, occ, pw = (x[keep] for x in (sl, asa, occ, pw))
            no_sl, no_asa, no_occ, no_pw = (x[keep] for x in (no_sl, no_asa, no_occ, no_pw))
        decay = decay * step_decay
        for j in range(int(k.max())):
            more = k > j
            s = s + more
            inv_b = np.where(more, 1.0 + s * inv_r * inv_b, inv_b)
        a = a + 1
    rows = idx[live]  # a target no count reaches within _MAX_STEPS agents
    agents[rows] = a
    met[rows] = False
    res[rows] = (1.0, 0.0, np.inf, np.inf, 0.0, 0.0, 1.0, np.inf, 0.0)
    return agents, res, met


@njit(cache=True)
def _evaluate(
    size: int,
    kind: int,
    lam: np.ndarray,
    mu: np.ndarray,
    theta: np.ndarray,
    t: np.ndarray,
    servers: np.ndarray,
) -> np.ndarray:
    res = np.empty((size, _NMET))
    for i in range(size):
        _point(kind, _g(lam, i), _g(mu, i), _g(theta, i), _g(servers, i), _g(t, i), res[i])
    return res


def _kind(model: str, patience_s: object) -> int:
    if model not in MODELS:
        raise CallscopeError(f"unknown queueing model {model!r}; use one of {', '.join(MODELS)}")
    if model == "erlang-a" and patience_s is None:
        raise CallscopeError(
            "model erlang-a needs patience_s (mean patience in seconds); "
            "estimate it with callscope.queueing.patience or pass it"
        )
    return 1 if model == "erlang-c" else 2


def _opt(v: object) -> np.ndarray:
    return np.asarray(np.nan if v is None else v, dtype=np.float64)


def _check(
    name: str, a: np.ndarray, lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False
) -> None:
    if a.size == 0:
        return
    amin, amax = a.min(), a.max()  # one pass each; NaN (a target not given) falls through
    if (
        not np.isnan(amin)
        and (lo < amin if lo_open else lo <= amin)
        and (amax < hi if hi_open else amax <= hi)
    ):
        return
    ok = ~np.isnan(a)
    bad = ok & ((a <= lo if lo_open else a < lo) | (a >= hi if hi_open else a > hi))
    if bad.any():
        lo_b, hi_b = ("(" if lo_open else "["), (")" if hi_open else "]")
        raise CallscopeError(
            f"{name} must lie in {lo_b}{lo}, {hi}{hi_b}; got {float(a[bad].ravel()[0]):g}"
        )


def _scheduled(agents: np.ndarray, shrinkage: np.ndarray) -> np.ndarray:
    return np.ceil(agents / (1.0 - shrinkage) - 1e-9).astype(np.int64)


def _fit(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``x`` (full size, or one element standing for all) in ``shape``."""
    x = np.asarray(x)
    return x.reshape(shape) if x.size == math.prod(shape) else np.full(shape, x.reshape(-1)[0])


def _result(
    model: str,
    agents: np.ndarray,
    scheduled: np.ndarray,
    traffic: np.ndarray,
    res: np.ndarray,
    met: np.ndarray,
    shape: tuple[int, ...],
) -> StaffingResult:
    return StaffingResult(
        model=model,
        agents=_fit(agents, shape),
        scheduled_agents=_fit(scheduled, shape),
        traffic=_fit(traffic, shape),
        met=met.reshape(shape),
        **_columns(res, shape),
    )


def _prepare(
    calls: object,
    aht_s: object,
    interval_s: object,
    patience_s: object,
    threshold_s: object,
    concurrency: object,
    shrinkage: object,
    *extra: np.ndarray,
) -> tuple[list[np.ndarray], tuple[int, ...]]:
    patience_s = np.inf if patience_s is None else patience_s
    arrays = [
        np.asarray(v, dtype=np.float64)
        for v in (calls, aht_s, interval_s, patience_s, threshold_s, concurrency, shrinkage)
    ]
    arrays += [np.asarray(v, dtype=np.float64) for v in extra]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    # scalars stay length-1 arrays (the kernels read element 0); others are flattened
    flat = [
        a.reshape(1)
        if a.size == 1
        else np.ascontiguousarray(a if a.shape == shape else np.broadcast_to(a, shape)).ravel()
        for a in arrays
    ]
    c, a, iv, p, t, k, s = flat[:7]
    for name, v in (
        ("calls", c),
        ("aht_s", a),
        ("interval_s", iv),
        ("patience_s", p),
        ("threshold_s", t),
        ("concurrency", k),
    ):
        if np.isnan(v).any():
            raise CallscopeError(f"{name} has missing (NaN) values; fill or drop those rows")
    _check("calls", c, 0.0, np.inf)
    _check("aht_s", a, 0.0, np.inf, lo_open=True, hi_open=True)
    _check("interval_s", iv, 0.0, np.inf, lo_open=True, hi_open=True)
    _check("patience_s", p, 0.0, np.inf, lo_open=True)
    _check("threshold_s", t, 0.0, np.inf, hi_open=True)
    _check("concurrency", k, 1.0, np.inf, hi_open=True)
    if (k != np.round(k)).any():
        raise CallscopeError("concurrency must be a whole number of contacts per agent")
    _check("shrinkage", s, 0.0, 1.0, hi_open=True)
    return flat, shape


def required_agents(
    calls: object,
    aht_s: object,
    interval_s: object = 1800.0,
    *,
    model: str = "erlang-c",
    sl_target: object = 0.8,
    sl_threshold_s: object = 20.0,
    asa_target_s: object = None,
    max_abandon: object = None,
    max_occupancy: object = None,
    max_p_wait: object = None,
    patience_s: object = None,
    shrinkage: object = 0.0,
    concurrency: object = 1,
) -> StaffingResult:
    """The fewest agents per interval that meet every target given (see the module
    docstring for the targets, shrinkage and chat concurrency).

    >>> r = required_agents([0.0, 60.0], 240, 3600, sl_target=None, max_p_wait=0.5)
    >>> r.agents.tolist(), [round(float(p), 4) for p in r.p_wait]
    ([0, 6], [0.0, 0.2848])
    """
    kind = _kind(model, patience_s)
    flat, shape = _prepare(
        calls,
        aht_s,
        interval_s,
        patience_s,
        sl_threshold_s,
        concurrency,
        shrinkage,
        _opt(sl_target),
        _opt(asa_target_s),
        _opt(max_abandon),
        _opt(max_occupancy),
        _opt(max_p_wait),
    )
    c, a, iv, p, t, k, s, sl, asa, ab, occ, pw = flat
    _check("sl_target", sl, 0.0, 1.0, hi_open=True)
    _check("asa_target_s", asa, 0.0, np.inf, lo_open=True)
    _check("max_abandon", ab, 0.0, 1.0, lo_open=True)
    _check("max_occupancy", occ, 0.0, 1.0, lo_open=True)
    _check("max_p_wait", pw, 0.0, 1.0, lo_open=True)
    if kind == 1 and not np.isnan(ab).all():
        ab = np.full_like(ab, np.nan)  # Erlang C callers never abandon: always met
    lam, mu, theta = _rates(c, a, iv, p)
    size = math.prod(shape)
    if kind == 1:
        agents, res, met = _search_c(size, lam, mu, t, sl, asa, occ, k, pw)  # NumPy: no numba
    else:
        agents, res, met = _search_goals(size, kind, lam, mu, theta, t, sl, asa, ab, occ, pw, k)
    return _result(model, agents, _scheduled(agents, s), lam / mu, res, met, shape)


def expected_service(
    calls: object,
    aht_s: object,
    agents: object,
    interval_s: object = 1800.0,
    *,
    model: str = "erlang-c",
    sl_threshold_s: object = 20.0,
    patience_s: object = None,
    shrinkage: object = 0.0,
    concurrency: object = 1,
) -> StaffingResult:
    """Service expected from ``agents`` (scheduled ones if ``shrinkage`` > 0: then
    ``agents * (1 - shrinkage)``, possibly fractional, are on the phones). ``met`` is
    True where the queue is stable."""
    kind = _kind(model, patience_s)
    flat, shape = _prepare(
        calls,
        aht_s,
        interval_s,
        patience_s,
        sl_threshold_s,
        concurrency,
        shrinkage,
        np.asarray(agents, dtype=np.float64),
    )
    c, a, iv, p, t, k, s, n = flat
    _check("agents", n, 0.0, np.inf, hi_open=True)
    lam, mu, theta = _rates(c, a, iv, p)
    on_phones = _fit(n * (1.0 - s), shape).ravel()
    res = _evaluate(math.prod(shape), kind, lam, mu, theta, t, on_phones * k)
    return _result(model, on_phones, _fit(n, shape).ravel(), lam / mu, res, res[:, 8] > 0.5, shape)
