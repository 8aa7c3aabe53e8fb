"""Alerts of the live floor, from the center's settings (``[alerts]``): a pure function
of the day's figures (and, when schedules exist, each agent's adherence now).

=================  ==================================================================
kind               raised when
=================  ==================================================================
``sl``             a queue's service level over the last ``sl_window`` is under its
                   goal (only once someone left the queue in that window)
``longest_wait``   someone in a queue has waited longer than ``longest_wait``
``waiting``        more than ``waiting`` contacts wait in one queue
``paused``         an agent has been paused longer than ``paused``
``adherence``      an agent has been out of adherence for longer than the tolerance
=================  ==================================================================

Each alert has a ``key`` (kind and subject): the webhook is told when a key appears,
not again while it stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from callscope.live.snapshot import Snapshot

__all__ = ["Alert", "AlertRules", "Adherence", "alerts"]


@dataclass(frozen=True, slots=True)
class AlertRules:
    """The limits (``None``: that alert is off)."""

    sl_window_s: float | None = 1800.0
    longest_wait_s: float | None = 120.0
    waiting: int | None = 10
    paused_s: float | None = 900.0
    adherence: bool = True


@dataclass(frozen=True, slots=True)
class Adherence:
    """An agent out of adherence now: the scheduled activity, how (``kind``, as in
    :mod:`callscope.schedule.adherence`), since when."""

    activity: str | None
    kind: str | None
    since: float | None


@dataclass(frozen=True, slots=True)
class Alert:
    key: str
    kind: str
    subject: str
    message: str


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def _dur(s: float) -> str:
    s = int(s)
    return f"{s // 60}:{s % 60:02d}" if s < 3600 else f"{s // 3600} h {s % 3600 // 60:02d} min"


def alerts(
    snap: Snapshot, rules: AlertRules, out_of_adherence: Mapping[str, Adherence] | None = None
) -> list[Alert]:
    """The alerts standing at ``snap.as_of`` (see the module docstring)."""
    out: list[Alert] = []
    for q in snap.queues:
        sl, goal = q.recent_service_level, q.goal
        if rules.sl_window_s is not None and sl is not None and goal is not None and sl < goal:
            out.append(
                Alert(
                    f"sl:{q.queue}",
                    "sl",
                    q.queue,
                    f"{q.queue}: service level {_pct(sl)} over the last "
                    f"{rules.sl_window_s / 60:.0f} min, under the goal of {_pct(goal)}",
                )
            )
        w = q.longest_wait_s
        if rules.longest_wait_s is not None and w is not None and w > rules.longest_wait_s:
            out.append(
                Alert(
                    f"longest_wait:{q.queue}",
                    "longest_wait",
                    q.queue,
                    f"{q.queue}: a caller has waited {_dur(w)}, longer than "
                    f"{_dur(rules.longest_wait_s)}",
                )
            )
        if rules.waiting is not None and q.waiting > rules.waiting:
            out.append(
                Alert(
                    f"waiting:{q.queue}",
                    "waiting",
                    q.queue,
                    f"{q.queue}: {q.waiting} waiting, more than {rules.waiting}",
                )
            )
    for a in snap.agents:
        if (
            rules.paused_s is not None
            and a.state == "paused"
            and a.since is not None
            and snap.as_of - a.since > rules.paused_s
        ):
            why = f" ({a.reason})" if a.reason else ""
            out.append(
                Alert(
                    f"paused:{a.agent}",
                    "paused",
                    a.agent,
                    f"{a.agent} paused{why} for {_dur(snap.as_of - a.since)}, longer than "
                    f"{_dur(rules.paused_s)}",
                )
            )
    if rules.adherence:
        for agent, ad in sorted((out_of_adherence or {}).items()):
            since = f" for {_dur(snap.as_of - ad.since)}" if ad.since is not None else ""
            sched = f" (scheduled: {ad.activity})" if ad.activity else ""
            out.append(
                Alert(
                    f"adherence:{agent}",
                    "adherence",
                    agent,
                    f"{agent} out of adherence{since}: {(ad.kind or '').replace('_', ' ')}{sched}",
                )
            )
    return out
