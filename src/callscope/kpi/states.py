"""Agent states and busy time: logged-in, not-ready and busy time per bucket, and the
ratios built on them.

``agent_states`` holds ``logged_in`` sessions and ``not_ready`` (aux, pause) spans
inside them. **Busy spans** come from handled contacts: an agent handles a contact from
``answer_ts`` to ``end_ts`` (talk + hold; ``tables.py``: the segment ends at hang-up or
transfer) and then does its after-call work, so the span is ``[answer_ts, end_ts +
acw_s]`` (``answer_ts + talk_s + hold_s`` where ``end_ts`` is unknown; unknown parts 0).

All spans are split at bucket edges (interval or day), so a session or a contact crossing
an interval boundary contributes to both buckets. Overlapping spans of one agent in the
same state are merged first (gaps and islands, with window functions), per queue as well
when grouping by queue:

* an agent logged into three queues (one session per membership, as Asterisk logs
  them) is not counted three times;
* a chat agent handling 2-3 chats at once (``agents.max_chats``) is busy for the
  *union* of the chats' spans, the time they handled at least one contact, not for the
  sum of the chats' handle times (which exceeds the wall clock).

For voice, where one agent's contacts never overlap, ``busy_s`` equals the total handle
time (``total_handle_s``, when ``end_ts = answer_ts + talk + hold`` as the model docs
and the ingesters set it) except that it is placed in the buckets when the work was done
rather than in the bucket of the answer, so per-interval occupancy cannot pass 100 %
when a long call was answered in the interval. By queue, an agent's contacts are merged
per queue (like the per-queue sessions). Span lengths are exact to the microsecond.

Ratios (``KPIS.md``, agent productivity; computed after merging with
:mod:`callscope.kpi.productivity`):

* contacts per hour = handled / (logged_in_s / 3600)
* occupancy = handle time / (handle time + available idle time), with handle time the
  busy time (for concurrent chats: the time the agent was handling at least one
  contact) and available idle = logged in - not ready - busy, i.e.
  ``busy_s / (logged_in_s - not_ready_s)`` (not-ready time excluded, ``KPIS.md``);
  QueueMetrics variant: ``total_talk_s / (logged_in_s + not_ready_s)``
* utilization ("actual work rate") = busy_s / logged_in_s
* availability = available idle / logged in = (logged_in_s - not_ready_s - busy_s) /
  logged_in_s

By queue, the state KPIs need the queue of every ``agent_states`` row: sources that log
sessions without one (Asterisk agent logins) cannot say which queue the logged-in time
served, so the family is skipped for queue groupings on such data (see
:attr:`callscope.kpi.family.Family.queue_table`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.grouping import split_spans
from callscope.kpi.localtime import ZoneRules, row_offset
from callscope.kpi.params import KpiParams
from callscope.model.outcome import Outcome

__all__ = ["STATES", "busy_spans", "derive_state_ratios", "merged_states"]


def merged_states(states: Any, by_queue: bool) -> Any:
    """``agent, state, queue, start_ts, end_ts`` with overlapping spans of the same
    agent and state merged (per queue too when ``by_queue``)."""
    part = ["agent", "state"] + (["queue"] if by_queue else [])
    s = states.select("agent", "state", "queue", "start_ts", "end_ts")
    if not by_queue:
        s = s.mutate(queue=ibis.null().cast("string"))
    before = ibis.window(group_by=part, order_by=["start_ts", "end_ts"], rows=(None, -1))
    upto = ibis.window(group_by=part, order_by=["start_ts", "end_ts"], rows=(None, 0))
    s = s.mutate(_prev_end=s.end_ts.max().over(before))
    s = s.mutate(_new=(s._prev_end.isnull() | (s.start_ts > s._prev_end)).ifelse(1, 0))
    s = s.mutate(_island=s._new.sum().over(upto))
    return (
        s.group_by([*part, "_island"] + ([] if by_queue else ["queue"]))
        .aggregate(start_ts=s.start_ts.min(), end_ts=s.end_ts.max())
        .drop("_island")
    )


def busy_spans(contacts: Any) -> Any:
    """``agent, state='busy', queue, start_ts, end_ts``: one span per handled contact with
    a known agent, from the answer to the end of its after-call work (module docstring).
    """
    c = contacts.filter((contacts.outcome == Outcome.ANSWERED.value) & contacts.agent.notnull())
    start = c.answer_ts.coalesce(c.queue_entry_ts, c.arrival_ts)
    talk_hold = _us(c.talk_s.fill_null(0.0) + c.hold_s.fill_null(0.0))
    end = c.end_ts.coalesce(start + talk_hold) + _us(c.acw_s.fill_null(0.0))
    return c.select(
        agent=c.agent,
        state=ibis.literal("busy", "string"),
        queue=c.queue,
        start_ts=start,
        end_ts=end,
        _off=row_offset(c),
    )


def _us(seconds: Any) -> Any:
    """A float number of seconds as an interval (microsecond resolution)."""
    return (seconds * 1e6).round().cast("int64").as_interval("us")


def _nullable(t: Any) -> Any:
    """``t`` with every column nullable (set operations need equal schemas)."""
    return t.select(*(t[c].cast(typ.copy(nullable=True)).name(c) for c, typ in t.schema().items()))


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    zone = extra.get("zone")
    st = tables["agent_states"]
    st = st.select("agent", "state", "queue", "start_ts", "end_ts", _off=row_offset(st))
    spans = ibis.union(
        *(_nullable(t) for t in (st, busy_spans(tables["contacts"]))), distinct=False
    )
    if zone is not None:
        spans = _at_instants(spans, zone)
    s = merged_states(spans.drop("_off"), by_queue="queue" in extra["keys"])
    s = _at_local(s, zone) if zone is not None else s.mutate(_off=ibis.null().cast("int32"))
    s = split_spans(s, "start_ts", "end_ts", step)
    return s.select(
        _ts=s._piece_start,
        _queue=s.queue,
        _channel=ibis.null().cast("string"),
        _agent=s.agent,
        _off=s._off,
        state=s.state,
        _piece_s=s._piece_s,
    )


def _at_instants(spans: Any, zone: ZoneRules) -> Any:
    """Spans with their times as UTC instants (each row's ``_off`` taken off), so spans
    written at different offsets (before and after a change of clocks) merge right."""
    off = spans._off.coalesce(zone.offset_at_wall(spans.start_ts)).cast("int64")
    return spans.mutate(
        start_ts=spans.start_ts - off.as_interval("s"), end_ts=spans.end_ts - off.as_interval("s")
    )


def _at_local(spans: Any, zone: ZoneRules) -> Any:
    """Merged spans of UTC instants written at the zone's offset at their start."""
    at = zone.offset_at_utc(spans.start_ts)
    shift = at.cast("int64").as_interval("s")
    return spans.mutate(start_ts=spans.start_ts + shift, end_ts=spans.end_ts + shift, _off=at)


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    return aggregate_by(
        t,
        keys,
        logged_in_s=t._piece_s.sum(where=t.state == "logged_in").fill_null(0.0),
        not_ready_s=t._piece_s.sum(where=t.state == "not_ready").fill_null(0.0),
        busy_s=t._piece_s.sum(where=t.state == "busy").fill_null(0.0),
    )


def derive_state_ratios(m: Any, p: KpiParams) -> Any:
    """Add contacts per hour, occupancy, utilization and availability to the merged
    table ``m`` (needs ``handled``, ``total_talk_s``, ``logged_in_s``, ``not_ready_s``,
    ``busy_s``); formulas in the module docstring."""
    busy = m.busy_s.fill_null(0.0)
    if p.occupancy_variant == "talk-over-session-plus-pause":
        occ = ratio(m.total_talk_s.fill_null(0.0), m.logged_in_s + m.not_ready_s)
    else:
        occ = ratio(busy, m.logged_in_s - m.not_ready_s)
    return m.mutate(
        contacts_per_hour=ratio(m.handled.fill_null(0) * 3600.0, m.logged_in_s),
        occupancy=occ,
        utilization=ratio(busy, m.logged_in_s),
        availability=ratio(m.logged_in_s - m.not_ready_s - busy, m.logged_in_s),
    )


STATES = Family(
    name="states",
    tables=("agent_states",),
    dims=frozenset({"queue", "agent", "team"}),
    queue_table="agent_states",
    frame=_frame,
    aggregate=_aggregate,
)
