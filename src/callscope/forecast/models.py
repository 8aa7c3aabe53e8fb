"""Thin forecasting estimators for interval volume, usable by statsforecast.

Every model here is a statsforecast model (a subclass of its ``_TS`` base with
``forecast``/``fit``/``predict``), so one :class:`statsforecast.StatsForecast` call runs
ours and the peers on many series over all cores, or on Spark through its Fugue backend.
Our models read the calendar from three exogenous columns (see
:func:`callscope.forecast.series.calendar_features`): ``day`` (days since 1970-01-01),
``slot`` (interval of the day) and ``factor`` (special-day factor, 1 on ordinary days).

The models (volume ``y`` per open interval; forecasts are calls per interval):

* :class:`DailyProfile` ("top-down"): a daily total per future day times an intraday
  profile of that weekday. The daily total is ``L_w * D_m``: ``L_w`` the mean of the last
  ``level_weeks`` ordinary days of weekday ``w`` (days far below their neighbours, i.e.
  unlisted holidays, are left out), or an AutoETS / AutoTheta forecast of the cleaned
  daily totals; ``D_m`` a shrunk day-of-month factor (paydays: banks see more calls at the
  start of a month), ``D_m = (sum_i r_i + k) / (n + k)`` over past days within
  ``dom_window`` days of the month ``m`` of their ratio ``r_i`` to the same weekday's
  neighbours. The profile is the mean share of each interval in the day's total over
  the last ``profile_weeks`` same weekdays, blended half-and-half with the profile of
  the weekdays of similar volume (Sunday-Thursday in Israel, Monday-Friday in the US).
  Source: the "top-down" daily-total x intraday-proportion approach of Weinberg, Brown &
  Stroud (2007), JASA 102, and Ibrahim et al. (2016), "Modeling and forecasting call
  center arrivals: a literature survey", IJF.
* :class:`Ensemble`: the mean of several of the above.
* :class:`WeekMean`: mean of the same interval of the same weekday over the last ``k``
  ordinary weeks (seasonal naive averaged over ``k`` weeks).

Prediction intervals (all our models): the variance of an interval's count is modelled as
``Var = a f + b f^2`` (Poisson-like noise plus a relative level error), ``a, b >= 0``
fitted by non-negative least squares to the squared errors of the model's own one-week
forecasts from the last ``calib_weeks`` weekly origins of the history; the interval is
``f -/+ z sd`` clipped at 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import nnls
from scipy.stats import norm
from statsforecast.models import _TS, MSTL, AutoETS, AutoTheta, SeasonalNaive

from callscope.forecast.frame import quiet_numerics

__all__ = [
    "DailyProfile",
    "Ensemble",
    "WeekMean",
    "default_models",
    "model_registry",
    "peer_models",
    "variance_coefficients",
]


def _weekday(day: np.ndarray) -> np.ndarray:
    """Monday 0 .. Sunday 6 of day numbers (1970-01-01 was a Thursday)."""
    return (day + 3) % 7


def _day_of_month(day: np.ndarray) -> np.ndarray:
    d = day.astype("datetime64[D]")
    return (d - d.astype("datetime64[M]")).astype(np.int64) + 1


class _Days:
    """The history as a day x interval matrix with per-day flags (internal)."""

    def __init__(self, y: np.ndarray, X: np.ndarray, n_slots: int, cut: float) -> None:
        day = X[:, 0].astype(np.int64)
        slot = X[:, 1].astype(np.int64)
        self.days, inv = np.unique(day, return_inverse=True)
        self.M = np.full((self.days.size, n_slots), np.nan)
        self.M[inv, slot] = y
        self.total = np.nansum(self.M, axis=1)
        self.special = np.zeros(self.days.size, bool)
        self.special[inv[X[:, 2] != 1.0]] = True
        self.wd = _weekday(self.days)
        ok = ~self.special & (self.total > 0)
        # leave out days far below their same-weekday neighbours (unlisted holidays,
        # outages, a partial last day); neighbours are the same weekdays up to 6 weeks
        # away in the calendar (not across a gap in the history)
        for w in range(7):
            idx = np.flatnonzero((self.wd == w) & ~self.special)
            vals = self.total[idx]
            when = self.days[idx]
            lo = np.searchsorted(when, when - 42, side="left")
            hi = np.searchsorted(when, when + 42, side="right")
            for j, i in enumerate(idx):
                if vals[j] < cut * np.median(vals[lo[j] : hi[j]]):
                    ok[i] = False
        self.ok = ok

    def weekday_level(self, w: int, weeks: int) -> float:
        v = self.total[self.ok & (self.wd == w)][-weeks:]
        if v.size == 0:
            v = self.total[self.ok][-weeks:]
        return float(v.mean()) if v.size else 0.0

    def profile(
        self, w: int, weeks: int, group: np.ndarray, group_days: int, blend: float
    ) -> np.ndarray:
        def mean_share(sel: np.ndarray, n: int) -> np.ndarray | None:
            rows = np.flatnonzero(sel)[-n:]
            if rows.size == 0:
                return None
            P = np.nan_to_num(self.M[rows])
            s = P.sum(axis=1, keepdims=True)
            return (P / np.where(s > 0, s, 1.0)).mean(axis=0)

        own = mean_share(self.ok & (self.wd == w), weeks)
        grp = mean_share(self.ok & np.isin(self.wd, group), group_days)
        if own is None and grp is None:
            allp = mean_share(self.ok, group_days)
            return allp if allp is not None else np.full(self.M.shape[1], 1 / self.M.shape[1])
        if own is None:
            return grp  # type: ignore[return-value]
        if grp is None or blend == 0:
            return own
        return (1 - blend) * own + blend * grp

    def dom_ratios(self) -> np.ndarray:
        """Ratio of each ordinary day's total to its same-weekday neighbours (NaN if none)."""
        r = np.full(self.days.size, np.nan)
        for w in range(7):
            idx = np.flatnonzero(self.ok & (self.wd == w))
            vals = self.total[idx]
            for j, i in enumerate(idx):
                nb = np.concatenate([vals[max(0, j - 4) : j], vals[j + 1 : j + 5]])
                if nb.size and nb.mean() > 0:
                    r[i] = vals[j] / nb.mean()
        return r


