"""Agent productivity from contacts: handled, talk, hold, ACW, AHT, transfers.

Agent-side KPIs group by the **answering agent** and the **answer time**
(``answer_ts``, falling back to queue entry, then arrival). A handled contact is an
answered one, inbound or outbound.

Unknown parts (null ``hold_s``/``acw_s``, e.g. Asterisk logs neither) are *unknown*, not
zero: means are over the contacts where the part is known, and a part unknown for
every contact of a group has a null mean and adds nothing to AHT.

* average talk / hold / ACW = mean of the part over handled contacts where known, s.
* AHT = sum(talk + hold + ACW) / handled, computed as mean talk + mean hold + mean
  ACW (identical when all parts are known), s.
* total handle = sum(talk + hold + ACW), unknown parts 0, s. Occupancy and utilization
  use busy time instead (:mod:`callscope.kpi.states`): summed handle time exceeds the
  wall clock when an agent handles chats concurrently.
* transfer rate = handled contacts the agent transferred onward / handled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.localtime import row_offset
from callscope.kpi.params import KpiParams
from callscope.model.outcome import Outcome

__all__ = ["PRODUCTIVITY", "handled_frame"]


def handled_frame(contacts: Any) -> Any:
    """Answered contacts anchored at answer time and answering agent."""
    c = contacts.filter(contacts.outcome == Outcome.ANSWERED.value)
    return c.mutate(
        _ts=c.answer_ts.coalesce(c.queue_entry_ts, c.arrival_ts),
        _queue=c.queue,
        _channel=c.channel,
        _agent=c.agent,
        _off=row_offset(c),
    )


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    c = handled_frame(tables["contacts"])
    return c.select(
        "_ts", "_queue", "_channel", "_agent", "_off", "talk_s", "hold_s", "acw_s", "transferred"
    )


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    handle = t.talk_s.fill_null(0.0) + t.hold_s.fill_null(0.0) + t.acw_s.fill_null(0.0)
    a = aggregate_by(
        t,
        keys,
        handled=t.count(),
        total_talk_s=t.talk_s.sum().fill_null(0.0),
        avg_talk_s=t.talk_s.mean(),
        avg_hold_s=t.hold_s.mean(),
        avg_acw_s=t.acw_s.mean(),
        total_handle_s=handle.sum(),
        _transferred=t.count(where=t.transferred),
    )
    aht = a.avg_talk_s.fill_null(0.0) + a.avg_hold_s.fill_null(0.0) + a.avg_acw_s.fill_null(0.0)
    known = a.avg_talk_s.notnull() | a.avg_hold_s.notnull() | a.avg_acw_s.notnull()
    aht = known.ifelse(aht, ibis.null().cast("float64"))
    return a.mutate(aht_s=aht, transfer_rate=ratio(a._transferred, a.handled)).drop("_transferred")


PRODUCTIVITY = Family(
    name="productivity",
    tables=("contacts",),
    dims=frozenset({"queue", "channel", "agent", "team"}),
    frame=_frame,
    aggregate=_aggregate,
)
