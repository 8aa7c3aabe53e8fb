"""Compare KPI row lists (engine vs reference) with a tolerance."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

__all__ = ["assert_rows_equal"]


def _norm_key(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if hasattr(v, "to_pydatetime"):
        return v.to_pydatetime()
    return v


def assert_rows_equal(
    got: Sequence[dict],
    want: Sequence[dict],
    keys: Sequence[str],
    rel: float = 1e-9,
    label: str = "",
) -> None:
    """Same key sets, same columns, equal values (floats to ``rel``; None == None)."""

    def index(rows: Sequence[dict]) -> dict[tuple, dict]:
        return {tuple(_norm_key(r[k]) for k in keys): r for r in rows}

    g, w = index(got), index(want)
    assert set(g) == set(w), f"{label}: keys differ: {set(g) ^ set(w)}"
    for k, wr in w.items():
        gr = g[k]
        assert set(gr) == set(wr), f"{label} {k}: columns differ: {set(gr) ^ set(wr)}"
        for col, wv in wr.items():
            if col in keys:
                continue
            gv = gr[col]
            if wv is None or gv is None or (isinstance(gv, float) and math.isnan(gv)):
                ok = (wv is None) and (gv is None or (isinstance(gv, float) and math.isnan(gv)))
            elif isinstance(wv, (date, str)):
                ok = gv == wv
            else:
                ok = math.isclose(float(gv), float(wv), rel_tol=rel, abs_tol=1e-9)
            assert ok, f"{label} {k} {col}: got {gv!r}, want {wv!r}"
