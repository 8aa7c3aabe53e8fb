"""Calibration: do the evaluators score alike?

Several evaluators score the same items blind (an item is one question of one contact,
e.g. ``C1042:greeting``). From the long table ``evaluator, item, score`` (a blank score:
not scored) this reports

* **Krippendorff's alpha** at the nominal, ordinal and interval levels,
  ``alpha = 1 - D_o / D_e`` (observed over expected disagreement; missing scores
  allowed; Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"), from the
  ``krippendorff`` package. 1 is perfect agreement, 0 agreement by chance; 0.8 is the
  usual bar for relying on the scores, 0.667 for tentative conclusions.
* the **intraclass correlations** of Shrout & Fleiss (1979) over the items every
  evaluator scored, from ``pingouin``: ``ICC(1)`` (one-way random), ``ICC(2,1)``
  (two-way random, absolute agreement), ``ICC(3,1)`` (two-way mixed, consistency) for
  one evaluator, and ``ICC(1,k)``, ``ICC(2,k)``, ``ICC(3,k)`` for the mean of ``k``, each
  with its 95 % interval. With MS_R, MS_W, MS_C, MS_E the mean squares of targets,
  within targets, judges and error, n targets and k judges::

      ICC(1)   = (MS_R - MS_W) / (MS_R + (k-1) MS_W)
      ICC(2,1) = (MS_R - MS_E) / (MS_R + (k-1) MS_E + k (MS_C - MS_E) / n)
      ICC(3,1) = (MS_R - MS_E) / (MS_R + (k-1) MS_E)

  Shrout & Fleiss' six targets and four judges give .17, .29 and .71.
* each evaluator's **deviation**: the mean of ``score - reference`` (bias: + scores
  high) and its mean absolute value over the items they scored, the reference being the
  expert's score when an expert is named, else the mean of every evaluator's score of
  that item;
* the **spread** of each item: evaluators, mean, standard deviation, min, max.

An item scored by fewer than two evaluators cannot be compared: one line names it (or,
for stored evaluations where one evaluator answered N/A, it is left out with a note).
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from callscope.errors import CallscopeError

__all__ = ["ICC_TYPES", "Calibration", "Icc", "calibrate", "icc", "krippendorff_alpha"]

#: Scores that mean "not scored".
_NOT_SCORED = {"", "na", "n/a", "-"}
#: The ICC forms, in pingouin's row order (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k).
ICC_TYPES = ("ICC(1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")


@dataclass(frozen=True, slots=True)
class Icc:
    """One intraclass correlation with its 95 % interval and F test."""

    type: str
    value: float
    ci_low: float
    ci_high: float
    f: float
    df1: float
    df2: float
    p: float


@dataclass(frozen=True)
class Calibration:
    """The agreement of a calibration set."""

    alpha_nominal: float | None
    alpha_ordinal: float | None
    alpha_interval: float | None
    icc: tuple[Icc, ...]
    icc_items: int  #: items every evaluator scored (the ICC's targets)
    evaluators: tuple[dict[str, Any], ...]  #: evaluator, items, bias, mean_abs_deviation
    items: tuple[dict[str, Any], ...]  #: item, evaluators, mean, sd, min, max
    expert: str | None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "alpha_nominal": self.alpha_nominal,
            "alpha_ordinal": self.alpha_ordinal,
            "alpha_interval": self.alpha_interval,
            "icc": [
                {
                    "type": i.type,
                    "value": i.value,
                    "ci95": [i.ci_low, i.ci_high],
                    "f": i.f,
                    "df1": i.df1,
                    "df2": i.df2,
                    "p": i.p,
                }
                for i in self.icc
            ],
            "icc_items": self.icc_items,
            "reference": f"expert {self.expert}" if self.expert else "item mean",
            "evaluators": list(self.evaluators),
            "items": list(self.items),
            "notes": list(self.notes),
        }


def krippendorff_alpha(matrix: np.ndarray, level: str) -> float | None:
    """Krippendorff's alpha of an evaluators x items matrix (NaN: not scored) at
    ``level`` (nominal, ordinal, interval); ``None`` when only one value occurs (the
    expected disagreement is 0 and alpha undefined)."""
    import krippendorff

    values = np.unique(matrix[~np.isnan(matrix)])
    if len(values) < 2:
        return None
    kw: dict[str, Any] = {"value_domain": values} if level in ("nominal", "ordinal") else {}
    how: Any = level
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=how, **kw))


def icc(matrix: np.ndarray) -> tuple[Icc, ...]:
    """The six intraclass correlations of a complete evaluators x items matrix (items
    are Shrout & Fleiss' targets, evaluators their judges), from pingouin."""
    import pandas as pd
    import pingouin as pg

    k, n = matrix.shape
    df = pd.DataFrame(
        [(t, j, float(matrix[j, t])) for t in range(n) for j in range(k)],
        columns=["target", "rater", "score"],
    )
    with warnings.catch_warnings():  # pingouin's own pandas deprecations
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        res = pg.intraclass_corr(df, targets="target", raters="rater", ratings="score")
    out = []
    for name, (_, r) in zip(ICC_TYPES, res.iterrows(), strict=True):
        lo, hi = (float(x) for x in r["CI95%" if "CI95%" in r else "CI95"])
        out.append(
            Icc(
                name,
                float(r["ICC"]),
                lo,
                hi,
                float(r["F"]),
                float(r["df1"]),
                float(r["df2"]),
                float(r["pval"]),
            )
        )
    return tuple(out)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def calibrate(
    table: pa.Table,
    expert: str | None = None,
    lines: Sequence[int] | None = None,
    *,
    skip_single: bool = False,
) -> Calibration:
    """Agreement, ICCs, deviations and spread of ``table`` (evaluator, item, score).
    ``lines``: the file line of each row, for error messages (default: row ``i`` is on
    line ``i + 2``, after a header). ``skip_single``: leave out, with a note, items
    fewer than two evaluators scored (an N/A in stored evaluations) instead of
    refusing them."""
    rows = table.select(["evaluator", "item", "score"]).to_pylist()
    where = list(lines) if lines is not None else list(range(2, len(rows) + 2))
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    evaluators: list[str] = []
    items: list[str] = []
    for n, r in zip(where, rows, strict=True):
        ev = str(r["evaluator"] or "").strip()
        it = str(r["item"] or "").strip()
        if not ev or not it:
            raise CallscopeError(
                f"line {n}: every row needs an evaluator and an item", field="input"
            )
        if ev not in evaluators:
            evaluators.append(ev)
        if it not in items:
            items.append(it)
        raw = r["score"]
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in _NOT_SCORED):
            continue  # blank or N/A: not scored
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise CallscopeError(
                f"line {n}: item {it!r}, evaluator {ev!r}: score {raw!r} is not a number "
                "(leave it blank when not scored)",
                field="input",
            ) from None
        if not math.isfinite(value):
            raise CallscopeError(
                f"line {n}: item {it!r}, evaluator {ev!r}: score {raw!r} is not a number",
                field="input",
            )
        if it in scores[ev]:
            raise CallscopeError(
                f"line {n}: item {it!r} is scored twice by {ev!r}; keep one score per "
                "evaluator and item",
                field="input",
            )
        scores[ev][it] = value
    if not items:
        raise CallscopeError("the calibration set has no rows", field="input")
    dropped = 0
    for it in list(items):
        who = [e for e in evaluators if it in scores[e]]
        if len(who) < 2 and skip_single:
            items.remove(it)
            dropped += 1
            continue
        if len(who) < 2:
            by = f"only {who[0]!r}" if who else "nobody"
            raise CallscopeError(
                f"item {it!r} is scored by {by}; calibration needs at least two evaluators "
                "per item: add another evaluator's score or remove the item",
                field="input",
            )
    if expert is not None and expert not in evaluators:
        raise CallscopeError(
            f"expert {expert!r} scored nothing here; evaluators: {', '.join(evaluators)}",
            field="expert",
        )
    if not items:
        raise CallscopeError(
            "no item is scored by two or more evaluators: nothing to compare", field="input"
        )
    m = np.array([[scores[e].get(i, np.nan) for i in items] for e in evaluators])
    notes = []
    if dropped:
        notes.append(f"{dropped} item(s) scored by fewer than two evaluators left out")
    alphas = {lvl: krippendorff_alpha(m, lvl) for lvl in ("nominal", "ordinal", "interval")}
    if alphas["nominal"] is None:
        notes.append(
            "every score is the same value: alpha is undefined (no disagreement to expect)"
        )
    complete = ~np.isnan(m).any(axis=0)
    iccs: tuple[Icc, ...] = ()
    if complete.sum() >= 2 and m.shape[0] >= 2:
        sub = m[:, complete]
        if np.ptp(sub) > 0:
            iccs = icc(sub)
    if not iccs:
        notes.append(
            f"ICC needs at least two items scored by every evaluator, with some variation; "
            f"{int(complete.sum())} item(s) are"
        )
    elif complete.sum() < len(items):
        notes.append(
            f"ICC over the {int(complete.sum())} of {len(items)} items every evaluator scored"
        )
    mean = np.nanmean(m, axis=0)
    ref = m[evaluators.index(expert)] if expert is not None else mean
    dev_rows = []
    for j, e in enumerate(evaluators):
        mask = ~np.isnan(m[j]) & ~np.isnan(ref)
        if expert is not None and e == expert:
            continue
        d = m[j][mask] - ref[mask]
        dev_rows.append(
            {
                "evaluator": e,
                "items": int((~np.isnan(m[j])).sum()),
                "compared": int(mask.sum()),
                "bias": float(d.mean()) if len(d) else None,
                "mean_abs_deviation": float(np.abs(d).mean()) if len(d) else None,
            }
        )
    item_rows = []
    for t, it in enumerate(items):
        col = m[:, t][~np.isnan(m[:, t])]
        item_rows.append(
            {
                "item": it,
                "evaluators": len(col),
                "mean": float(col.mean()),
                "sd": float(col.std(ddof=1)),
                "min": float(col.min()),
                "max": float(col.max()),
            }
        )
    return Calibration(
        alpha_nominal=alphas["nominal"],
        alpha_ordinal=alphas["ordinal"],
        alpha_interval=alphas["interval"],
        icc=iccs,
        icc_items=int(complete.sum()),
        evaluators=tuple(dev_rows),
        items=tuple(item_rows),
        expert=expert,
        notes=tuple(notes),
    )
