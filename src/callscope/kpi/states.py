"""Agent states: logged-in and not-ready time per bucket, and the ratios built on them.

``agent_states`` holds ``logged_in`` sessions and ``not_ready`` (aux, pause) spans
inside them. Spans are split at bucket edges (interval or day) so a session crossing
an interval boundary contributes to both. Unless grouping by queue, overlapping spans of
one agent in the same state (one session per queue membership, as Asterisk logs them)
are merged first, so an agent logged into three queues is not counted three times.
Span lengths are measured at 1-second resolution.

Ratios (computed after merging with :mod:`callscope.kpi.productivity`, whose handle
time is bucketed by answer time):

* contacts per hour = handled / (logged_in_s / 3600)
* occupancy = handle / (handle + available idle), with available idle = logged in -
  not ready - handle, i.e. total_handle_s / (logged_in_s - not_ready_s); QueueMetrics
  variant: total_talk_s / (logged_in_s + not_ready_s)
* utilization = total_handle_s / logged_in_s
* availability = (logged_in_s - not_ready_s - total_handle_s) / logged_in_s
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.grouping import split_spans
from callscope.kpi.params import KpiParams

__all__ = ["STATES", "derive_state_ratios", "merged_states"]


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


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    s = merged_states(tables["agent_states"], by_queue="queue" in extra["keys"])
    s = split_spans(s, "start_ts", "end_ts", step)
    return s.select(
        _ts=s._piece_start,
        _queue=s.queue,
        _channel=ibis.null().cast("string"),
        _agent=s.agent,
        state=s.state,
        _piece_s=s._piece_s,
    )


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    return aggregate_by(
        t,
        keys,
        logged_in_s=t._piece_s.sum(where=t.state == "logged_in").fill_null(0.0),
        not_ready_s=t._piece_s.sum(where=t.state == "not_ready").fill_null(0.0),
    )


def derive_state_ratios(m: Any, p: KpiParams) -> Any:
    """Add contacts per hour, occupancy, utilization and availability to the merged
    table ``m`` (needs ``handled``, ``total_handle_s``, ``total_talk_s``,
    ``logged_in_s``, ``not_ready_s``)."""
    handle = m.total_handle_s.fill_null(0.0)
    if p.occupancy_variant == "talk-over-session-plus-pause":
        occ = ratio(m.total_talk_s.fill_null(0.0), m.logged_in_s + m.not_ready_s)
    else:
        occ = ratio(handle, m.logged_in_s - m.not_ready_s)
    return m.mutate(
        contacts_per_hour=ratio(m.handled.fill_null(0) * 3600.0, m.logged_in_s),
        occupancy=occ,
        utilization=ratio(handle, m.logged_in_s),
        availability=ratio(m.logged_in_s - m.not_ready_s - handle, m.logged_in_s),
    )


STATES = Family(
    name="states",
    tables=("agent_states",),
    dims=frozenset({"queue", "agent", "team"}),
    frame=_frame,
    aggregate=_aggregate,
)
