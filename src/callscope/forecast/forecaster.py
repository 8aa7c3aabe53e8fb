"""Forecast volume and AHT per queue x channel x interval, choosing the model per series.

Input: interval rows ``queue, channel, interval_start, calls, handled, handle_s`` (what
:func:`callscope.store.forecasts.interval_series` reads; intervals without contacts are
absent). For each queue x channel:

1. The history grid from its first midnight to the origin, zero-filled; the open hours
   are learned from it (:class:`~callscope.forecast.series.OpenHours`: an interval of a
   weekday is open if it had contacts in at least a quarter of the last 8 weeks).
   Open intervals without contacts are real zeros; closed ones are not in the series.
2. The model is chosen by a rolling-origin backtest over the last ``selection_weeks``
   weekly origins of the history (:mod:`callscope.forecast.selection`).
3. Every series is forecast by the candidate models in one statsforecast call (parallel
   over all cores); each series keeps its chosen model's forecast and prediction interval.
4. Closed intervals (closed hours, days given as closed) get 0 calls, model ``closed``.
5. AHT per interval of the week: ``(H + m A) / (N + m)`` over the last 8 weeks, with ``H``
   the handle seconds and ``N`` the handled contacts of that weekday-interval, ``A`` the
   series' AHT and ``m = 20`` pseudo-contacts (shrinks sparse intervals towards ``A``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from callscope.errors import CallscopeError
from callscope.forecast.frame import cross_validate, forecast_frame, long_frame, run_forecast
from callscope.forecast.models import default_models
from callscope.forecast.selection import choose, selection_scores
from callscope.forecast.series import (
    DAY_S,
    US_PER_S,
    IntervalSeries,
    OpenHours,
    SpecialDays,
    calendar_features,
    steps_per,
    to_us,
)

__all__ = [
    "ForecastRun",
    "History",
    "SeriesChoice",
    "aht_forecast",
    "forecast_intervals",
    "history_series",
]

AHT_PSEUDO = 20.0


@dataclass(frozen=True)
class SeriesChoice:
    """The model chosen for one queue x channel and its selection WAPE (fraction)."""

    queue: str
    channel: str
    model: str
    selection_wape: float
    history_days: int


@dataclass(frozen=True)
class ForecastRun:
    """The forecast rows (``interval_start, interval_s, queue, channel, calls, aht_s,
    calls_lo, calls_hi, model``, closed intervals included) and the choices made."""

    rows: pd.DataFrame
    choices: tuple[SeriesChoice, ...]
    level: int


def aht_forecast(
    start: np.ndarray,
    handled: np.ndarray,
    handle_s: np.ndarray,
    future: np.ndarray,
    interval_s: int,
    weeks: int = 8,
    pseudo: float = AHT_PSEUDO,
) -> np.ndarray:
    """AHT per future interval, seconds: ``(H + m A) / (N + m)`` per weekday-interval.

    ``H, N`` are the handle seconds and handled contacts of the same weekday and interval
    of the day over the last ``weeks`` weeks, ``A`` the overall AHT of those weeks.
    """
    x = calendar_features(start, interval_s)
    day = x[:, 0].astype(np.int64)
    recent = day > day.max() - 7 * weeks if day.size else np.zeros(0, bool)
    n_all, h_all = handled[recent].sum(), handle_s[recent].sum()
    if n_all <= 0:
        n_all, h_all = handled.sum(), handle_s.sum()
    A = h_all / n_all if n_all > 0 else float("nan")
    spd = DAY_S // interval_s
    key = ((day + 3) % 7) * spd + x[:, 1].astype(np.int64)
    H = np.bincount(key[recent], weights=handle_s[recent], minlength=7 * spd)
    N = np.bincount(key[recent], weights=handled[recent], minlength=7 * spd)
    fx = calendar_features(future, interval_s)
    fkey = ((fx[:, 0].astype(np.int64) + 3) % 7) * spd + fx[:, 1].astype(np.int64)
    return (H[fkey] + pseudo * A) / (N[fkey] + pseudo)


def _grid(first: object, last: object, interval_s: int) -> np.ndarray:
    return np.arange(to_us(first), to_us(last), interval_s * US_PER_S).astype("datetime64[us]")


@dataclass(frozen=True)
class History:
    """One queue x channel before the origin: the zero-filled grid, its open hours and
    the open-interval series the models see."""

    key: tuple[str, str]
    grid: np.ndarray
    calls: np.ndarray
    handled: np.ndarray
    handle_s: np.ndarray
    hours: OpenHours
    series: IntervalSeries
    days: int


def _origin(rows: pd.DataFrame, origin: datetime | None) -> np.datetime64:
    if origin is not None:
        return np.datetime64(origin, "us")
    ts = pd.to_datetime(rows["interval_start"]).to_numpy().astype("datetime64[us]")
    return (ts.max().astype("datetime64[D]") + np.timedelta64(1, "D")).astype("datetime64[us]")


def history_series(
    rows: pd.DataFrame, interval_s: int, origin: np.datetime64, special: SpecialDays | None = None
) -> dict[str, History]:
    """The history of every queue x channel of ``rows`` before ``origin``, keyed
    ``u0, u1, ...`` in (queue, channel) order."""
    out: dict[str, History] = {}
    o = np.datetime64(to_us(origin), "us")
    for i, ((q, ch), g) in enumerate(rows.groupby(["queue", "channel"], sort=True)):
        t = pd.to_datetime(g["interval_start"]).to_numpy().astype("datetime64[us]")
        keep = t < o
        if not keep.any():
            continue
        t = t[keep]
        first = t.min().astype("datetime64[D]").astype("datetime64[us]")
        grid = _grid(first, o, interval_s)
        idx = np.searchsorted(grid, t)
        cols = {}
        for col in ("calls", "handled", "handle_s"):
            v = np.zeros(grid.size)
            np.add.at(v, idx, g[col].to_numpy(dtype=float)[keep])
            cols[col] = v
        hours = OpenHours.learn(grid, cols["calls"], interval_s, need_volume=True)
        _, is_open = hours.grid(first, o, special)
        days = int((o - first) // np.timedelta64(DAY_S * US_PER_S, "us"))
        out[f"u{i}"] = History(
            (str(q), str(ch)),
            grid,
            cols["calls"],
            cols["handled"],
            cols["handle_s"],
            hours,
            IntervalSeries(grid[is_open], cols["calls"][is_open], interval_s),
            days,
        )
    return out


def forecast_intervals(
    rows: pd.DataFrame,
    *,
    interval_s: int,
    horizon_s: int,
    origin: datetime | None = None,
    special: SpecialDays | None = None,
    models: Sequence[str] | None = None,
    selection_weeks: int = 4,
    level: int = 80,
    n_jobs: int | None = None,
) -> ForecastRun:
    """Forecast every queue x channel in ``rows`` for ``horizon_s`` seconds from ``origin``
    (default: the midnight after the last interval with contacts)."""
    if rows.empty:
        raise CallscopeError("no offered contacts to forecast from: ingest contacts first")
    o = _origin(rows, origin)
    end = o + np.timedelta64(horizon_s * US_PER_S, "us")
    hist = history_series(rows, interval_s, o, special)
    series = {u: hs.series for u, hs in hist.items()}
    keys = {u: hs.key for u, hs in hist.items()}
    days = {u: hs.days for u, hs in hist.items()}
    futures: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    aht: dict[str, np.ndarray] = {}
    for u, hs in hist.items():
        fut_t, fut_open = hs.hours.grid(o, end, special)
        futures[u] = (fut_t, fut_open)
        aht[u] = aht_forecast(hs.grid, hs.handled, hs.handle_s, fut_t, interval_s)
    if not series:
        raise CallscopeError("no contacts before the forecast origin")
    short = [keys[u] for u, s in series.items() if days[u] < 14 or len(s) < 2]
    if short:
        q, ch = short[0]
        raise CallscopeError(
            f"queue {q!r} ({ch}) has under two weeks of history before "
            f"{o}: a weekly pattern needs at least 14 days"
        )
    ours = {m.alias: m for m in default_models()}
    names = list(models) if models else list(ours)
    unknown = [m for m in names if m not in ours]
    if unknown:
        raise CallscopeError(
            f"store forecasts use callscope's calendar models; unknown or peer model(s) "
            f"{', '.join(unknown)}; choose from {', '.join(ours)}"
        )
    cands = [ours[m] for m in names]
    df = long_frame(series, special)
    choice = _choose(series, df, cands, selection_weeks, n_jobs)
    # forecast every open future interval with every candidate, keep the chosen one
    X_parts = []
    h = max(int(fo.sum()) for _, fo in futures.values())
    for uid, (ft, fo) in futures.items():
        t_open = ft[fo]
        if t_open.size < h:  # pad with later open times so every series has h rows
            step = np.timedelta64(interval_s * US_PER_S, "us")
            extra = t_open[-1] if t_open.size else ft[-1]
            t_open = np.concatenate([t_open, extra + step * np.arange(1, h - t_open.size + 1)])
        X_parts.append(forecast_frame(uid, t_open, interval_s, len(series[uid]), special))
    fc = run_forecast(df, pd.concat(X_parts, ignore_index=True), cands, h, (level,), n_jobs)
    out = []
    choices = []
    for uid, (ft, fo) in futures.items():
        q, ch = keys[uid]
        model, sw = choice[uid]
        g = fc[fc["unique_id"] == uid].sort_values("ds")
        k = int(fo.sum())
        calls = np.zeros(ft.size)
        lo = np.zeros(ft.size)
        hi = np.zeros(ft.size)
        calls[fo] = g[model].to_numpy()[:k]
        lo[fo] = g[f"{model}-lo-{level}"].to_numpy()[:k]
        hi[fo] = g[f"{model}-hi-{level}"].to_numpy()[:k]
        a = aht[uid]
        out.append(
            pd.DataFrame(
                {
                    "interval_start": ft,
                    "interval_s": interval_s,
                    "queue": q,
                    "channel": ch,
                    "calls": calls,
                    "aht_s": np.where(np.isfinite(a), a, 0.0),
                    "calls_lo": lo,
                    "calls_hi": hi,
                    "model": np.where(fo, model, "closed"),
                }
            )
        )
        choices.append(SeriesChoice(q, ch, model, sw, days[uid]))
    return ForecastRun(pd.concat(out, ignore_index=True), tuple(choices), level)


def _choose(
    series: dict[str, IntervalSeries], df: pd.DataFrame, cands: list, weeks: int, n_jobs: int | None
) -> dict[str, tuple[str, float]]:
    names = [m.alias for m in cands]
    out = {uid: (names[0], float("nan")) for uid in series}
    if len(cands) == 1 or weeks < 1:
        return out
    # series need a common horizon for one cross-validation; use the shortest week
    h = min(steps_per(s.start, 7 * DAY_S) for s in series.values())
    n_min = min(len(s) for s in series.values())
    windows = min(weeks, n_min // max(h, 1) - 2)
    if h < 1 or windows < 1:
        return out
    cv = cross_validate(df, cands, h, windows, n_jobs, per_model=False).frame
    scores = selection_scores(cv, names)
    picked = choose(scores, names[0])
    for uid in series:
        if uid in picked:
            out[uid] = (picked[uid], float(scores.loc[uid, picked[uid]]))
    return out
