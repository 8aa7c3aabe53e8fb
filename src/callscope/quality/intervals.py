"""Survey figures with their uncertainty: a CSAT of 74 % from 30 answers is not one from
3,000.

* **Wilson score interval** for a proportion ``p = k / n`` (CSAT top-two share, survey
  FCR; Wilson 1927, Newcombe 1998 method 3), ``z`` the normal quantile of the
  confidence level::

      centre = (p + z^2 / (2n)) / (1 + z^2 / n)
      half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))

  Newcombe's 81 of 263 gives 0.2553 to 0.3662; unlike ``p +- z sqrt(p(1-p)/n)`` it
  never leaves [0, 1] and is not zero-width at 0 or n.
* **NPS interval** (analytic): each answer scores +1 (promoter, 9-10), 0 (passive) or -1
  (detractor, 0-6); with shares ``P`` and ``D``, NPS = 100 (P - D) and its variance is
  ``(P + D - (P - D)^2) / n``, so the interval is ``NPS +- 100 z sqrt(var)`` (clipped to
  -100..100).
* **Mean of an item** (perceived-access and perceived-agent items: rings, time in
  queue, pleasant, quick ...): the t interval ``mean +- t(n-1) s / sqrt(n)``.

The counting rules are those of :mod:`callscope.kpi.surveys` (the KPI engine's CSAT, NPS
and survey FCR); ``tests/quality/test_qa_intervals.py`` checks that the point values here
equal the engine's on the same store.

>>> lo, hi = wilson(81, 263)
>>> round(lo, 4), round(hi, 4)
(0.2553, 0.3662)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

__all__ = [
    "DETRACTOR_MAX",
    "PROMOTER_MIN",
    "SURVEY_SCHEMA",
    "mean_interval",
    "nps_interval",
    "survey_table",
    "wilson",
    "z_value",
]

#: NPS classes on 0-10 (as :mod:`callscope.kpi.surveys`).
PROMOTER_MIN = 9.0
DETRACTOR_MAX = 6.0


def z_value(confidence: float) -> float:
    """The two-sided normal quantile: 1.95996... for 0.95."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


def wilson(k: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (shares 0-1);
    ``(nan, nan)`` when ``n`` is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    z = z_value(confidence)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def nps_interval(
    promoters: float, detractors: float, n: float, confidence: float = 0.95
) -> tuple[float, float]:
    """The analytic interval of NPS (points, -100..100) from counts.

    >>> lo, hi = nps_interval(50, 20, 100)   # NPS 30
    >>> round(lo, 1), round(hi, 1)
    (14.7, 45.3)
    """
    if n <= 0:
        return (math.nan, math.nan)
    p, d = promoters / n, detractors / n
    nps = 100 * (p - d)
    se = 100 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)
    z = z_value(confidence)
    return (max(-100.0, nps - z * se), min(100.0, nps + z * se))


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """The t interval of a mean; ``(nan, nan)`` with fewer than two values."""
    from scipy.stats import t

    n = len(values)
    if n < 2:
        return (math.nan, math.nan)
    m = sum(values) / n
    s = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    half = float(t.ppf(0.5 + confidence / 2, n - 1)) * s / math.sqrt(n)
    return (m - half, m + half)


#: The long table of :func:`survey_table` (after the group keys).
SURVEY_SCHEMA = (
    ("measure", pa.string()),  # csat, csat_mean, nps, fcr_survey, survey_<item>
    ("value", pa.float64()),  # a share (csat, fcr_survey), points (nps) or a mean
    ("answers", pa.int64()),  # answers to that item
    ("ci_low", pa.float64()),
    ("ci_high", pa.float64()),
    ("method", pa.string()),  # wilson | nps-analytic | t
    ("responses", pa.int64()),  # survey responses of the group (any item)
    ("handled", pa.int64()),  # contacts agents answered in the group
    ("response_rate", pa.float64()),  # responses / handled
)


def _item_column(item: str) -> str:
    import re

    return "survey_" + (re.sub(r"[^0-9a-z]+", "_", item.lower()).strip("_") or "item")


def survey_table(
    rows: pa.Table, handled: pa.Table, by: Sequence[str], confidence: float = 0.95
) -> pa.Table:
    """Per group of ``by``: each survey measure with its answers, interval and the
    group's response rate. ``rows`` are survey answers (the ``by`` columns, survey_id,
    item, score, scale_max); ``handled`` the handled contacts per group (column
    ``handled``)."""
    by = list(by)
    groups: dict[tuple[Any, ...], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    maxes: dict[tuple[Any, ...], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    responses: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for r in rows.to_pylist():
        key = tuple(r[k] for k in by)
        groups[key][r["item"]].append(float(r["score"]))
        maxes[key][r["item"]].append(float(r["scale_max"]))
        responses[key].add(r["survey_id"])
    handled_by = {tuple(r[k] for k in by): int(r["handled"]) for r in handled.to_pylist()}
    out: list[dict[str, Any]] = []
    keys = sorted(set(groups) | set(handled_by), key=lambda k: tuple(str(x) for x in k))
    for key in keys:
        base = dict(zip(by, key, strict=True))
        n_resp = len(responses.get(key, ()))
        n_handled = handled_by.get(key, 0)
        common = {
            "responses": n_resp,
            "handled": n_handled,
            "response_rate": n_resp / n_handled if n_handled else None,
        }
        items = groups.get(key, {})

        def add(
            measure: str,
            value: float | None,
            n: int,
            ci: tuple[float, float],
            how: str,
            base: dict[str, Any] = base,
            common: dict[str, Any] = common,
        ) -> None:
            lo, hi = ci
            out.append(
                {
                    **base,
                    "measure": measure,
                    "value": value,
                    "answers": n,
                    "ci_low": None if math.isnan(lo) else lo,
                    "ci_high": None if math.isnan(hi) else hi,
                    "method": how,
                    **common,
                }
            )

        if "csat" in items:
            s, mx = items["csat"], maxes[key]["csat"]
            top = sum(1 for v, m in zip(s, mx, strict=True) if v >= m - 1)
            add("csat", top / len(s), len(s), wilson(top, len(s), confidence), "wilson")
            add("csat_mean", sum(s) / len(s), len(s), mean_interval(s, confidence), "t")
        if "nps" in items:
            s = items["nps"]
            p = sum(1 for v in s if v >= PROMOTER_MIN)
            d = sum(1 for v in s if v <= DETRACTOR_MAX)
            add(
                "nps",
                100 * (p - d) / len(s),
                len(s),
                nps_interval(p, d, len(s), confidence),
                "nps-analytic",
            )
        if "resolved" in items:
            s = items["resolved"]
            k = sum(s)
            add("fcr_survey", k / len(s), len(s), wilson(k, len(s), confidence), "wilson")
        for item in sorted(items):
            if item in ("csat", "nps", "resolved"):
                continue
            s = items[item]
            add(_item_column(item), sum(s) / len(s), len(s), mean_interval(s, confidence), "t")
        if not items:
            add("csat", None, 0, (math.nan, math.nan), "wilson")
    types = {k: rows.schema.field(k).type for k in by if k in rows.column_names}
    schema = pa.schema([(k, types.get(k, pa.string())) for k in by] + list(SURVEY_SCHEMA))
    return pa.Table.from_pylist(out, schema)
