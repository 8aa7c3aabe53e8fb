"""Forecast volume and AHT per queue x channel x interval, choosing the model per series.

Input: interval rows ``queue, channel, interval_start, calls, handled, handle_s`` (what
:func:`callscope.store.forecasts.interval_series` reads; intervals without contacts are
absent). For each queue x channel:

1. The history grid from its first midnight to the origin, zero-filled; the open hours
   are learned from it (:class:`~callscope.forecast.series.OpenHours`: an interval of a
   weekday is open if it had contacts in at least a quarter of the last 8 weeks).
   Open intervals without contacts are real zeros; closed ones are not in the series.
   Long gaps (more than 7 open days without a contact) are not zeros either: their days
   are left out of the series, or, once 24 weeks of history follow the last gap, the
   history before it is (:mod:`callscope.forecast.history`). The run says which days
   it used and covers, per series and overall, and warns about every gap
   (:class:`~callscope.forecast.history.Coverage`).
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
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from callscope.errors import CallscopeError
from callscope.forecast.frame import cross_validate, forecast_frame, long_frame, run_forecast
from callscope.forecast.history import (
    GAP_DAYS,
    MIN_DAYS,
    Coverage,
    HistoryPlan,
    gap_warning,
    plan_history,
)
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
    """The model chosen for one queue x channel, its selection WAPE (fraction), the days
    of history it used and what the forecast covers (:class:`Coverage`)."""

    queue: str
    channel: str
    model: str
    selection_wape: float
    history_days: int
    coverage: Coverage

    @property
    def history_first(self) -> date:
        """First day of history the model used."""
        return self.coverage.history_first

    @property
    def history_last(self) -> date:
        """Last day of history the model used (the day before the origin)."""
        return self.coverage.history_last

    @property
    def warnings(self) -> tuple[str, ...]:
        """This series' warnings (gaps and what the model did about them)."""
        return self.coverage.warnings


@dataclass(frozen=True)
class ForecastRun:
    """The forecast rows (``interval_start, interval_s, queue, channel, calls, aht_s,
    calls_lo, calls_hi, model``, closed intervals included), the choices made per
    series and what the whole run covers.

    ``coverage`` spans every series (the earliest first day used, the gaps of the
    store's history as a whole); ``warnings`` are the series' warnings, each said once:
    without a prefix when every series has it, else prefixed with the series.
    """

    rows: pd.DataFrame
    choices: tuple[SeriesChoice, ...]
    level: int
    coverage: Coverage
    warnings: tuple[str, ...]

    def coverage_records(self) -> list[dict[str, object]]:
        """The coverage as plain records, one per queue x channel and one for the whole
        run (``queue`` and ``channel`` None): the ``forecast_coverage`` columns of
        :mod:`callscope.store.forecasts` without ``forecast_id``."""
        out: list[dict[str, object]] = []
        for key, cov in [((None, None), self.coverage)] + [
            ((c.queue, c.channel), c.coverage) for c in self.choices
        ]:
            out.append(
                {
                    "queue": key[0],
                    "channel": key[1],
                    "history_first": cov.history_first,
                    "history_last": cov.history_last,
                    "history_days": cov.history_days,
                    "contact_days": cov.contact_days,
                    "data_first": cov.data_first,
                    "horizon_first": cov.horizon_first,
                    "horizon_last": cov.horizon_last,
                    "gaps": [
                        {
                            "last_before": g.last_before,
                            "first_after": g.first_after,
                            "days": g.days,
                            "open_days": g.open_days,
                        }
                        for g in cov.gaps
                    ],
                    "warnings": list(cov.warnings),
                }
            )
        return out


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
    """One queue x channel before the origin: the zero-filled grid of the days used,
    its open hours, the open-interval series the models see, the days used (``days``)
    and which days those are and why (``plan``: gaps, the first day used)."""

    key: tuple[str, str]
    grid: np.ndarray
    calls: np.ndarray
    handled: np.ndarray
    handle_s: np.ndarray
    hours: OpenHours
    series: IntervalSeries
    days: int
    plan: HistoryPlan
    contact_days: np.ndarray


