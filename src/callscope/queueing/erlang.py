"""Exact Erlang B (M/M/N/N), Erlang C (M/M/N) and Erlang A (M/M/N+M) metrics.

Inputs are NumPy arrays (or scalars) that broadcast together, one element per interval:

* ``calls`` offered in the interval, ``interval_s`` its length in seconds, so the arrival
  rate is ``lam = calls / interval_s`` per second;
* ``aht_s`` the mean handle time in seconds (service rate ``mu = 1 / aht_s``);
* ``agents`` the number of servers ``n``: real numbers are accepted and interpolated by
  the continuous extension of the Erlang B formula through the incomplete gamma function,
  ``B(n, r) = r**n e**-r / Gamma(n+1, r)`` (Jagerman 1974), exact at integers;
* ``patience_s`` (Erlang A) the mean patience, exponential (abandonment rate
  ``theta = 1 / patience_s``); ``inf`` gives Erlang C;
* ``threshold_s`` the service-level threshold ``T`` in seconds.

The offered load is ``r = lam / mu`` Erlangs (``traffic``) and ``rho = r / n``.

Erlang C (Erlang 1917; Gans, Koole & Mandelbaum 2003, section 4.1)::

    P(wait)  C = B / (1 - rho (1 - B))              (B = Erlang B(n, r))
    SL       1 - C exp(-(n mu - lam) T)              answered within T / offered
    ASA      C / (n mu - lam)                        mean wait, seconds
    Lq       lam * ASA

Above capacity (``rho >= 1``) the queue has no steady state: the metrics say so
(``stable`` False, ``p_wait`` 1, ``service_level`` 0, ``asa_s`` and ``queue_length``
``inf``, ``occupancy`` 1) instead of raising.

Erlang A (Palm 1943; Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn 2007,
"Service engineering in action: the Palm/Erlang-A queue"). With ``x = n mu / theta``,
``y = lam / theta`` and ``A(x, y) = x e**y y**-x gamma(x, y) = M(1, x+1, y)``::

    P(wait)          P_w = A B / (1 + (A - 1) B)
    P(ab | wait)     1 - 1/rho + 1/(rho A)
    mean wait, all   E[W] = P(ab) / theta                   (Little's law on the queue)
    SL               1 - P_w + P_w (P(sr | wait) - q(T))
                     q(T) = gamma(x+1, y e**-theta T) / (y gamma(x, y))
    P(ab within T)   P_w (1 - P(sr | wait) + q(T) - e**-theta T gamma(x, z) / gamma(x, y)),
                     z = y e**-theta T
    ASA              E[W ; served] / P(served), E[W ; served] = P_w / theta *
                     sum_k c_k x/(x+k+1) H_k / sum_k c_k

where the service level is the share of *all* arrivals that are answered within ``T``
(callers who abandon count as not answered in time) and ``c_k = y**k / ((x+1)...(x+k))``
is the chance, relative to finding the queue empty, of finding ``k`` callers waiting. The
SL and abandonment formulas come from integrating the virtual-wait density
``v(t) = lam pi_{n-1} exp(y (1 - e**-theta t) - n mu t)`` against the exponential patience
(Baccelli & Hebuterne 1981); the ASA series is exact (the served wait of a caller who
finds ``k`` waiting is a sum of exponentials with rates ``n mu + i theta``). Erlang A is
defined for every load, also far above capacity.

Everything is evaluated by compiled kernels in log-space (:mod:`.special`), exact to
about 1e-12, for any ``n`` up to well beyond 100,000.

>>> m = erlang_c(100, 180, 14, interval_s=1800, threshold_s=20)
>>> round(float(m.p_wait), 7), round(float(m.service_level), 7), round(float(m.asa_s), 3)
(0.1741319, 0.88835, 7.836)
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from callscope.queueing.jit import njit
from callscope.queueing.kernels import NMET as _NMET
from callscope.queueing.kernels import erlang_a_point as _erlang_a_point
from callscope.queueing.kernels import erlang_b_point as _erlang_b_point
from callscope.queueing.kernels import erlang_c_point as _erlang_c_point

__all__ = [
    "QueueMetrics",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "loss_system",
]


@dataclass(frozen=True, slots=True)
class QueueMetrics:
    """Steady-state metrics of one queueing model, one array element per interval.

    Probabilities are in [0, 1]; times in seconds; lengths in callers.
    """

    model: str
    traffic: np.ndarray  #: offered load r = calls * aht_s / interval_s, Erlangs
    agents: np.ndarray  #: servers n (may be fractional)
    blocking: np.ndarray  #: share refused at entry (Erlang B only, else 0)
    p_wait: np.ndarray  #: share of arrivals that wait (find every agent busy)
    service_level: np.ndarray  #: share of all arrivals answered within threshold_s
    asa_s: np.ndarray  #: mean wait of answered callers, seconds (inf if unstable)
    mean_wait_s: np.ndarray  #: mean wait of all callers (answered and abandoned), seconds
    p_abandon: np.ndarray  #: share of arrivals that abandon
    p_abandon_within_t: np.ndarray  #: share of arrivals that abandon within threshold_s
    occupancy: np.ndarray  #: carried load / agents
    queue_length: np.ndarray  #: mean number of callers waiting
    stable: np.ndarray  #: False where Erlang C has no steady state (load >= agents)

    def as_columns(self) -> dict[str, np.ndarray]:
        """The array fields as an ordered name -> array mapping."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "model"}


