"""Handle-time and patience distributions for the simulator.

Each is a small frozen dataclass that draws ``n`` samples (seconds) from a
``np.random.Generator``:

* :meth:`Distribution.exponential` — mean ``mean_s``;
* :meth:`Distribution.lognormal` — mean ``mean_s`` and coefficient of variation ``cv``:
  ``sigma**2 = ln(1 + cv**2)``, ``mu = ln(mean_s) - sigma**2 / 2``;
* :meth:`Distribution.empirical` — resampled with replacement from observed values,
  optionally weighted (handle times read from the store, or a Kaplan-Meier patience
  curve from :func:`callscope.queueing.patience.kaplan_meier`);
* :meth:`Distribution.fixed` — always ``mean_s``;
* :meth:`Distribution.never` — infinite (callers who never abandon).

>>> d = Distribution.lognormal(300, 0.8)
>>> x = d.sample(np.random.default_rng(0), 200_000)
>>> bool(abs(x.mean() / 300 - 1) < 0.01)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from callscope.errors import CallscopeError

__all__ = ["Distribution"]

_KINDS = ("exponential", "lognormal", "empirical", "fixed", "never")


@dataclass(frozen=True, slots=True)
class Distribution:
    """A distribution of durations in seconds."""

    kind: str
    mean_s: float = math.inf
    cv: float = 1.0
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise CallscopeError(f"unknown distribution {self.kind!r}; use one of {_KINDS}")
        if self.kind in ("exponential", "lognormal", "fixed") and not (
            self.mean_s > 0 and math.isfinite(self.mean_s)
        ):
            raise CallscopeError(f"a {self.kind} distribution needs a finite mean_s > 0")
        if self.kind == "lognormal" and not self.cv > 0:
            raise CallscopeError("a lognormal distribution needs cv > 0")
        if self.kind == "empirical" and (not self.values or min(self.values) < 0):
            raise CallscopeError("an empirical distribution needs non-negative values")

    @classmethod
    def exponential(cls, mean_s: float) -> Distribution:
        return cls("exponential", float(mean_s))

    @classmethod
    def lognormal(cls, mean_s: float, cv: float) -> Distribution:
        return cls("lognormal", float(mean_s), float(cv))

    @classmethod
    def empirical(cls, values: object, weights: object = None) -> Distribution:
        """Resample ``values`` (with probabilities ``weights``, default equal); ``inf``
        values are allowed (a patience that never runs out)."""
        v = np.asarray(values, dtype=np.float64).ravel()
        if weights is None:
            w = np.full(v.size, 1.0 / max(v.size, 1))
        else:
            w = np.asarray(weights, dtype=np.float64).ravel()
            if w.size != v.size or (w < 0).any() or not w.sum() > 0:
                raise CallscopeError("empirical weights must be >= 0, one per value")
            w = w / w.sum()
        keep = ~np.isnan(v) & (w > 0)
        v, w = v[keep], w[keep]
        mean = float((v * w).sum()) if v.size and np.isfinite(v).all() else math.inf
        return cls(
            "empirical",
            mean if v.size else math.inf,
            1.0,
            tuple(float(x) for x in v),
            tuple(float(x) for x in w),
        )

    @classmethod
    def fixed(cls, value_s: float) -> Distribution:
        return cls("fixed", float(value_s))

    @classmethod
    def never(cls) -> Distribution:
        return cls("never")

    @property
    def mean(self) -> float:
        """The mean, seconds (``inf`` for :meth:`never`)."""
        return self.mean_s

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws, seconds."""
        if self.kind == "exponential":
            return rng.exponential(self.mean_s, n)
        if self.kind == "lognormal":
            s2 = math.log1p(self.cv * self.cv)
            return rng.lognormal(math.log(self.mean_s) - s2 / 2.0, math.sqrt(s2), n)
        if self.kind == "empirical":
            p = np.asarray(self.weights) if self.weights else None
            return rng.choice(np.asarray(self.values), n, p=p)
        if self.kind == "fixed":
            return np.full(n, self.mean_s)
        return np.full(n, np.inf)
