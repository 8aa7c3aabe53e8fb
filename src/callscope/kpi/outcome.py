"""Outcome: first-contact resolution (FCR), the repeat-contact rate and reported FCR.

The population is the handled (answered) contacts with a known ``customer_key``,
bucketed like agent-side KPIs (answering agent, answer time). A handled contact is a
*repeat* when the same customer made a further contact - any row of another
conversation, whatever its outcome - arriving after it and at most
``fcr_window_days`` later; with ``fcr_same_reason`` only a further contact whose
``disposition`` equals this one's counts, unless either reason is unknown.

Further contacts are looked for in the **whole store**, not only in the period being
reported (``--from``/``--to`` restrict the population, never the repeats it led to): a
day's FCR is the same whatever window it is queried in. A handled contact with no repeat
whose window has not closed by the **end of the data** (the last ``arrival_ts`` in the
store) is **pending**: nobody can tell yet whether the customer will call again, so it
is neither resolved nor a repeat. Pending contacts are counted (``fcr_pending``) and
left out of both ratios:

* FCR = (fcr_handled - fcr_pending - repeats) / (fcr_handled - fcr_pending).
* repeat-contact rate = repeats / (fcr_handled - fcr_pending) = 1 - FCR.

Reported FCR uses what the source itself says about a contact (``contacts.resolved``,
e.g. a ``Resolved`` Y/N column of a CSV export, filled by the agent or a post-call
question), on the handled contacts where it is known, whether or not the customer is:

* reported FCR = handled contacts with ``resolved`` true / handled contacts with a
  known ``resolved`` (``fcr_reported_handled``).

A survey-based FCR ("was your issue resolved?" answered in a survey) is
:mod:`callscope.kpi.surveys`' ``fcr_survey``.
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
    # the whole store's contacts (the engine passes them when ``c`` is a period's)
    store = extra.get("store_tables", {}).get("contacts", c)
    h = handled_frame(c).select(
        "_ts",
        "_queue",
        "_channel",
        "_agent",
        "_off",
        "contact_id",
        "conversation_id",
        "customer_key",
        "arrival_ts",
        "disposition",
        "resolved",
    )
    pop = h.filter(h.customer_key.notnull())
    later = store.filter(store.customer_key.notnull()).select(
        _l_customer=store.customer_key,
        _l_conversation=store.conversation_id,
        _l_arrival=store.arrival_ts,
        _l_reason=store.disposition,
    )
    window = ibis.interval(seconds=int(round(p.fcr_window_days * 86400)))
    # an equality join on the customer, then the other conditions as a filter: engines
    # hash-join on the key (DuckDB 1.5 ran the semi-join with every condition in it as a
    # nested loop: 27 s instead of 0.1 s on 200,000 contacts)
    pairs = pop.select("contact_id", "customer_key", "conversation_id", "arrival_ts", "disposition")
    pairs = pairs.inner_join(later, pairs.customer_key == later._l_customer)
    cond = (
        (pairs.conversation_id != pairs._l_conversation)
        & (pairs._l_arrival > pairs.arrival_ts)
        & (pairs._l_arrival <= pairs.arrival_ts + window)
    )
    if p.fcr_same_reason:
        cond &= (
            pairs.disposition.isnull()
            | pairs._l_reason.isnull()
            | (pairs.disposition == pairs._l_reason)
        )
    repeated = pairs.filter(cond).select(_rep_id=pairs.contact_id).distinct()
    data_end = store.aggregate(_data_end=store.arrival_ts.max())
    out = h.left_join(repeated, h.contact_id == repeated._rep_id).cross_join(data_end)
    in_pop = out.customer_key.notnull()
    repeat = out._rep_id.notnull()
    open_window = (out.arrival_ts + window > out._data_end).fill_null(False)
    return out.select(
        "_ts",
        "_queue",
        "_channel",
        "_agent",
        "_off",
        _in_pop=in_pop,
        _repeat=repeat,
        _pending=in_pop & ~repeat & open_window,
        _reported=out.resolved.notnull(),
        _resolved=out.resolved.fill_null(False),
    )


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    a = aggregate_by(
        t,
        keys,
        fcr_handled=t.count(where=t._in_pop),
        fcr_pending=t.count(where=t._pending),
        _repeats=t.count(where=t._repeat),
        fcr_reported_handled=t.count(where=t._reported),
        _resolved=t.count(where=t._resolved),
    )
    decided = a.fcr_handled - a.fcr_pending
    return a.mutate(
        fcr=ratio(decided - a._repeats, decided),
        repeat_rate=ratio(a._repeats, decided),
        fcr_reported=ratio(a._resolved, a.fcr_reported_handled),
    ).drop("_repeats", "_resolved")


OUTCOME = Family(
    name="outcome",
    tables=("contacts",),
    dims=frozenset({"queue", "channel", "agent", "team"}),
    frame=_frame,
    aggregate=_aggregate,
)
