"""Accessibility (queue side): volume, service level, ASA, abandonment, waits.

A contact belongs to the bucket in which it **entered the queue** (``queue_entry_ts``;
``arrival_ts`` only for rows that never entered one, i.e. ``ivr_only``/``blocked``).
Only inbound contacts count. ``offered`` excludes the outcomes of contacts that never
reached a queue (:data:`callscope.model.NOT_OFFERED`: ``ivr_only``, ``blocked`` and
``phantom``, a record with no real caller).
A null ``wait_s`` is *unknown*: it is left out of means and never counts as within
a threshold (so it is neither a short abandon nor answered within T).

**Grouping by queue.** A queue row is made of what reached that queue. A contact that
never reached a queue and has none (``ivr_only``, ``phantom``, or ``blocked`` before a
queue was chosen) forms no queue row: ``--by queue`` leaves it out, while the totals
and every grouping without ``queue`` count it as ``ivr_only``, ``phantom`` or
``blocked``. A call the source says was refused at a given queue's entry (``blocked``
with a queue) stays in that queue's row. Offered contacts are never left out, so the
queue rows add up to the totals for every offered-side count (``offered``,
``answered``, ``abandoned``, ``short_abandoned``, the flow-outs, ``answered_within_t``);
an offered contact whose source names no queue keeps a row with an empty queue rather
than vanish. ``arrived``, ``ivr_only``, ``phantom`` and ``blocked`` of the queue rows
count only the contacts that have a queue.

**T, the threshold of "within T"**, is the contact's own: ``sl_threshold_s``, or with
``sl_thresholds`` the rule of its channel and queue (:mod:`callscope.kpi.params`: a
queue rule beats a channel rule), so one service level judges voice within 20 s, chat
within 60 s and e-mail within 24 h. Every "within T" below (answered, abandoned,
exit-by-key) uses the row's T, which the frame computes once (``_sl_t``); with no rules
T is the literal ``sl_threshold_s`` and the frame has no such column.

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

import ibis

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.localtime import row_offset
from callscope.kpi.params import KpiParams
from callscope.model.outcome import FLOWOUTS, NOT_OFFERED, Outcome

__all__ = ["ACCESSIBILITY", "service_level_expr", "threshold_expr"]

# sorted: the same SQL text on every run
_NOT_OFFERED = sorted(NOT_OFFERED)
_FLOWOUTS = [str(o) for o in FLOWOUTS]


def _frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    c = tables["contacts"]
    c = c.filter(c.direction == "inbound")
    if "queue" in extra["keys"]:  # no queue row for contacts that never reached one
        c = c.filter(c.queue.notnull() | c.outcome.notin(_NOT_OFFERED))
    cols = {
        "_ts": c.queue_entry_ts.coalesce(c.arrival_ts),
        "_queue": c.queue,
        "_channel": c.channel,
        "_agent": c.agent,
        "_off": row_offset(c),
        "outcome": c.outcome,
        "wait_s": c.wait_s,
    }
    if p.sl_thresholds:
        cols["_sl_t"] = threshold_expr(c.channel, c.queue, p)
    return c.select(**cols)


def threshold_expr(channel: Any, queue: Any, p: KpiParams) -> Any:
    """T (seconds, float64) of each row, from its ``channel`` and ``queue`` columns: the
    first of :meth:`KpiParams.threshold_rules` that matches, else ``sl_threshold_s``.
    A null channel or queue matches no rule naming one (a null condition is not true)."""
    branches = []
    for ch, q, seconds in p.threshold_rules():
        if ch is not None and q is not None:
            cond = (channel == ch) & (queue == q)
        elif q is not None:
            cond = queue == q
        else:
            cond = channel == ch
        branches.append((cond, ibis.literal(seconds, "float64")))
    return ibis.cases(*branches, else_=ibis.literal(p.sl_threshold_s, "float64"))


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
    off = t.outcome.notin(_NOT_OFFERED)
    ans = off & (t.outcome == Outcome.ANSWERED.value)
    ab = off & (t.outcome == Outcome.ABANDONED.value)
    # Conditions on a nullable wait are made non-null (unknown wait: not within), also
    # because Ibis compiles count(where=...) on Spark to SUM(CAST(cond AS BIGINT)), which
    # is NULL when every row's condition is NULL.
    is_short = (t.wait_s <= p.short_abandon_s).fill_null(False)
    short = ab & is_short
    threshold = t._sl_t if p.sl_thresholds else p.sl_threshold_s
    within = (t.wait_s <= threshold).fill_null(False)
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
        timeout=t.count(where=off & (t.outcome == Outcome.TIMEOUT.value)),
        exit_by_key=t.count(where=off & (t.outcome == Outcome.EXIT_BY_KEY.value)),
        exit_empty=t.count(where=off & (t.outcome == Outcome.EXIT_EMPTY.value)),
        overflow=t.count(where=off & (t.outcome == Outcome.OVERFLOW.value)),
        transferred_out=t.count(where=off & (t.outcome == Outcome.TRANSFERRED.value)),
        blocked=t.count(where=t.outcome == Outcome.BLOCKED.value),
        ivr_only=t.count(where=t.outcome == Outcome.IVR_ONLY.value),
        phantom=t.count(where=t.outcome == Outcome.PHANTOM.value),
        answered_within_t=t.count(where=ans & within),
        _abandoned_within_t=t.count(where=ab & within),
        _exit_by_key_within_t=t.count(
            where=off & (t.outcome == Outcome.EXIT_BY_KEY.value) & within
        ),
        _flowouts=t.count(where=off & t.outcome.isin(_FLOWOUTS)),
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