def _origin(rows: pd.DataFrame, origin: datetime | None) -> np.datetime64:
    if origin is not None:
        return np.datetime64(origin, "us")
    ts = pd.to_datetime(rows["interval_start"]).to_numpy().astype("datetime64[us]")
    return (ts.max().astype("datetime64[D]") + np.timedelta64(1, "D")).astype("datetime64[us]")


def _day_number(t: object) -> np.ndarray:
    return np.asarray(t, dtype="datetime64[us]").astype("datetime64[D]").astype(np.int64)


def _origin_day(o: np.datetime64) -> int:
    """The first day not in the history: the origin's day, or the next one when the
    origin falls inside a day (that day's morning is history)."""
    d = int(_day_number(o))
    return d if np.datetime64(d, "D") == o else d + 1


def history_series(
    rows: pd.DataFrame,
    interval_s: int,
    origin: np.datetime64,
    special: SpecialDays | None = None,
    *,
    gap_days: int = GAP_DAYS,
    min_days: int = MIN_DAYS,
) -> dict[str, History]:
    """The history of every queue x channel of ``rows`` before ``origin``, keyed
    ``u0, u1, ...`` in (queue, channel) order; each starts after its last gap of more
    than ``gap_days`` open days when at least ``min_days`` follow it, else leaves its
    gaps out (:func:`~callscope.forecast.history.plan_history`)."""
    out: dict[str, History] = {}
    o = np.datetime64(to_us(origin), "us")
    o_day = _origin_day(o)
    closed = special.closed_days() if special is not None else set()
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
        contact_days = np.unique(_day_number(t))
        # the open hours of the last weeks with contacts (not of a gap before the origin)
        seen = grid < np.datetime64(int(contact_days[-1]) + 1, "D")
        hours = OpenHours.learn(grid[seen], cols["calls"][seen], interval_s, need_volume=True)
        plan = plan_history(
            contact_days,
            o_day,
            hours.open.any(axis=1),
            closed,
            gap_days=gap_days,
            min_days=min_days,
        )
        start = np.datetime64(plan.first, "us")
        used = grid >= start
        grid = grid[used]
        cols = {k: v[used] for k, v in cols.items()}
        _, is_open = hours.grid(start, o, special)
        if plan.left_out.size:  # the days of a gap are unknown, not zero calls
            is_open &= ~np.isin(_day_number(grid), plan.left_out)
        out[f"u{i}"] = History(
            (str(q), str(ch)),
            grid,
            cols["calls"],
            cols["handled"],
            cols["handle_s"],
            hours,
            IntervalSeries(grid[is_open], cols["calls"][is_open], interval_s),
            plan.days,
            plan,
            contact_days,
        )
    return out


def _coverage(
    hs: History, horizon: tuple[datetime, datetime], warnings: tuple[str, ...]
) -> Coverage:
    p = hs.plan
    return Coverage(
        history_first=p.first,
        history_last=p.origin - timedelta(days=1),
        history_days=p.days,
        contact_days=int(np.isin(hs.contact_days, p.used_days()).sum()),
        data_first=p.data_first,
        horizon_first=horizon[0],
        horizon_last=horizon[1],
        gaps=p.gaps,
        warnings=warnings,
    )