@njit(cache=True)
def _evaluate(
    kind: int, lam: np.ndarray, mu: np.ndarray, theta: np.ndarray, n: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    size = lam.size
    res = np.empty((size, _NMET))
    blocking = np.zeros(size)
    for i in range(size):
        if kind == 0:
            blocking[i] = _erlang_b_point(lam[i], mu[i], n[i], res[i])
        elif kind == 1:
            _erlang_c_point(lam[i], mu[i], n[i], t[i], res[i])
        else:
            _erlang_a_point(lam[i], mu[i], theta[i], n[i], t[i], res[i])
    return res, blocking


def _rates(
    calls: np.ndarray, aht_s: np.ndarray, interval_s: np.ndarray, patience_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival rate ``lam = calls / interval_s``, service rate ``mu = 1 / aht_s`` and
    abandonment rate ``theta = 1 / patience_s`` (0 where patience is infinite), all 1/s."""
    with np.errstate(divide="ignore"):
        theta = np.where(np.isfinite(patience_s), 1.0 / patience_s, 0.0)
    return calls / interval_s, 1.0 / aht_s, theta


_COLUMNS = (
    "p_wait",
    "service_level",
    "asa_s",
    "mean_wait_s",
    "p_abandon",
    "p_abandon_within_t",
    "occupancy",
    "queue_length",
)


def _columns(res: np.ndarray, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    """The metric rows written by ``_fill`` as named arrays of ``shape`` (``stable`` bool)."""
    cols = {name: res[:, j].reshape(shape) for j, name in enumerate(_COLUMNS)}
    cols["stable"] = res[:, 8].astype(bool).reshape(shape)
    return cols


def _metrics(
    model: str,
    kind: int,
    calls: object,
    aht_s: object,
    agents: object,
    patience_s: object,
    interval_s: object,
    threshold_s: object,
) -> QueueMetrics:
    arrays = np.broadcast_arrays(
        *(
            np.asarray(v, dtype=np.float64)
            for v in (calls, aht_s, agents, patience_s, interval_s, threshold_s)
        )
    )
    shape = arrays[0].shape
    c, a, n, p, iv, t = (np.ascontiguousarray(v).ravel() for v in arrays)
    lam, mu, theta = _rates(c, a, iv, p)
    res, blocking = _evaluate(kind, lam, mu, theta, n, t)
    return QueueMetrics(
        model=model,
        traffic=(lam / mu).reshape(shape),
        agents=n.reshape(shape),
        blocking=blocking.reshape(shape),
        **_columns(res, shape),
    )


def erlang_b(traffic: object, agents: object) -> np.ndarray:
    """Erlang B blocking probability ``B(n, r) = (r**n / n!) / sum_{k<=n} r**k / k!``
    for offered load ``traffic`` (Erlangs) and ``agents`` servers (real ``n`` by the
    incomplete-gamma extension). Stable for any size.

    >>> round(float(erlang_b(2, 5)), 4), round(float(erlang_b(10, 14)), 4)
    (0.0367, 0.0568)
    """
    r, n = np.broadcast_arrays(
        np.asarray(traffic, dtype=np.float64), np.asarray(agents, dtype=np.float64)
    )
    return loss_system(r, 1.0, n, interval_s=1.0).blocking


def loss_system(
    calls: object, aht_s: object, agents: object, *, interval_s: object = 1800.0
) -> QueueMetrics:
    """Erlang B (M/M/N/N): callers who find every agent busy are refused (``blocking``);
    the rest are answered at once (``service_level = 1 - blocking``)."""
    return _metrics("erlang-b", 0, calls, aht_s, agents, np.inf, interval_s, 0.0)


def erlang_c(
    calls: object,
    aht_s: object,
    agents: object,
    *,
    interval_s: object = 1800.0,
    threshold_s: object = 20.0,
) -> QueueMetrics:
    """Erlang C (M/M/N, callers never abandon). See the module docstring for formulas;
    ``stable`` is False (and ``asa_s`` inf) where ``traffic >= agents``."""
    return _metrics("erlang-c", 1, calls, aht_s, agents, np.inf, interval_s, threshold_s)


def erlang_a(
    calls: object,
    aht_s: object,
    agents: object,
    patience_s: object,
    *,
    interval_s: object = 1800.0,
    threshold_s: object = 20.0,
) -> QueueMetrics:
    """Erlang A (M/M/N+M, exponential patience of mean ``patience_s`` seconds). Defined
    for every load; ``patience_s = inf`` gives Erlang C.

    >>> m = erlang_a(48, 60, 50, 120, interval_s=60)
    >>> round(float(m.p_abandon), 3), round(float(m.p_wait), 3)
    (0.031, 0.468)
    """
    return _metrics("erlang-a", 2, calls, aht_s, agents, patience_s, interval_s, threshold_s)
