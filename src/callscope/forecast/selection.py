"""Automatic model choice per series by rolling-origin backtest.

The choice uses only the **selection origins**, the weekly origins before the ones being
evaluated (or, when forecasting, the last weeks of the history), so it never peeks at the
weeks it is judged on. The model with the lowest WAPE over those origins wins; ties go to
the model listed first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from callscope.forecast.accuracy import wape

__all__ = ["choose", "selection_scores"]


def selection_scores(
    cv: pd.DataFrame, models: Sequence[str], cutoffs: Sequence[int] | None = None
) -> pd.DataFrame:
    """WAPE of each model per series over the given cutoffs (default: all of them).

    Returns a frame indexed by ``unique_id`` with one column per model.
    """
    sel = cv if cutoffs is None else cv[cv["cutoff"].isin(list(cutoffs))]
    rows = {}
    for uid, g in sel.groupby("unique_id", sort=True):
        rows[uid] = {m: wape(g["y"], g[m]) for m in models}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(models))


def choose(scores: pd.DataFrame, default: str) -> dict[str, str]:
    """The model with the lowest WAPE per series (``default`` where nothing is finite)."""
    out: dict[str, str] = {}
    for uid, row in scores.iterrows():
        vals = row.to_numpy(dtype=float)
        finite = np.isfinite(vals)
        out[str(uid)] = (
            str(row.index[int(np.nanargmin(np.where(finite, vals, np.nan)))])
            if finite.any()
            else default
        )
    return out
