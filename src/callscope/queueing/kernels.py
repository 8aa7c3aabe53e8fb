"""The scalar kernels of Erlang B, C and A, and the staffing search for one interval.

Plain ``math`` on floats, no NumPy: every function fills ``out`` (any indexable of
:data:`NMET` floats: a NumPy row when compiled, a list when run as plain Python) with
``p_wait, service_level, asa_s, mean_wait_s, p_abandon, p_abandon_within_t,
occupancy, queue_length, stable``. The formulas and their sources are in
:mod:`callscope.queueing.erlang`; the array APIs there and in
:mod:`callscope.queueing.staffing` loop over these kernels in compiled code, and a
one-interval query (``callscope erlang c``) runs them as plain Python
(:func:`callscope.queueing.jit.interpreted`) without importing NumPy or numba.

>>> out = scratch()
>>> with interpreted():
...     erlang_c_point(100 / 1800, 1 / 180, 14.0, 20.0, out)
>>> round(float(out[1]), 7), round(float(out[0]), 7)
(0.88835, 0.1741319)
>>> with interpreted():
...     search_point(1, 100 / 1800, 1 / 180, 0.0, 20.0, 0.8, NAN, NAN, NAN, 1, out)
(14, True)
"""

from __future__ import annotations

import math
from typing import Any

from callscope.queueing.jit import compiled, interpreted, njit
from callscope.queueing.special import log_erlang_b, poisson_series

__all__ = [
    "NAN",
    "NMET",
    "erlang_a_point",
    "erlang_b_point",
    "erlang_c_point",
    "fill",
    "interpreted",
    "meets",
    "point",
    "scratch",
    "search_goals",
    "search_point",
]

NMET = 9  # p_wait, sl, asa, mean_wait, p_ab, p_ab_t, occupancy, lq, stable
NAN = math.nan
_CAP = 1 << 40  # no answer above this many agents: the target cannot be met


def scratch() -> Any:
    """A buffer for one interval's metrics: a list while the kernels run as plain
    Python, a NumPy row once they are compiled (compiled kernels take arrays)."""
    if compiled():
        import numpy as np

        return np.zeros(NMET)
    return [0.0] * NMET


@njit(cache=True, inline="always")
def fill(
    out: Any,
    p_wait: float,
    sl: float,
    asa: float,
    mean_wait: float,
    p_ab: float,
    p_ab_t: float,
    occ: float,
    lq: float,
    stable: float,
) -> None:
    """Write one interval's metrics (element by element: no temporary array)."""
    out[0] = p_wait
    out[1] = sl
    out[2] = asa
    out[3] = mean_wait
    out[4] = p_ab
    out[5] = p_ab_t
    out[6] = occ
    out[7] = lq
    out[8] = stable