def _run_coverage(
    hist: dict[str, History],
    series_warnings: dict[str, tuple[str, ...]],
    horizon: tuple[datetime, datetime],
    special: SpecialDays | None,
    gap_days: int,
) -> tuple[Coverage, tuple[str, ...]]:
    """The run as a whole: the earliest day used, the gaps of all series together, and
    each distinct warning once (prefixed with its series unless every series has it)."""
    plans = [hs.plan for hs in hist.values()]
    days = np.unique(np.concatenate([hs.contact_days for hs in hist.values()]))
    open_wd = np.stack([hs.hours.open.any(axis=1) for hs in hist.values()]).any(axis=0)
    closed = special.closed_days() if special is not None else set()
    origin = plans[0].origin
    whole = plan_history(days, (origin - date(1970, 1, 1)).days, open_wd, closed, gap_days=gap_days)
    first = min(p.first for p in plans)
    used = np.unique(np.concatenate([p.used_days() for p in plans]))
    by_text: dict[str, list[str]] = {}
    for u, ws in series_warnings.items():
        for w in ws:
            q, ch = hist[u].key
            by_text.setdefault(w, []).append(f"queue {q} ({ch})")
    warnings = tuple(
        w if len(who) == len(hist) else f"{', '.join(who)}: {w}" for w, who in by_text.items()
    )
    cov = Coverage(
        history_first=first,
        history_last=origin - timedelta(days=1),
        history_days=int(used.size),
        contact_days=int(np.isin(days, used).sum()),
        data_first=whole.data_first,
        horizon_first=horizon[0],
        horizon_last=horizon[1],
        gaps=whole.gaps,
        warnings=warnings,
    )
    return cov, warnings


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
    gap_days: int = GAP_DAYS,
    min_days: int = MIN_DAYS,
    hours: OpenHours | None = None,
) -> ForecastRun:
    """Forecast every queue x channel in ``rows`` for ``horizon_s`` seconds from ``origin``
    (default: the midnight after the last interval with contacts).

    ``hours``: the center's declared opening hours; the forecast is closed (0 calls,
    model ``closed``) outside them. Without, each series' hours are learned from its
    recent history.

    A run of more than ``gap_days`` open days without contacts is a gap; the model of a
    series fits on the history around its gaps (their days left out), or on the history
    after its last gap alone once at least ``min_days`` days follow it
    (:mod:`callscope.forecast.history`).
    """
    if rows.empty:
        raise CallscopeError("no offered contacts to forecast from: ingest contacts first")
    o = _origin(rows, origin)
    end = o + np.timedelta64(horizon_s * US_PER_S, "us")
    hist = history_series(rows, interval_s, o, special, gap_days=gap_days, min_days=min_days)
    series = {u: hs.series for u, hs in hist.items()}
    keys = {u: hs.key for u, hs in hist.items()}
    days = {u: hs.days for u, hs in hist.items()}
    futures: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    aht: dict[str, np.ndarray] = {}
    for u, hs in hist.items():
        fut_t, fut_open = (hours or hs.hours).grid(o, end, special)
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
    if h > 0:
        fc = run_forecast(df, pd.concat(X_parts, ignore_index=True), cands, h, (level,), n_jobs)
    else:  # the whole horizon is closed (a Sunday, a holiday): nothing to forecast
        fc = pd.DataFrame({"unique_id": pd.Series(dtype=str), "ds": pd.Series(dtype=int)})
    out = []
    choices = []
    first_t = min(ft[0] for ft, _ in futures.values())
    last_t = max(ft[-1] for ft, _ in futures.values())
    horizon = (pd.Timestamp(first_t).to_pydatetime(), pd.Timestamp(last_t).to_pydatetime())
    series_warnings = {
        u: tuple(gap_warning(g, hs.plan) for g in hs.plan.gaps) for u, hs in hist.items()
    }
    for uid, (ft, fo) in futures.items():
        q, ch = keys[uid]
        model, sw = choice[uid]
        g = fc[fc["unique_id"] == uid].sort_values("ds")
        k = int(fo.sum())
        calls = np.zeros(ft.size)
        lo = np.zeros(ft.size)
        hi = np.zeros(ft.size)
        if k:
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
        cov = _coverage(hist[uid], horizon, series_warnings[uid])
        choices.append(SeriesChoice(q, ch, model, sw, days[uid], cov))
    coverage, warnings = _run_coverage(hist, series_warnings, horizon, special, gap_days)
    return ForecastRun(pd.concat(out, ignore_index=True), tuple(choices), level, coverage, warnings)


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
