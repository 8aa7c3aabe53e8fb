"""Customer surveys: CSAT, NPS, survey-based FCR and the mean of every other item.

``surveys`` is long: one row per answered item. A response belongs to the bucket of
its ``submitted_ts`` and to the survey's own ``agent``/``queue``/``channel``.

* CSAT = csat answers in the top two boxes (score >= scale_max - 1: 4 or 5 on 1-5) /
  csat answers; CSAT mean = mean csat score.
* NPS = 100 * (promoters - detractors) / nps answers; promoters score 9-10,
  detractors 0-6 (on 0-10), so NPS is in points from -100 to 100.
* FCR (survey) = mean of item ``resolved`` (1 = resolved). The flag a source keeps on
  the contact itself (``contacts.resolved``) feeds ``fcr_reported`` in
  :mod:`callscope.kpi.outcome`.
* ``survey_<item>`` = mean score of any other item (rings before answer, time in
  queue, pleasant, quick, cared, ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.params import KpiParams

__all__ = ["SPECIAL_ITEMS", "SURVEYS", "item_column"]

#: Items with their own KPI; every other item gets a ``survey_<item>`` mean.
SPECIAL_ITEMS = ("csat", "nps", "resolved")


def item_column(item: str) -> str:
    """``"Time in queue"`` -> ``"survey_time_in_queue"``."""
    return "survey_" + (re.sub(r"[^0-9a-z]+", "_", item.lower()).strip("_") or "item")


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    s = tables["surveys"]
    return s.select(
        _ts=s.submitted_ts,
        _queue=s.queue,
        _channel=s.channel,
        _agent=s.agent,
        item=s.item,
        score=s.score,
        scale_max=s.scale_max,
    )


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    csat = t.item == "csat"
    nps = t.item == "nps"
    items = {}
    for item in extra.get("survey_items", ()):
        if item not in SPECIAL_ITEMS:
            items[item_column(item)] = t.score.mean(where=t.item == item)
    a = aggregate_by(
        t,
        keys,
        csat_responses=t.count(where=csat),
        _csat_top=t.count(where=csat & (t.score >= t.scale_max - 1)),
        csat_mean=t.score.mean(where=csat),
        nps_responses=t.count(where=nps),
        _promoters=t.count(where=nps & (t.score >= 9)),
        _detractors=t.count(where=nps & (t.score <= 6)),
        fcr_survey=t.score.mean(where=t.item == "resolved"),
        **items,
    )
    return a.mutate(
        csat=ratio(a._csat_top, a.csat_responses),
        nps=ratio((a._promoters - a._detractors) * 100, a.nps_responses),
    ).drop("_csat_top", "_promoters", "_detractors")


SURVEYS = Family(
    name="surveys",
    tables=("surveys",),
    dims=frozenset({"queue", "channel", "agent", "team"}),
    frame=_frame,
    aggregate=_aggregate,
)
