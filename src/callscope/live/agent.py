"""One agent as the events tell it: the state now (latest by time), since when, the
pause reason, the contact they are on, and the spans the store keeps
(``agent_states``: ``logged_in`` sessions and ``not_ready`` pauses with their reason).

* ``agent.state`` sets the state; an event older than the agent's current state is
  late and changes nothing (the state is the latest by time).
* ``contact.answered`` naming the agent makes them ``busy`` on that contact; the end of
  that contact (ended, transferred, ...) makes them ``available`` again, unless a later
  state came in between.
* A session runs from the first state that is not ``logged_out`` to ``logged_out``; a
  pause from ``paused`` to the next other state (a second ``paused`` while paused keeps
  the first reason for the span, as the batch ingester merges per-queue pauses; the
  reason shown is the latest).
"""

from __future__ import annotations

from dataclasses import dataclass

from callscope.live.events import CLOSE_TYPES, Event
from callscope.live.evolve import evolve

__all__ = ["AgentView", "Span", "agent_step"]


@dataclass(frozen=True, slots=True)
class Span:
    """A finished span for ``agent_states``: ``logged_in`` or ``not_ready``."""

    agent: str
    state: str
    reason: str | None
    start: float
    end: float
    source: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class AgentView:
    agent: str
    state: str = "logged_out"
    since: float | None = None
    reason: str | None = None
    contact: str | None = None
    key: tuple[float, int] = (-1.0, -1)
    queues: frozenset[str] = frozenset()
    session_start: float | None = None
    session_src: tuple[str | None, int | None] = (None, None)
    pause_start: float | None = None
    pause_reason: str | None = None
    pause_src: tuple[str | None, int | None] = (None, None)
    spans: tuple[Span, ...] = ()


def _set_state(
    a: AgentView,
    state: str,
    e: Event,
    key: tuple[float, int],
    reason: str | None,
    contact: str | None,
) -> AgentView:
    spans = a.spans
    session, s_src = a.session_start, a.session_src
    pause, p_reason, p_src = a.pause_start, a.pause_reason, a.pause_src
    src = (e.source, e.line)
    if state == "logged_out":
        if pause is not None:
            spans += (Span(a.agent, "not_ready", p_reason, pause, e.ts, *p_src),)
        if session is not None:
            spans += (Span(a.agent, "logged_in", None, session, e.ts, *s_src),)
        session, pause, p_reason = None, None, None
    else:
        if session is None:
            session, s_src = e.ts, src
        if state == "paused":
            if pause is None:
                pause, p_reason, p_src = e.ts, reason, src
        elif pause is not None:
            spans += (Span(a.agent, "not_ready", p_reason, pause, e.ts, *p_src),)
            pause, p_reason = None, None
    same = state == a.state and reason == a.reason and contact == a.contact
    return evolve(
        a,
        state=state,
        since=a.since if same and a.since is not None else e.ts,
        reason=reason,
        contact=contact,
        key=key,
        session_start=session,
        session_src=s_src,
        pause_start=pause,
        pause_reason=p_reason,
        pause_src=p_src,
        spans=spans,
    )


def agent_step(a: AgentView | None, agent: str, e: Event, seq: int) -> AgentView:
    """The agent after ``e`` (an ``agent.state`` of theirs, or a contact event naming
    them)."""
    if a is None:
        a = AgentView(agent)
    key = (e.ts, seq)
    if e.queue is not None and e.queue not in a.queues:
        a = evolve(a, queues=a.queues | {e.queue})
    if key < a.key:
        return a  # late: the state now is the latest by time
    if e.type == "agent.state":
        state = e.state or "available"
        if state == "logged_in" and a.state != "logged_out":
            return a  # already in a session: a queue joined, nothing else
        return _set_state(
            a,
            state,
            e,
            key,
            e.reason if state in ("paused", "logged_out") else None,
            e.contact if state in ("busy", "after_call_work") else None,
        )
    if e.type == "contact.answered":
        return _set_state(a, "busy", e, key, None, e.contact)
    if e.type in CLOSE_TYPES and a.contact == e.contact and a.state == "busy":
        return _set_state(a, "available", e, key, None, None)
    return a
