"""The live figures of one day: per queue offered, answered, abandoned, answered within
T, service level, waiting now, longest wait now (and the service level of the last
minutes); per agent the state, since when, the pause reason and the contact.

**Service level** follows the center's variant (``kpi.sl_variant``, the preset's
switches; the same formulas as :func:`callscope.kpi.accessibility.service_level_expr`)
over the contacts that have **left the queue** (``decided``: answered or gone), so a
caller still waiting is not yet a miss. At the end of the day nobody waits, and the
figure is ``callscope kpi``'s.

>>> c = Counts(offered=10, answered=8, abandoned=2, short_abandoned=1,
...            answered_within_t=6, decided=10)
>>> service_level(c, SlRule("offered")), service_level(c, SlRule("answered"))
(0.6, 0.75)
>>> round(service_level(c, SlRule("short-abandon-excluded")), 4)
0.6667
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from callscope.live.contact import ZERO, Counts
from callscope.live.reducer import LiveState

__all__ = ["AgentRow", "QueueRow", "SlRule", "Snapshot", "service_level", "snapshot"]


@dataclass(frozen=True, slots=True)
class SlRule:
    """The service-level variant and the Genesys Cloud switches (``KpiParams``)."""

    variant: str = "offered"
    include_flowouts: bool = False
    include_short_abandons: bool = False
    include_abandons: bool = True


def service_level(c: Counts, rule: SlRule) -> float | None:
    """The service level of ``c``'s decided contacts by ``rule`` (``None``: none)."""
    n = c.answered_within_t
    off = c.decided  # offered contacts that left the queue
    v = rule.variant
    if v == "offered":
        num, den = n, off
    elif v == "short-abandon-excluded":
        num, den = n, off - c.short_abandoned
    elif v == "answered":
        num, den = n, c.answered
    elif v == "abandons-neutral":
        num, den = n, off - c.abandoned_within_t
    elif v == "removed-within-threshold":
        num, den = n + c.abandoned_within_t + c.exit_by_key_within_t, off
    else:  # answered-plus-abandoned (Genesys Cloud)
        den = c.answered + c.abandoned
        if rule.include_flowouts:
            den += c.flowouts
        if not rule.include_abandons:
            den -= c.abandoned
        elif not rule.include_short_abandons:
            den -= c.short_abandoned
        num = n
    return num / den if den > 0 else None


@dataclass(frozen=True, slots=True)
class QueueRow:
    queue: str
    channel: str
    offered: int
    answered: int
    abandoned: int
    answered_within_threshold: int
    service_level: float | None
    waiting: int
    longest_wait_s: float | None
    threshold_s: float
    goal: float | None  #: the goal's share (0.8 of 80/20)
    recent_window_s: float
    recent_offered: int
    recent_service_level: float | None  #: of the last ``recent_window_s``
    short_abandoned: int
    blocked: int
    agents: dict[str, int]  #: agents of this queue by state


@dataclass(frozen=True, slots=True)
class AgentRow:
    agent: str
    state: str
    since: float | None
    reason: str | None
    contact: str | None
    queues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    as_of: float  #: POSIX seconds
    day: date
    seq: int  #: the last event applied
    queues: tuple[QueueRow, ...]
    agents: tuple[AgentRow, ...]
    held: int  #: contacts whose first event has not come yet


def _sum(counts: Iterable[Counts]) -> Counts:
    out = ZERO
    for c in counts:
        out = out.plus(c)
    return out


def snapshot(
    state: LiveState,
    day: date,
    now: float,
    *,
    tz: object,
    sl: SlRule,
    threshold: Callable[[str, str | None], float],
    goal: Callable[[str, str], float | None],
    recent_s: float = 1800.0,
    agent_filter: Callable[[str], bool] | None = None,
) -> Snapshot:
    """The figures of ``day`` as of ``now`` (waits run to ``now``; the last
    ``recent_s`` end at ``now``, in the center's time zone ``tz``)."""
    local = datetime.fromtimestamp(now, tz)  # type: ignore[arg-type]
    now_min = local.hour * 60 + local.minute if local.date() == day else 24 * 60
    first_min = now_min - int(recent_s // 60) + 1
    queues: dict[str, Counts] = {}
    for (d, q), c in state.days.items():
        if d == day:
            queues[q] = c
    agents = [a for a in state.agents.values() if agent_filter is None or agent_filter(a.agent)]
    rows = []
    for q in sorted(queues):
        c = queues[q]
        ch = state.channels.get(q, "voice")
        recent = _sum(
            state.minutes.get((day, q, m), ZERO) for m in range(max(0, first_min), now_min + 1)
        )
        waits = state.waiting.get(q)
        waiting_since = [t for t in waits.values()] if waits else []
        by_state: dict[str, int] = {}
        for a in agents:
            if q in a.queues and a.state != "logged_out":
                by_state[a.state] = by_state.get(a.state, 0) + 1
        rows.append(
            QueueRow(
                queue=q,
                channel=ch,
                offered=c.offered,
                answered=c.answered,
                abandoned=c.abandoned,
                answered_within_threshold=c.answered_within_t,
                service_level=service_level(c, sl),
                waiting=len(waiting_since),
                longest_wait_s=max(0.0, now - min(waiting_since)) if waiting_since else None,
                threshold_s=threshold(ch, q),
                goal=goal(ch, q),
                recent_window_s=recent_s,
                recent_offered=recent.offered,
                recent_service_level=service_level(recent, sl),
                short_abandoned=c.short_abandoned,
                blocked=c.blocked,
                agents=by_state,
            )
        )
    agent_rows = tuple(
        AgentRow(a.agent, a.state, a.since, a.reason, a.contact, tuple(sorted(a.queues)))
        for a in sorted(agents, key=lambda a: a.agent)
    )
    return Snapshot(now, day, state.seq, tuple(rows), agent_rows, state.held)