class _CalendarModel(_TS):
    """Base of our models: calendar exogenous columns, calibrated intervals."""

    uses_exog = True

    def __init__(self, alias: str, calib_weeks: int = 4) -> None:
        self.alias = alias
        self.calib_weeks = calib_weeks
        self.prediction_intervals = None

    def point(self, y: np.ndarray, X: np.ndarray, X_future: np.ndarray) -> np.ndarray:
        """Point forecasts for the rows of ``X_future`` (subclasses)."""
        raise TypeError(f"{type(self).__name__} must define point()")

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,
        X_future: np.ndarray | None = None,
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, Any]:
        if X is None or X_future is None:
            raise ValueError(f"{self.alias} needs the calendar columns day, slot, factor")
        y = np.asarray(y, dtype=float)
        X = np.asarray(X, dtype=float)
        Xf = np.asarray(X_future, dtype=float)[:h]
        res: dict[str, Any] = {"mean": np.maximum(self.point(y, X, Xf), 0.0)}
        if level:
            a, b = variance_coefficients(self, y, X, self.calib_weeks)
            sd = np.sqrt(a * res["mean"] + b * res["mean"] ** 2)
            for lv in sorted(level):
                z = float(norm.ppf(0.5 + lv / 200))
                res[f"lo-{lv}"] = np.maximum(res["mean"] - z * sd, 0.0)
                res[f"hi-{lv}"] = res["mean"] + z * sd
        if fitted:
            res["fitted"] = np.full(y.size, np.nan)
        return res

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> _CalendarModel:
        self._y, self._X = np.asarray(y, dtype=float), X
        return self

    def predict(
        self, h: int, X: np.ndarray | None = None, level: list[int] | None = None
    ) -> dict[str, Any]:
        return self.forecast(self._y, h, self._X, X, level)


def variance_coefficients(
    model: _CalendarModel, y: np.ndarray, X: np.ndarray, weeks: int
) -> tuple[float, float]:
    """``(a, b)`` of ``Var = a f + b f^2`` from the model's own one-week forecasts at the
    last ``weeks`` weekly origins of the history (non-negative least squares).

    Falls back to Poisson ``(1, 0)`` when the history is too short.
    """
    day = X[:, 0].astype(np.int64)
    f_all: list[np.ndarray] = []
    y_all: list[np.ndarray] = []
    last = int(day.max())
    for w in range(weeks, 0, -1):
        start = last + 1 - 7 * w
        i0 = int(np.searchsorted(day, start))
        i1 = int(np.searchsorted(day, start + 7))
        if i0 < 14 or i1 <= i0 or day[i0 - 1] < day[0] + 21:
            continue
        f_all.append(np.maximum(model.point(y[:i0], X[:i0], X[i0:i1]), 0.0))
        y_all.append(y[i0:i1])
    if not f_all:
        return 1.0, 0.0
    f = np.concatenate(f_all)
    r2 = (np.concatenate(y_all) - f) ** 2
    coef, _ = nnls(np.column_stack([f, f**2]), r2)
    a, b = float(coef[0]), float(coef[1])
    return (a, b) if a + b > 0 else (1.0, 0.0)


