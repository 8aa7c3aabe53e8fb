"""Intraday reforecast: scale the rest of today by how today is running so far.

Given a day's forecast per interval and the actual volume of the intervals already over,
the remaining intervals are multiplied by a shrunk ratio of actual to forecast:

``r = (sum_{i<=k} y_i + c) / (sum_{i<=k} f_i + c)``, clipped to ``[r_min, r_max]``,
``f'_j = r f_j`` for ``j > k``,

where ``c`` (pseudo-calls, default half the day's forecast) keeps the ratio near 1
early in the day, when few calls have arrived. This is the multiplicative intraday
update of Weinberg, Brown & Stroud (2007), section 5, in its simplest form: the day's
level is re-estimated, the intraday profile kept. Closed intervals stay at zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Reforecast", "reforecast_day"]


@dataclass(frozen=True)
class Reforecast:
    """The updated day: ``forecast`` (actuals for the intervals done, the scaled rest)
    and the ratio ``ratio`` applied to the rest."""

    forecast: np.ndarray
    ratio: float
    done: int


def reforecast_day(
    forecast: ArrayLike,
    actual_so_far: ArrayLike,
    *,
    pseudo: float | None = None,
    clip: tuple[float, float] = (0.5, 2.0),
) -> Reforecast:
    """Update the remainder of a day (see the module docstring for the formula).

    ``forecast`` covers the whole day; ``actual_so_far`` the first ``k`` intervals.

    >>> r = reforecast_day([10, 10, 10, 10], [15, 15], pseudo=0.0)
    >>> r.ratio, r.forecast.tolist()
    (1.5, [15.0, 15.0, 15.0, 15.0])
    """
    f = np.asarray(forecast, dtype=float)
    a = np.asarray(actual_so_far, dtype=float)
    k = a.size
    if k > f.size:
        raise ValueError("more actuals than intervals in the day")
    c = 0.5 * float(f.sum()) if pseudo is None else float(pseudo)
    den = float(f[:k].sum()) + c
    r = (float(a.sum()) + c) / den if den > 0 else 1.0
    r = float(np.clip(r, *clip))
    out = f.copy()
    out[:k] = a
    out[k:] = f[k:] * r
    return Reforecast(out, r, k)
