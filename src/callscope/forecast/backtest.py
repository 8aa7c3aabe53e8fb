"""Rolling-origin backtests: WAPE, MASE and bias per model and horizon, and the choice.

Setup (as in the published evaluations this project checks itself against): the series
is the sequence of open intervals; a horizon of 7 days is the typical number of open
intervals in 7 days (:func:`~callscope.forecast.series.steps_per`); the ``origins``
evaluation origins are every horizon, the last one a horizon before the end of the data.
Before them come ``selection_origins`` more origins whose errors choose the model
(:mod:`callscope.forecast.selection`); the evaluation weeks play no part in the choice.
MASE is scaled by the in-sample seasonal-naive error (lag one week) of the data before
the first evaluation origin. Horizon ``d`` is the ``d``-th open day after the origin (1..5 for a weekday-only week).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from callscope.errors import CallscopeError
from callscope.forecast.accuracy import bias, mase, mase_scale, wape
from callscope.forecast.frame import cross_validate, long_frame
from callscope.forecast.models import model_registry
from callscope.forecast.selection import choose, selection_scores
from callscope.forecast.series import DAY_S, IntervalSeries, SpecialDays, steps_per

__all__ = ["BacktestResult", "HorizonScore", "ModelScore", "backtest"]


@dataclass(frozen=True)
class ModelScore:
    """One model over the evaluation origins (WAPE and bias as fractions)."""

    model: str
    wape: float
    mase: float
    bias: float
    fit_s: float  # mean wall seconds to fit and forecast at one origin
    chosen: bool
    selection_wape: float  # WAPE over the selection origins (nan if there were none)


@dataclass(frozen=True)
class HorizonScore:
    """One model at one horizon (the n-th open day after the origin)."""

    model: str
    horizon_day: int
    wape: float
    mase: float
    bias: float


@dataclass(frozen=True)
class BacktestResult:
    """Scores per model and per model x horizon, the chosen model and the setup."""

    scores: tuple[ModelScore, ...]
    by_horizon: tuple[HorizonScore, ...]
    chosen: str
    horizon_steps: int
    season_steps: int
    origins: int
    selection_origins: int
    frame: pd.DataFrame  # evaluation rows: unique_id, ds, cutoff, y, horizon_day, <models>

    def rows(self) -> list[dict[str, Any]]:
        """One dict per model: model, wape, mase, bias, fit_s, chosen (the JSON rows)."""
        return [
            {
                "model": s.model,
                "wape": s.wape,
                "mase": s.mase,
                "bias": s.bias,
                "fit_s": s.fit_s,
                "chosen": s.chosen,
                "selection_wape": s.selection_wape,
            }
            for s in self.scores
        ]

    def score(self, model: str) -> ModelScore:
        for s in self.scores:
            if s.model == model:
                return s
        raise KeyError(model)


def backtest(
    series: IntervalSeries,
    *,
    horizon_s: int = 7 * DAY_S,
    origins: int = 4,
    selection_origins: int = 4,
    models: Sequence[str] | None = None,
    special: SpecialDays | None = None,
    n_jobs: int | None = None,
) -> BacktestResult:
    """Backtest ``models`` (names from :func:`~callscope.forecast.models.model_registry`;
    default all) on one series and choose among them on the earlier origins."""
    if origins < 1:
        raise CallscopeError("--origins must be at least 1")
    h = steps_per(series.start, horizon_s)
    season = steps_per(series.start, 7 * DAY_S)
    per_day = steps_per(series.start, DAY_S)
    n = len(series)
    if h < 1 or n < (origins + 2) * h:
        raise CallscopeError(
            f"the series has {n} open intervals: {origins} origins of {h} intervals need "
            f"at least {(origins + 2) * h}"
        )
    sel = max(0, min(selection_origins, n // h - origins - 2))
    registry = model_registry(per_day, season)
    names = list(models) if models else list(registry)
    unknown = [m for m in names if m not in registry]
    if unknown:
        raise CallscopeError(
            f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(registry)}"
        )
    df = long_frame({"series": series}, special)
    cv = cross_validate(df, [registry[m] for m in names], h, origins + sel, n_jobs)
    frame = cv.frame
    cutoffs = np.sort(frame["cutoff"].unique())
    eval_cut, sel_cut = cutoffs[sel:].tolist(), cutoffs[:sel].tolist()
    default = names[0]
    chosen = choose(selection_scores(frame, names, sel_cut), default)["series"] if sel else default
    sel_w = (
        selection_scores(frame, names, sel_cut).iloc[0].to_dict()
        if sel
        else dict.fromkeys(names, float("nan"))
    )
    ev = frame[frame["cutoff"].isin(eval_cut)].copy()
    day = df["day"].to_numpy()
    ev["day"] = day[ev["ds"].to_numpy()]
    ev["horizon_day"] = ev.groupby("cutoff")["day"].rank(method="dense").astype(int)
    scale = mase_scale(series.y[: int(eval_cut[0]) + 1], season)
    scores = tuple(
        ModelScore(
            m,
            wape(ev["y"], ev[m]),
            mase(ev["y"], ev[m], scale),
            bias(ev["y"], ev[m]),
            cv.seconds[m] / (origins + sel),
            m == chosen,
            float(sel_w[m]),
        )
        for m in names
    )
    by_h = tuple(
        HorizonScore(m, int(d), wape(g["y"], g[m]), mase(g["y"], g[m], scale), bias(g["y"], g[m]))
        for m in names
        for d, g in ev.groupby("horizon_day", sort=True)
    )
    return BacktestResult(scores, by_h, chosen, h, season, origins, sel, ev.reset_index(drop=True))
