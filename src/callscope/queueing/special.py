"""Numba-compiled special functions the Erlang formulas are built from.

Everything is computed in log-space so that 100,000 agents, loads far above capacity
and patience far longer than the handle time neither overflow nor underflow.

* :func:`poisson_series` sums ``c_k = y**k / ((x+1)(x+2)...(x+k))`` for ``k >= 0``
  (and a weighted companion sum used for the mean wait of served callers) around its
  peak with a running log-scale. ``sum(c_k)`` is Kummer's ``M(1, x+1, y)``, the
  quantity ``A(x, y) = x e**y y**-x gamma(x, y)`` of Mandelbaum & Zeltyn (2007).
* :func:`log_lower_gamma` is ``log gamma(a, z)`` (unregularized lower incomplete gamma):
  the series above for ``z < a + 1``, a Lentz continued fraction of the upper function
  otherwise (Press et al., *Numerical Recipes*, 3rd ed., 6.2).
* :func:`log_erlang_b` is ``log B(n, r)`` with the continuous extension
  ``B(n, r) = r**n e**-r / Gamma(n+1, r)`` (Jagerman 1974), which equals the Erlang B
  formula at integer ``n`` and interpolates smoothly between integers.
"""

from __future__ import annotations

import math

from callscope.queueing.jit import njit

__all__ = ["digamma", "log_erlang_b", "log_lower_gamma", "log_upper_gamma", "poisson_series"]

_TINY = 1e-300
_EPS = 1e-17


@njit(cache=True)
def digamma(x: float) -> float:
    """psi(x) for x > 0: recurrence up to x >= 8, then the asymptotic series."""
    acc = 0.0
    while x < 8.0:
        acc -= 1.0 / x
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    return (
        acc
        + math.log(x)
        - 0.5 * inv
        - inv2
        * (
            1.0 / 12
            - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132))))
        )
    )


@njit(cache=True)
def poisson_series(x: float, y: float, weighted: bool) -> tuple[float, float, float, float]:
    """Sums of ``c_k = y**k Gamma(x+1) / Gamma(x+k+1)``, ``k = 0, 1, ...``.

    Returns ``(m, s0, s1, s2)`` with ``sum_k c_k = exp(m) * s0`` and, when ``weighted``,
    ``sum_k c_k * x/(x+k+1) * H_k = exp(m) * s1`` where ``H_k = sum_{i=1}^{k+1} 1/(x+i)``
    and ``sum_k c_k * x/(x+k+1) = exp(m) * s2``. ``x >= 0``, ``y >= 0``.
    """
    if y <= 0.0:
        w = x / (x + 1.0)
        return 0.0, 1.0, w / (x + 1.0), w
    ly = math.log(y)
    lgx = math.lgamma(x + 1.0)
    kstar = max(0.0, math.floor(y - x))  # the largest term
    m = kstar * ly + lgx - math.lgamma(x + kstar + 1.0)
    k = max(0.0, kstar - math.floor(10.0 * math.sqrt(y) + 20.0))
    t = math.exp(k * ly + lgx - math.lgamma(x + k + 1.0) - m)
    h = 0.0
    if weighted:
        h = digamma(x + k + 2.0) - digamma(x + 1.0) if k > 0 else 1.0 / (x + 1.0)
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    while True:
        s0 += t
        if weighted:
            w = t * x / (x + k + 1.0)
            s2 += w
            s1 += w * h
            h += 1.0 / (x + k + 2.0)
        t *= y / (x + k + 1.0)
        k += 1.0
        if k > kstar and t < _EPS * s0:
            break
    return m, s0, s1, s2


@njit(cache=True)
def _upper_cf(a: float, z: float) -> float:
    """log of the continued fraction h with Gamma(a, z) = e**-z z**a h (z > a - 1)."""
    b = z + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b if abs(b) > _TINY else 1.0 / _TINY
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _TINY:
            d = _TINY
        c = b + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return math.log(h)


@njit(cache=True)
def log_lower_gamma(a: float, z: float) -> float:
    """log of gamma(a, z) = int_0^z t**(a-1) e**-t dt, for a > 0, z > 0."""
    if z < a + 1.0:
        # gamma(a, z) = z**a e**-z / a * M(1, a+1, z)
        m, s0, _, _ = poisson_series(a, z, False)
        return a * math.log(z) - z - math.log(a) + m + math.log(s0)
    lg = math.lgamma(a)
    lu = a * math.log(z) - z + _upper_cf(a, z)
    return lg + math.log1p(-math.exp(lu - lg))


@njit(cache=True)
def log_upper_gamma(a: float, z: float) -> float:
    """log of Gamma(a, z) = int_z^inf t**(a-1) e**-t dt, for a > 0, z >= 0."""
    if z <= 0.0:
        return math.lgamma(a)
    if z < a + 1.0:
        lg = math.lgamma(a)
        return lg + math.log1p(-math.exp(log_lower_gamma(a, z) - lg))
    return a * math.log(z) - z + _upper_cf(a, z)


@njit(cache=True)
def log_erlang_b(n: float, r: float) -> float:
    """log of the Erlang B blocking probability for ``n`` servers (real, >= 0) and
    offered load ``r`` Erlangs: ``B(n, r) = r**n e**-r / Gamma(n+1, r)``."""
    if r <= 0.0:
        return 0.0 if n <= 0.0 else -math.inf
    if n <= 0.0:
        return 0.0
    return n * math.log(r) - r - log_upper_gamma(n + 1.0, r)
