"""Chat and e-mail service: first response, response time and rate, typing speed.

From ``messages`` (turns of a conversation; ``contact_id`` is the conversation).
A customer message is *answered* by the first agent message of the same
conversation sent at or after it (ties in time: the customer message counts first).
A message belongs to the bucket of its ``sent_ts`` and to its own ``agent`` and
``channel``.

* first response time = first agent message at or after the conversation's first
  customer message - that message, seconds; mean over conversations with a reply.
* average response time = mean over answered customer messages of the delay to the
  next agent message, seconds.
* response rate = answered customer messages / customer messages.
* typing speed = characters of agent messages / (compose seconds / 60), over agent
  messages whose compose time is known and positive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.grouping import seconds_between
from callscope.kpi.params import KpiParams

__all__ = ["CHAT"]


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    m = tables["messages"]
    m = m.mutate(
        _is_cust=m.sender == "customer",
        _is_agent=m.sender == "agent",
        _rank=(m.sender == "customer").ifelse(0, 1),
    )
    # No message_id in the orderings: ties in time between messages of the same side
    # cannot change the next agent time, and sorting 30 M strings is what made this slow.
    # Messages later in time (agents after customers at the same second) come first in
    # this descending order, so "every earlier row" is "every later message": a
    # cumulative frame, cheaper than a "1 following .. unbounded following" one.
    after = ibis.window(
        group_by="contact_id",
        order_by=[ibis.desc("sent_ts"), ibis.desc("_rank")],
        rows=(None, -1),
    )
    first = ibis.window(group_by=["contact_id", "_is_cust"], order_by="sent_ts")
    m = m.mutate(
        _next_agent=m._is_agent.ifelse(m.sent_ts, ibis.null().cast("timestamp")).min().over(after),
        _nth=ibis.row_number().over(first),
    )
    delay = seconds_between(m.sent_ts, m._next_agent)
    compose_ok = m._is_agent & (m.compose_s > 0)
    return m.select(
        _ts=m.sent_ts,
        _queue=ibis.null().cast("string"),
        _channel=m.channel,
        _agent=m.agent,
        _is_cust=m._is_cust,
        _first=m._is_cust & (m._nth == 0),
        _delay=m._is_cust.ifelse(delay, ibis.null().cast("float64")),
        _chars=compose_ok.ifelse(m.chars.cast("float64"), ibis.null().cast("float64")),
        _compose=compose_ok.ifelse(m.compose_s, ibis.null().cast("float64")),
    )


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    a = aggregate_by(
        t,
        keys,
        customer_messages=t.count(where=t._is_cust),
        _answered=t.count(where=t._is_cust & t._delay.notnull()),
        first_response_s=t._delay.mean(where=t._first),
        avg_response_s=t._delay.mean(),
        _chars=t._chars.sum(),
        _compose=t._compose.sum(),
    )
    return a.mutate(
        response_rate=ratio(a._answered, a.customer_messages),
        typing_cpm=ratio(a._chars * 60.0, a._compose),
    ).drop("_answered", "_chars", "_compose")


CHAT = Family(
    name="chat",
    tables=("messages",),
    dims=frozenset({"channel", "agent", "team"}),
    frame=_frame,
    aggregate=_aggregate,
)
