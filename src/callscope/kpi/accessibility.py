"""Accessibility (queue side): volume, service level, ASA, abandonment, waits.

A contact belongs to the bucket in which it **entered the queue** (``queue_entry_ts``;
``arrival_ts`` only for rows that never entered one, i.e. ``ivr_only``/``blocked``).
Only inbound contacts count. ``offered`` excludes ``ivr_only``, ``blocked`` and
``phantom`` (a record with no real caller).
A null ``wait_s`` is *unknown*: it is left out of means and never counts as within
a threshold (so it is neither a short abandon nor answered within T).

Formulas (``KPIS.md``, "Accessibility"):

* service level, variant ``offered`` (SL1) = answered within T / offered;
  ``short-abandon-excluded`` (SL2) = answered within T / (offered - short_abandoned);
  ``answered`` (SL3) = answered within T / answered;
  ``abandons-neutral`` (SL4) = answered within T / (offered - abandoned within T);
  ``removed-within-threshold`` (Amazon Connect) = (answered + abandoned + exit_by_key,
  each within T) / offered; ``answered-plus-abandoned`` (Genesys Cloud) = answered
  within T / (answered + abandoned [+ flow-outs] [- short abandons] [- abandons]).
* ASA = sum(wait of answered) / answered, seconds.
* abandonment rate = (abandoned - short) / (offered - short), or abandoned / offered.
* average time to abandon = mean(wait of abandoned, short ones excluded), seconds.
* longest wait = max(wait) of offered contacts, seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.params import KpiParams

__all__ = ["ACCESSIBILITY", "FLOWOUT_OUTCOMES", "NOT_OFFERED", "service_level_expr"]

#: Outcomes that never entered a queue.
NOT_OFFERED = ("ivr_only", "blocked", "phantom")
#: Ways out of a queue that are neither answer nor abandon (Genesys "flow-outs").
FLOWOUT_OUTCOMES = ("timeout", "exit_by_key", "exit_empty", "overflow", "transferred")


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    c = tables["contacts"]
    c = c.filter(c.direction == "inbound")
    return c.select(
        _ts=c.queue_entry_ts.coalesce(c.arrival_ts),
        _queue=c.queue,
        _channel=c.channel,
        _agent=c.agent,
        outcome=c.outcome,
        wait_s=c.wait_s,
    )


def service_level_expr(a: Any, p: KpiParams) -> Any:
    """The service-level ratio of variant ``p.sl_variant`` over the count columns of
    the aggregated table ``a``."""
    n = a.answered_within_t
    v = p.sl_variant
    if v == "offered":
        return ratio(n, a.offered)
    if v == "short-abandon-excluded":
        return ratio(n, a.offered - a.short_abandoned)
    if v == "answered":
        return ratio(n, a.answered)
    if v == "abandons-neutral":
        return ratio(n, a.offered - a._abandoned_within_t)
    if v == "removed-within-threshold":
        return ratio(n + a._abandoned_within_t + a._exit_by_key_within_t, a.offered)
    # answered-plus-abandoned (Genesys Cloud)
    den = a.answered + a.abandoned
    if p.sl_include_flowouts:
        den = den + a._flowouts
    if not p.sl_include_abandons:
        den = den - a.abandoned
    elif not p.sl_include_short_abandons:
        den = den - a.short_abandoned
    return ratio(n, den)


def _aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    off = t.outcome.notin(NOT_OFFERED)
    ans = off & (t.outcome == "answered")
    ab = off & (t.outcome == "abandoned")
    # Conditions on a nullable wait are made non-null (unknown wait: not within), also
    # because Ibis compiles count(where=...) on Spark to SUM(CAST(cond AS BIGINT)), which
    # is NULL when every row's condition is NULL.
    is_short = (t.wait_s <= p.short_abandon_s).fill_null(False)
    short = ab & is_short
    within = (t.wait_s <= p.sl_threshold_s).fill_null(False)
    long_ab = ab & ~is_short
    abandon_pop = long_ab if p.abandon_rate_excludes_short else ab
    a = aggregate_by(
        t,
        keys,
        arrived=t.count(),
        offered=t.count(where=off),
        answered=t.count(where=ans),
        abandoned=t.count(where=ab),
        short_abandoned=t.count(where=short),
        timeout=t.count(where=off & (t.outcome == "timeout")),
        exit_by_key=t.count(where=off & (t.outcome == "exit_by_key")),
        exit_empty=t.count(where=off & (t.outcome == "exit_empty")),
        overflow=t.count(where=off & (t.outcome == "overflow")),
        transferred_out=t.count(where=off & (t.outcome == "transferred")),
        blocked=t.count(where=t.outcome == "blocked"),
        ivr_only=t.count(where=t.outcome == "ivr_only"),
        phantom=t.count(where=t.outcome == "phantom"),
        answered_within_t=t.count(where=ans & within),
        _abandoned_within_t=t.count(where=ab & within),
        _exit_by_key_within_t=t.count(where=off & (t.outcome == "exit_by_key") & within),
        _flowouts=t.count(where=off & t.outcome.isin(FLOWOUT_OUTCOMES)),
        asa_s=t.wait_s.mean(where=ans),
        avg_time_to_abandon_s=t.wait_s.mean(where=abandon_pop),
        longest_wait_s=t.wait_s.max(where=off),
    )
    if p.abandon_rate_excludes_short:
        abandon_rate = ratio(a.abandoned - a.short_abandoned, a.offered - a.short_abandoned)
    else:
        abandon_rate = ratio(a.abandoned, a.offered)
    a = a.mutate(service_level=service_level_expr(a, p), abandon_rate=abandon_rate)
    return a.drop("_abandoned_within_t", "_exit_by_key_within_t", "_flowouts")


ACCESSIBILITY = Family(
    name="accessibility",
    tables=("contacts",),
    dims=frozenset({"queue", "channel", "agent", "team"}),
    frame=_frame,
    aggregate=_aggregate,
)
