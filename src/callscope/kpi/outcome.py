"""Outcome: first-contact resolution (FCR) and the repeat-contact rate.

The population is the handled (answered) contacts with a known ``customer_key``,
bucketed like agent-side KPIs (answering agent, answer time). A handled contact is a
*repeat* when the same customer made a further contact - any row of another
conversation, whatever its outcome - arriving after it and at most
``fcr_window_days`` later; with ``fcr_same_reason`` only a further contact whose
``disposition`` equals this one's counts, unless either reason is unknown.

* FCR = handled contacts not followed by a repeat / handled with a known customer.
* repeat-contact rate = 1 - FCR on the same population.

A survey-based FCR ("was your issue resolved?") is :mod:`callscope.kpi.surveys`'
``fcr_survey``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.params import KpiParams
from callscope.kpi.productivity import handled_frame

__all__ = ["OUTCOME"]


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    c = tables["contacts"]
    h = handled_frame(c)
    h = h.filter(h.customer_key.notnull()).select(
        "_ts",
        "_queue",
        "_channel",
        "_agent",
        "contact_id",
        "conversation_id",
        "customer_key",
        "arrival_ts",
        "disposition",
    )
    later = c.filter(c.customer_key.notnull()).select(
        _l_customer=c.customer_key,
        _l_conversation=c.conversation_id,
        _l_arrival=c.arrival_ts,
        _l_reason=c.disposition,
    )
    window = ibis.interval(seconds=int(round(p.fcr_window_days * 86400)))
    preds = [
        h.customer_key == later._l_customer,
        h.conversation_id != later._l_conversation,
        later._l_arrival > h.arrival_ts,
        later._l_arrival <= h.arrival_ts + window,
    ]
    if p.fcr_same_reason:
        preds.append(
            h.disposition.isnull() | later._l_reason.isnull() | (h.disposition == later._l_reason)
        )
    repeated = h.semi_join(later, preds).select(_rep_id=h.contact_id).distinct()
    out = h.left_join(repeated, h.contact_id == repeated._rep_id)
    return out.select("_ts", "_queue", "_channel", "_agent", _repeat=out._rep_id.notnull())


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    a = aggregate_by(t, keys, fcr_handled=t.count(), _repeats=t.count(where=t._repeat))
    return a.mutate(
        fcr=ratio(a.fcr_handled - a._repeats, a.fcr_handled),
        repeat_rate=ratio(a._repeats, a.fcr_handled),
    ).drop("_repeats")


OUTCOME = Family(
    name="outcome",
    tables=("contacts",),
    dims=frozenset({"queue", "channel", "agent", "team"}),
    frame=_frame,
    aggregate=_aggregate,
)