class DailyProfile(_CalendarModel):
    """Daily totals x intraday profiles (see the module docstring for the formulas).

    ``level``: ``"weekday"`` (robust mean of the same weekday), ``"ets"`` (AutoETS on the
    cleaned daily totals) or ``"theta"`` (AutoTheta on them).
    """

    def __init__(
        self,
        level: str = "weekday",
        *,
        level_weeks: int = 24,
        profile_weeks: int = 8,
        group_days: int = 20,
        blend: float = 0.5,
        day_of_month: bool = True,
        dom_window: int = 1,
        dom_shrink: float = 10.0,
        cut: float = 0.85,
        alias: str | None = None,
        calib_weeks: int = 4,
    ) -> None:
        if level not in ("weekday", "ets", "theta"):
            raise ValueError(f"unknown level model {level!r}")
        super().__init__(
            alias or ("daily_profile" if level == "weekday" else f"daily_{level}"), calib_weeks
        )
        self.level = level
        self.level_weeks = level_weeks
        self.profile_weeks = profile_weeks
        self.group_days = group_days
        self.blend = blend
        self.day_of_month = day_of_month
        self.dom_window = dom_window
        self.dom_shrink = dom_shrink
        self.cut = cut

    def point(self, y: np.ndarray, X: np.ndarray, X_future: np.ndarray) -> np.ndarray:
        fday = X_future[:, 0].astype(np.int64)
        fslot = X_future[:, 1].astype(np.int64)
        n_slots = int(max(X[:, 1].max(), fslot.max())) + 1
        h = _Days(y, X, n_slots, self.cut)
        udays = np.unique(fday)
        fwd = _weekday(udays)
        levels = {w: h.weekday_level(w, self.level_weeks) for w in range(7)}
        if self.level == "weekday":
            day_level = np.array([levels[int(w)] for w in fwd])
        else:
            day_level = self._model_level(h, udays, levels)
        if self.day_of_month:
            r = h.dom_ratios()
            dom_h = _day_of_month(h.days)
            for i, dm in enumerate(_day_of_month(udays)):
                near = np.abs(dom_h - dm) <= self.dom_window
                rr = r[near & ~np.isnan(r)]
                day_level[i] *= (rr.sum() + self.dom_shrink) / (rr.size + self.dom_shrink)
        out = np.zeros(fday.size)
        profiles: dict[int, np.ndarray] = {}
        for d, w, lvl in zip(udays, fwd, day_level, strict=True):
            w = int(w)
            if w not in profiles:
                base = levels[w]
                group = np.array(
                    [
                        v
                        for v in range(7)
                        if base > 0 and levels[v] > 0 and 0.8 <= levels[v] / base <= 1.25
                    ]
                )
                profiles[w] = h.profile(w, self.profile_weeks, group, self.group_days, self.blend)
            rows = fday == d
            out[rows] = lvl * profiles[w][fslot[rows]] * X_future[rows, 2]
        return out

    def _model_level(self, h: _Days, udays: np.ndarray, levels: dict[int, float]) -> np.ndarray:
        """AutoETS / AutoTheta on the daily totals, one step per open day of the calendar.

        The open days are the weekdays seen in the last 28 ordinary days. A day that is
        absent from the history (a gap, a missing file), special or far below its
        neighbours counts as its weekday's level, so the weekly season stays aligned
        with the calendar however many days are missing.
        """
        keep = ~h.special
        recent_wd = np.unique(h.wd[keep][-28:])
        season = int(recent_wd.size) if recent_wd.size > 1 else 1
        fallback = np.array([levels[int(w)] for w in _weekday(udays)])
        cal = np.arange(h.days[0], h.days[-1] + 1)
        cal = cal[np.isin(_weekday(cal), recent_wd)]
        future = np.arange(h.days[-1] + 1, udays.max() + 1)
        future = future[np.isin(_weekday(future), recent_wd)]
        if cal.size < 2 * season + 2 or future.size == 0:
            return fallback
        tot = np.array([levels[int(w)] for w in _weekday(cal)])
        usable = keep & h.ok & np.isin(h.days, cal)
        tot[np.searchsorted(cal, h.days[usable])] = h.total[usable]
        model = (
            AutoETS(season_length=season)
            if self.level == "ets"
            else AutoTheta(season_length=season)
        )
        with quiet_numerics():  # also when a model is called outside statsforecast
            fc = model.forecast(y=tot.astype(float), h=int(future.size))["mean"]
        fc = np.maximum(np.asarray(fc, dtype=float), 0.0)
        pos = np.clip(np.searchsorted(future, udays), 0, future.size - 1)
        return np.where(future[pos] == udays, fc[pos], fallback)