@njit(cache=True)
def erlang_c_point(lam: float, mu: float, n: float, t: float, out: Any) -> None:
    if lam <= 0.0:
        fill(out, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
        return
    r = lam / mu
    if n <= r * (1.0 + 1e-12):
        fill(out, 1.0, 0.0, math.inf, math.inf, 0.0, 0.0, 1.0, math.inf, 0.0)
        return
    b = math.exp(log_erlang_b(n, r))
    rho = r / n
    c = b / (1.0 - rho + rho * b)
    gap = n * mu - lam
    asa = c / gap
    fill(out, c, 1.0 - c * math.exp(-gap * t), asa, asa, 0.0, 0.0, rho, lam * asa, 1.0)


@njit(cache=True)
def erlang_a_point(lam: float, mu: float, theta: float, n: float, t: float, out: Any) -> None:
    if lam <= 0.0:
        fill(out, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
        return
    if theta <= 0.0:
        erlang_c_point(lam, mu, n, t, out)
        return
    if n <= 0.0:
        # nobody is ever served: every caller waits until she abandons
        fill(
            out,
            1.0,
            0.0,
            math.nan,
            1.0 / theta,
            1.0,
            1.0 - math.exp(-theta * t),
            0.0,
            lam / theta,
            1.0,
        )
        return
    r = lam / mu
    x = n * mu / theta
    y = lam / theta
    m, s0, s1, s2 = poisson_series(x, y, True)
    log_a = m + math.log(s0)
    log_b = log_erlang_b(n, r)
    b = math.exp(log_b)
    # P_w = A B / (1 + (A-1) B) = 1 / (1 + (1-B) / (A B))
    p_w = 1.0 / (1.0 + math.exp(math.log1p(-b) - log_a - log_b)) if b < 1.0 else 1.0
    p_sr_w = s2 / s0  # P(served | wait)
    p_ab = p_w * (1.0 - p_sr_w)
    z = y * math.exp(-theta * t)
    y_z = -y * math.expm1(-theta * t)  # y - z without cancellation
    if t > 0.0:
        m1, s01, _, _ = poisson_series(x + 1.0, z, False)
        log_q = -(n * mu + theta) * t + y_z + math.log(x / (x + 1.0)) + m1 + math.log(s01) - log_a
        q = math.exp(log_q)
        m2, s02, _, _ = poisson_series(x, z, False)
        g = math.exp(-n * mu * t + y_z + m2 + math.log(s02) - log_a)
    else:
        q = p_sr_w
        g = 1.0  # gamma(x, z) / gamma(x, y) with z = y
    sl = 1.0 - p_w + p_w * max(p_sr_w - q, 0.0)
    p_ab_t = p_w * (1.0 - (p_sr_w - q) - math.exp(-theta * t) * g)
    p_served = 1.0 - p_ab
    asa = (p_w * (s1 / s0) / theta) / p_served if p_served > 0.0 else math.nan
    mean_wait = p_ab / theta
    out[0] = p_w
    out[1] = min(max(sl, 0.0), 1.0)
    out[2] = asa
    out[3] = mean_wait
    out[4] = p_ab
    out[5] = min(max(p_ab_t, 0.0), p_ab)
    out[6] = r * p_served / n
    out[7] = lam * mean_wait
    out[8] = 1.0


@njit(cache=True)
def erlang_b_point(lam: float, mu: float, n: float, out: Any) -> float:
    if lam <= 0.0:
        fill(out, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
        return 0.0
    r = lam / mu
    b = math.exp(log_erlang_b(n, r))
    fill(out, 0.0, 1.0 - b, 0.0, 0.0, 0.0, 0.0, r * (1.0 - b) / n if n > 0 else 0.0, 0.0, 1.0)
    return b


@njit(cache=True)
def point(kind: int, lam: float, mu: float, theta: float, n: float, t: float, out: Any) -> None:
    if kind == 1:
        erlang_c_point(lam, mu, n, t, out)
    else:
        erlang_a_point(lam, mu, theta, n, t, out)


@njit(cache=True)
def meets(
    kind: int,
    lam: float,
    mu: float,
    theta: float,
    servers: float,
    t: float,
    sl: float,
    asa: float,
    ab: float,
    occ: float,
    pw: float,
    out: Any,
) -> bool:
    point(kind, lam, mu, theta, servers, t, out)
    if out[8] < 0.5:  # unstable Erlang C
        return False
    if not math.isnan(pw) and out[0] > pw:  # P(wait): the share of callers who wait
        return False
    if not math.isnan(sl) and out[1] < sl:
        return False
    if not math.isnan(asa) and not out[2] <= asa:
        return False
    if not math.isnan(ab) and out[4] > ab:
        return False
    return math.isnan(occ) or out[6] <= occ


@njit(cache=True)
def search_goals(
    kind: int,
    lam: float,
    mu: float,
    theta: float,
    t: float,
    sl: float,
    asa: float,
    ab: float,
    occ: float,
    pw: float,
    k: int,
    out: Any,
) -> tuple[int, bool]:
    """The fewest whole agents (``k`` servers each) that meet every target given (NaN:
    no such target): service level ``sl`` within ``t`` seconds, ASA ``asa``, abandonment
    ``ab``, occupancy ``occ`` and P(wait) ``pw`` (``out[0]``, the share of callers who
    wait at all), by a galloping search from the square-root-staffing guess
    ``(r + sqrt(r)) / k`` followed by bisection; ``out`` holds the metrics at the
    answer. An interval with calls gets at least one agent, whatever the targets (with
    Erlang A, zero agents could otherwise "meet" a loose abandonment or P(wait) goal).
    Returns ``(agents, met)``; ``met`` is False when no count up to 2**40 does."""
    if lam <= 0.0:
        point(kind, 0.0, mu, theta, 0.0, t, out)
        return 0, True
    r = lam / mu
    lo = 0  # largest count known to fail: zero agents never serve a call
    if kind == 1:
        lo = max(int(math.ceil(r / k)) - 1, 0)  # Erlang C needs k*n > r
    guess = int(math.ceil((r + math.sqrt(r)) / k))
    if guess <= lo:
        guess = lo + 1
    if meets(kind, lam, mu, theta, guess * k, t, sl, asa, ab, occ, pw, out):
        hi = guess
        step = 1
        while hi - step > lo:
            cand = hi - step
            if meets(kind, lam, mu, theta, cand * k, t, sl, asa, ab, occ, pw, out):
                hi = cand
                step *= 2
            else:
                lo = cand
                break
    else:
        lo = guess
        step = 1
        hi = guess + step
        while not meets(kind, lam, mu, theta, hi * k, t, sl, asa, ab, occ, pw, out):
            lo = hi
            step *= 2
            hi = lo + step
            if hi > _CAP:
                return hi, False
    while hi - lo > 1:
        mid = lo + (hi - lo) // 2
        if meets(kind, lam, mu, theta, mid * k, t, sl, asa, ab, occ, pw, out):
            hi = mid
        else:
            lo = mid
    point(kind, lam, mu, theta, hi * k, t, out)
    return hi, True


@njit(cache=True)
def search_point(
    kind: int,
    lam: float,
    mu: float,
    theta: float,
    t: float,
    sl: float,
    asa: float,
    ab: float,
    occ: float,
    k: int,
    out: Any,
) -> tuple[int, bool]:
    """:func:`search_goals` without a P(wait) goal."""
    return search_goals(kind, lam, mu, theta, t, sl, asa, ab, occ, NAN, k, out)
