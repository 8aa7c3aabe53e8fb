"""The dataframe orchestrator: many series, our models and the peers, one statsforecast run.

Series become one long frame ``unique_id, ds, y, day, slot, factor`` where ``ds`` counts
the open intervals of each series (closed intervals are not rows) and ``day, slot,
factor`` are the calendar columns our models read (:mod:`callscope.forecast.models`).
statsforecast then fits every series in parallel (``n_jobs``, default all cores) or,
given a Spark DataFrame, on Spark through its Fugue backend: the same models either way.
Forecasts are clipped at zero (a volume cannot be negative; MSTL can go below zero at
night).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsforecast import StatsForecast

from callscope.forecast.series import IntervalSeries, SpecialDays, calendar_features

__all__ = [
    "EXOG",
    "CvRun",
    "cross_validate",
    "default_jobs",
    "forecast_frame",
    "long_frame",
    "quiet_numerics",
    "run_forecast",
]

#: The calendar columns our models read, in this order.
EXOG = ("day", "slot", "factor")


@contextmanager
def quiet_numerics() -> Iterator[None]:
    """Silence the numeric ``RuntimeWarning`` of statsforecast and statsmodels inside the
    block, and nothing else, nowhere else.

    statsforecast's ETS divides by zero on short or trending series (``ets.py``) and
    statsmodels' autocorrelation (behind AutoTheta) divides by a zero variance on a
    constant one; the fit is still used or rejected on its merits, so the warning only
    clutters the user's terminal. The filter is set for the block only (the process
    pool statsforecast forks inside it inherits it) and restored on exit.

    >>> import warnings
    >>> before = list(warnings.filters)
    >>> with quiet_numerics():
    ...     pass
    >>> warnings.filters == before
    True
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", category=RuntimeWarning, module=r"(statsforecast|statsmodels)\."
        )
        yield


def default_jobs() -> int:
    """All cores (``-1`` would also do; this keeps the count printable)."""
    return max(1, os.cpu_count() or 1)


def long_frame(
    series: Mapping[str, IntervalSeries], special: SpecialDays | None = None
) -> pd.DataFrame:
    """The statsforecast frame of several series (``ds`` = open-interval index)."""
    parts = []
    for uid, s in series.items():
        x = calendar_features(s.start, s.interval_s, special)
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": np.arange(len(s), dtype=np.int64),
                    "y": s.y.astype(float),
                    "day": x[:, 0],
                    "slot": x[:, 1],
                    "factor": x[:, 2],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def forecast_frame(
    uid: str, start: np.ndarray, interval_s: int, first_ds: int, special: SpecialDays | None = None
) -> pd.DataFrame:
    """The future exogenous frame of one series (the open intervals to forecast)."""
    x = calendar_features(start, interval_s, special)
    return pd.DataFrame(
        {
            "unique_id": uid,
            "ds": np.arange(first_ds, first_ds + len(start), dtype=np.int64),
            "day": x[:, 0],
            "slot": x[:, 1],
            "factor": x[:, 2],
        }
    )


@dataclass(frozen=True)
class CvRun:
    """Cross-validation output: ``unique_id, ds, cutoff, y`` plus one column per model,
    and the wall seconds each model took (fit + forecast at every origin, all series)."""

    frame: pd.DataFrame
    seconds: dict[str, float]


def _split(models: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    ours = [m for m in models if getattr(m, "uses_exog", False)]
    peers = [m for m in models if not getattr(m, "uses_exog", False)]
    return ours, peers


def cross_validate(
    df: pd.DataFrame,
    models: Sequence[Any],
    h: int,
    n_windows: int,
    n_jobs: int | None = None,
    *,
    per_model: bool = True,
) -> CvRun:
    """Rolling-origin cross-validation; origins every ``h`` open intervals, the last one
    ``h`` before the end.

    ``per_model`` runs each model on its own (its wall time is then its own); otherwise
    ours run together in one statsforecast call and the peers in another (one process
    pool each: the fast path for many series), and ``seconds`` holds the group times.
    """
    jobs = n_jobs or default_jobs()
    ours, peers = _split(models)
    groups = [[m] for m in models] if per_model else [g for g in (ours, peers) if g]
    out: pd.DataFrame | None = None
    seconds: dict[str, float] = {}
    for group in groups:
        exog = getattr(group[0], "uses_exog", False)
        data = df if exog else df[["unique_id", "ds", "y"]]
        sf = StatsForecast(models=list(group), freq=1, n_jobs=jobs)
        t0 = time.perf_counter()
        with quiet_numerics():
            cv = sf.cross_validation(df=data, h=h, n_windows=n_windows, step_size=h)
        took = time.perf_counter() - t0
        cv = cv.reset_index() if "unique_id" not in cv.columns else cv
        names = [m.alias for m in group]
        for name in names:
            seconds[name] = took
            cv[name] = np.maximum(cv[name].to_numpy(dtype=float), 0.0)
        if out is None:
            out = cv[["unique_id", "ds", "cutoff", "y", *names]].copy()
        else:
            out = out.merge(
                cv[["unique_id", "ds", "cutoff", *names]],
                on=["unique_id", "ds", "cutoff"],
                how="left",
            )
    assert out is not None
    return CvRun(out.sort_values(["unique_id", "cutoff", "ds"], ignore_index=True), seconds)


def run_forecast(
    df: Any,
    X_df: Any,
    models: Sequence[Any],
    h: int,
    level: Sequence[int] = (80,),
    n_jobs: int | None = None,
) -> Any:
    """Forecast every series with ``models`` (ours with the calendar, peers without).

    ``df`` may be pandas (parallel over ``n_jobs`` processes) or a Spark DataFrame
    (statsforecast's Fugue backend; the result is then a Spark DataFrame too).
    """
    ours, peers = _split(models)
    results = []
    jobs = n_jobs or default_jobs()
    if ours:
        sf = StatsForecast(models=ours, freq=1, n_jobs=jobs)
        with quiet_numerics():
            results.append(sf.forecast(df=df, h=h, X_df=X_df, level=list(level)))
    if peers:
        cols = ["unique_id", "ds", "y"]
        base = df[cols] if isinstance(df, pd.DataFrame) else df.select(*cols)
        sf = StatsForecast(models=peers, freq=1, n_jobs=jobs)
        with quiet_numerics():
            results.append(sf.forecast(df=base, h=h, level=list(level)))
    if len(results) == 1:
        return results[0]
    if all(isinstance(r, pd.DataFrame) for r in results):
        return results[0].merge(results[1], on=["unique_id", "ds"])
    return results[0].join(results[1], on=["unique_id", "ds"])