class WeekMean(_CalendarModel):
    """Mean of the same interval of the same weekday over the last ``k`` ordinary weeks.

    ``f(d, s) = mean_{j in J} y(d - 7 j, s)`` with ``J`` the first ``k`` weeks back in
    which that day was open and not a special day; ``k = 1`` is seasonal naive on the
    calendar.
    """

    def __init__(self, k: int = 4, alias: str | None = None, calib_weeks: int = 4) -> None:
        super().__init__(alias or f"week_mean{k}", calib_weeks)
        self.k = k

    def point(self, y: np.ndarray, X: np.ndarray, X_future: np.ndarray) -> np.ndarray:
        fday = X_future[:, 0].astype(np.int64)
        fslot = X_future[:, 1].astype(np.int64)
        n_slots = int(max(X[:, 1].max(), fslot.max())) + 1
        h = _Days(y, X, n_slots, cut=0.0)
        usable = ~h.special
        acc = np.zeros(fday.size)
        cnt = np.zeros(fday.size)
        for j in range(1, 7 * self.k + 1):
            need = cnt < self.k
            if not need.any():
                break
            dd = fday - 7 * j
            pos = np.clip(np.searchsorted(h.days, dd), 0, h.days.size - 1)
            hit = need & (h.days[pos] == dd) & usable[pos]
            vals = h.M[pos, fslot]
            hit &= ~np.isnan(vals)
            acc[hit] += vals[hit]
            cnt[hit] += 1
        return np.divide(acc, cnt, out=np.zeros_like(acc), where=cnt > 0)


class Ensemble(_CalendarModel):
    """The mean of its members' point forecasts: ``f = (1/M) sum_m f_m``.

    The default combines the three that fail differently: the weekday-level top-down
    model, AutoTheta on daily totals (adapts to level shifts) and the 4-week mean (keeps
    each interval's own history). Averaging forecasts whose errors are not perfectly
    correlated lowers the error variance (Bates & Granger 1969, "The combination of
    forecasts", Operational Research Quarterly 20(4)).
    """

    def __init__(
        self,
        members: Sequence[_CalendarModel] | None = None,
        alias: str = "ensemble",
        calib_weeks: int = 4,
    ) -> None:
        super().__init__(alias, calib_weeks)
        self.members = (
            list(members)
            if members is not None
            else [DailyProfile(), DailyProfile("theta"), WeekMean(4)]
        )

    def point(self, y: np.ndarray, X: np.ndarray, X_future: np.ndarray) -> np.ndarray:
        return np.mean([np.maximum(m.point(y, X, X_future), 0.0) for m in self.members], axis=0)


def default_models() -> list[_CalendarModel]:
    """Our candidate models, in the order the selection prefers on ties."""
    return [
        Ensemble(),
        DailyProfile(),
        DailyProfile("ets"),
        DailyProfile("theta"),
        WeekMean(4),
        WeekMean(8),
    ]


def peer_models(slots_per_day: int, slots_per_week: int) -> list[_TS]:
    """The peers of every backtest: seasonal naive (same interval last week) and
    statsforecast MSTL with daily and weekly seasonality and an AutoETS trend."""
    seasons = sorted({s for s in (slots_per_day, slots_per_week) if s > 1})
    return [
        SeasonalNaive(season_length=slots_per_week, alias="seasonal_naive"),
        MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"), alias="mstl"),
    ]


def model_registry(slots_per_day: int, slots_per_week: int) -> dict[str, _TS]:
    """Every model by name: ours (:func:`default_models`) then the peers."""
    return {m.alias: m for m in [*default_models(), *peer_models(slots_per_day, slots_per_week)]}
