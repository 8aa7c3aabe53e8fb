"""Customer patience (the Erlang A parameter) estimated from waits and abandons.

With exponential patience of rate ``theta``, every caller who waited contributes her wait:
an abandoned caller's wait is her patience, an answered caller's wait is a lower bound on
it (a censored observation). The maximum-likelihood estimate is then (Mandelbaum &
Zeltyn 2004, "The impact of customers' patience on delay and abandonment"; Brown et al.
2005, JASA, section 6)::

    theta_hat = abandons / total waiting time of all callers
    mean patience = 1 / theta_hat = total wait (answered + abandoned) / abandons   [s]

and, since ``abandons`` is roughly Poisson, ``log theta_hat`` has standard error
``1 / sqrt(abandons)``, which gives the 95 % interval reported.

Without the exponential assumption, :func:`kaplan_meier` estimates the whole patience
distribution from the same censored data (Kaplan & Meier 1958; Brown et al. 2005, 6.2):
``S(t) = prod_{t_i <= t} (1 - d_i / n_i)`` with ``d_i`` abandons at wait ``t_i`` and ``n_i``
callers still waiting just before ``t_i``. The simulator samples it through
:meth:`PatienceCurve.distribution` (the mass left beyond the longest observed abandon
never abandons).

>>> e = estimate_patience([5400.0], [45])
>>> float(e.patience_s[0])
120.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callscope.queueing.distributions import Distribution

__all__ = ["PatienceCurve", "PatienceEstimate", "estimate_patience", "kaplan_meier"]


@dataclass(frozen=True, slots=True)
class PatienceEstimate:
    """Mean patience per group (queue). ``inf`` where nobody abandoned (no evidence of
    impatience: use Erlang C), ``nan`` where nobody waited."""

    groups: tuple[str, ...]  #: group (queue) names, aligned with the arrays
    patience_s: np.ndarray  #: mean patience, seconds
    lo_s: np.ndarray  #: lower end of the 95 % interval, seconds
    hi_s: np.ndarray  #: upper end of the 95 % interval, seconds
    abandons: np.ndarray  #: abandoned calls counted
    total_wait_s: np.ndarray  #: total waiting time of answered and abandoned calls, seconds
    calls: np.ndarray  #: answered + abandoned calls counted

    def for_group(self, name: str) -> float:
        """The mean patience of one group, seconds (KeyError if unknown)."""
        return float(self.patience_s[self.groups.index(name)])


def estimate_patience(
    total_wait_s: object,
    abandons: object,
    calls: object = None,
    groups: tuple[str, ...] | None = None,
) -> PatienceEstimate:
    """Mean patience = total wait of all callers / abandons, per group, with a 95 % CI."""
    w = np.atleast_1d(np.asarray(total_wait_s, dtype=np.float64))
    d = np.atleast_1d(np.asarray(abandons, dtype=np.float64))
    n = d if calls is None else np.atleast_1d(np.asarray(calls, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(d > 0, w / d, np.where(w > 0, np.inf, np.nan))
        half = 1.959963984540054 / np.sqrt(d)
        lo = np.where(d > 0, p * np.exp(-half), p)
        hi = np.where(d > 0, p * np.exp(half), p)
    names = groups if groups is not None else tuple(str(i) for i in range(w.size))
    return PatienceEstimate(tuple(names), p, lo, hi, d, w, n)


@dataclass(frozen=True, slots=True)
class PatienceCurve:
    """Kaplan-Meier survival of patience: ``survival[i] = P(patience > times[i])``."""

    times: np.ndarray  #: distinct waits of abandoned callers, seconds, ascending
    survival: np.ndarray  #: survival just after each time

    def distribution(self) -> Distribution:
        """A sampling distribution: mass ``S(t_{i-1}) - S(t_i)`` at ``t_i``; the rest at
        ``inf`` (callers more patient than anybody observed)."""
        prev = np.concatenate([[1.0], self.survival[:-1]])
        mass = prev - self.survival
        values = np.concatenate([self.times, [np.inf]])
        weights = np.concatenate([mass, [self.survival[-1] if self.survival.size else 1.0]])
        return Distribution.empirical(values, weights)


def kaplan_meier(wait_s: object, abandoned: object) -> PatienceCurve:
    """Kaplan-Meier estimate of the patience distribution from waits (seconds) and whether
    each caller abandoned (True: the wait is her patience; False: a lower bound on it).

    >>> c = kaplan_meier([10, 20, 20, 30], [True, False, True, True])
    >>> c.times.tolist(), c.survival.tolist()
    ([10.0, 20.0, 30.0], [0.75, 0.5, 0.0])
    """
    w = np.asarray(wait_s, dtype=np.float64).ravel()
    d = np.asarray(abandoned, dtype=bool).ravel()
    keep = np.isfinite(w)
    w, d = w[keep], d[keep]
    order = np.argsort(w, kind="stable")
    w, d = w[order], d[order]
    times, first = np.unique(w, return_index=True)
    at_risk = w.size - first
    deaths = np.add.reduceat(d.astype(np.float64), first) if w.size else np.zeros(0)
    sel = deaths > 0
    surv = np.cumprod(1.0 - deaths[sel] / at_risk[sel])
    return PatienceCurve(times[sel], surv)
