"""Workforce KPIs: schedule adherence, conformance and shrinkage.

``schedules`` rows are non-overlapping activity segments of an agent's day (``work``,
``break``, ``lunch``, ``training``, ``meeting``, ``absence``). They are split at bucket
edges like agent states, and each piece is compared with the agent's (merged)
``agent_states``:

* adherence = time in the scheduled activity at the scheduled time / scheduled time.
  During ``work`` the agent adheres while logged in and not not-ready; during any
  other activity while logged out or not-ready.
* conformance = minutes worked / minutes scheduled (``KPIS.md``) = time worked /
  scheduled ``work`` time, with time worked = logged-in time - not-ready time, the time
  the agent was available for or handling contacts (``logged_in_s - not_ready_s``, the
  denominator of occupancy). Numerator and denominator count the same thing: breaks
  taken while logged in are not-ready time and are scheduled as ``break``, not
  ``work``, so they are in neither. Computed after the merge with
  :mod:`callscope.kpi.states`. Conformance is about amount, adherence about timing:
  working a full shift an hour late conforms (1.0) but does not adhere; it can still
  exceed 1 when an agent works more than scheduled (overtime).
* shrinkage = scheduled time not in ``work`` / scheduled time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.grouping import seconds_between, split_spans
from callscope.kpi.params import KpiParams
from callscope.kpi.states import merged_states

__all__ = ["WORKFORCE", "derive_conformance"]


def _overlap_s(a0: Any, a1: Any, b0: Any, b1: Any) -> Any:
    return seconds_between(ibis.greatest(a0, b0), ibis.least(a1, b1))


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    sch = tables["schedules"].select("agent", "activity", "start_ts", "end_ts")
    pieces = split_spans(sch, "start_ts", "end_ts", step)
    pieces = pieces.select("agent", "activity", "_piece_start", "_piece_end", "_piece_s")
    st = merged_states(tables["agent_states"], by_queue=False)
    st = st.select(_s_agent=st.agent, _s_state=st.state, _s_start=st.start_ts, _s_end=st.end_ts)
    j = pieces.left_join(
        st,
        [
            pieces.agent == st._s_agent,
            st._s_start < pieces._piece_end,
            st._s_end > pieces._piece_start,
        ],
    )
    ov = _overlap_s(j._piece_start, j._piece_end, j._s_start, j._s_end)
    per = j.group_by(["agent", "activity", "_piece_start", "_piece_end", "_piece_s"]).aggregate(
        _in_s=ov.sum(where=j._s_state == "logged_in").fill_null(0.0),
        _nr_s=ov.sum(where=j._s_state == "not_ready").fill_null(0.0),
    )
    work = per.activity == "work"
    adherent = work.ifelse(per._in_s - per._nr_s, per._piece_s - per._in_s + per._nr_s)
    return per.select(
        _ts=per._piece_start,
        _queue=ibis.null().cast("string"),
        _channel=ibis.null().cast("string"),
        _agent=per.agent,
        activity=per.activity,
        _piece_s=per._piece_s,
        _adherent_s=adherent,
    )


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    a = aggregate_by(
        t,
        keys,
        scheduled_s=t._piece_s.sum(),
        scheduled_work_s=t._piece_s.sum(where=t.activity == "work").fill_null(0.0),
        _adherent_s=t._adherent_s.sum(),
    )
    return a.mutate(
        adherence=ratio(a._adherent_s, a.scheduled_s),
        shrinkage=ratio(a.scheduled_s - a.scheduled_work_s, a.scheduled_s),
    ).drop("_adherent_s")


def derive_conformance(m: Any) -> Any:
    """Add conformance = (logged_in_s - not_ready_s) / scheduled_work_s to the merged
    table (time worked over scheduled work time, module docstring)."""
    return m.mutate(conformance=ratio(m.logged_in_s - m.not_ready_s, m.scheduled_work_s))


WORKFORCE = Family(
    name="workforce",
    tables=("schedules",),
    dims=frozenset({"agent", "team"}),
    frame=_frame,
    aggregate=_aggregate,
)
