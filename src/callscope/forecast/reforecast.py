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
from datetime import datetime

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["IntradayUpdate", "Reforecast", "reforecast_day", "reforecast_today"]


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


@dataclass(frozen=True)
class IntradayUpdate:
    """What the reforecast did to one queue x channel today."""

    queue: str
    channel: str
    intervals_done: int
    actual_so_far: float
    forecast_so_far: float
    ratio: float
    rest_of_day: float


def reforecast_today(
    forecast: pd.DataFrame, actuals: pd.DataFrame, now: datetime
) -> tuple[pd.DataFrame, tuple[IntradayUpdate, ...]]:
    """Apply :func:`reforecast_day` to today's open intervals of a stored forecast.

    ``forecast`` has the ``forecasts`` columns; ``actuals`` the offered ``calls`` per
    ``queue, channel, interval_start`` of today until ``now`` (intervals without contacts
    absent). Intervals that ended by ``now`` become actuals, the rest of today is scaled
    (prediction intervals too, model name suffixed ``+intraday``); other days are kept.
    """
    out = forecast.reset_index(drop=True).copy()
    before = out["calls"].to_numpy(float).copy()
    starts = out["interval_start"].to_numpy().astype("datetime64[us]")
    step = out["interval_s"].to_numpy().astype("timedelta64[s]")
    day0 = np.datetime64(now.date(), "D").astype("datetime64[us]")
    today = (starts >= day0) & (starts < day0 + np.timedelta64(1, "D"))
    done = starts + step <= np.datetime64(now, "us")
    got = {
        (str(q), str(c), t): float(v)
        for q, c, t, v in zip(
            actuals["queue"],
            actuals["channel"],
            actuals["interval_start"].to_numpy().astype("datetime64[us]"),
            actuals["calls"],
            strict=True,
        )
    }
    updates = []
    open_today = today & (out["model"].to_numpy() != "closed")
    for (q, ch), idx in out[open_today].groupby(["queue", "channel"], sort=True).groups.items():
        rows = np.sort(np.asarray(idx))
        k = int(done[rows].sum())
        actual = [float(got.get((str(q), str(ch), t), 0.0)) for t in starts[rows[:k]]]
        r = reforecast_day(out.loc[rows, "calls"].to_numpy(float), actual)
        rest = rows[k:]
        out.loc[rest, "calls"] = r.forecast[k:]
        for col in ("calls_lo", "calls_hi"):
            out.loc[rest, col] = out.loc[rest, col].to_numpy(float) * r.ratio
        out.loc[rest, "model"] = out.loc[rest, "model"].astype(str) + "+intraday"
        updates.append(
            IntradayUpdate(
                str(q),
                str(ch),
                k,
                float(sum(actual)),
                float(before[rows[:k]].sum()),
                r.ratio,
                float(r.forecast[k:].sum()),
            )
        )
    return out, tuple(updates)
