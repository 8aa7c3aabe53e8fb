"""The live state: a pure reducer, ``apply(state, event, seq, config) -> state``.

The state holds every contact and agent the events named (persistent maps: an
:func:`apply` shares what it did not change with the state before it), the counts per
queue and day and per queue and minute of the day (of the queue entry, in the center's
time zone), and who waits in each queue. A contact's counts are a function of its own
events (:func:`callscope.live.contact.contribution`): each event takes the contact's
old contribution out and puts the new one in, so an answer that arrives before its
queued event is held and then counted once, and an event whose id the state has seen
changes nothing.

The counting rules are the batch KPIs' (``tests/live/test_parity.py`` replays a
synthetic day's ``queue_log`` and compares with ``callscope kpi`` per queue).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from callscope.live.agent import AgentView, agent_step
from callscope.live.contact import (
    ZERO,
    ContactView,
    Contribution,
    Counts,
    add_event,
    contribution,
)
from callscope.live.events import CLOSE_TYPES, Event
from callscope.live.pmap import PMap

__all__ = ["LiveConfig", "LiveState", "apply", "apply_all"]


@dataclass(frozen=True)
class LiveConfig:
    """The center's rules the reducer needs: its time zone (a ``ZoneInfo``), T of a
    contact by channel and queue (``threshold``), the short-abandon limit and the
    channel of a queue whose events name none (``channel_of``)."""

    tz: Any
    threshold: Callable[[str, str | None], float] = lambda channel, queue: 20.0
    short_abandon_s: float = 5.0
    channel_of: Callable[[str | None], str] = lambda queue: "voice"


@dataclass(frozen=True)
class LiveState:
    """Everything the events so far say (see the module docstring). ``seq`` is the
    sequence number of the last event applied."""

    seq: int = 0
    seen: PMap[str, int] = field(default_factory=PMap)
    contacts: PMap[str, ContactView] = field(default_factory=PMap)
    agents: PMap[str, AgentView] = field(default_factory=PMap)
    #: (day, queue) -> counts
    days: PMap[tuple[date, str], Counts] = field(default_factory=PMap)
    #: (day, queue, minute of the day) -> counts
    minutes: PMap[tuple[date, str, int], Counts] = field(default_factory=PMap)
    #: queue -> contact -> waiting since (POSIX seconds)
    waiting: PMap[str, PMap[str, float]] = field(default_factory=PMap)
    #: queue -> channel
    channels: PMap[str, str] = field(default_factory=PMap)
    held: int = 0  #: contacts with events but no start yet


def _contrib(v: ContactView | None, cfg: LiveConfig) -> Contribution | None:
    if v is None or v.start is None or v.start.queue is None:
        return None
    ch = v.channel or cfg.channel_of(v.start.queue)
    return contribution(
        v,
        tz=cfg.tz,
        threshold_s=cfg.threshold(ch, v.start.queue),
        short_abandon_s=cfg.short_abandon_s,
    )


_Tables = tuple[
    PMap[tuple[date, str], Counts],
    PMap[tuple[date, str, int], Counts],
    PMap[str, PMap[str, float]],
]


def _move(t: _Tables, old: Contribution | None, new: Contribution | None, contact: str) -> _Tables:
    """The day, minute and waiting tables with ``old`` taken out and ``new`` put in."""
    if old == new:
        return t
    days, minutes, waiting = t
    if (
        old is not None
        and new is not None
        and (old.day, old.queue, old.minute) == (new.day, new.queue, new.minute)
    ):
        k = (new.day, new.queue)
        days = days.set(k, days.get(k, ZERO).minus(old.counts).plus(new.counts))
        m = (new.day, new.queue, new.minute)
        minutes = minutes.set(m, minutes.get(m, ZERO).minus(old.counts).plus(new.counts))
        if old.waiting_since != new.waiting_since:
            q = waiting.get(new.queue, PMap())
            q = (
                q.delete(contact)
                if new.waiting_since is None
                else q.set(contact, new.waiting_since)
            )
            waiting = waiting.set(new.queue, q)
        return days, minutes, waiting
    if old is not None:
        k = (old.day, old.queue)
        days = days.set(k, days.get(k, ZERO).minus(old.counts))
        m = (old.day, old.queue, old.minute)
        minutes = minutes.set(m, minutes.get(m, ZERO).minus(old.counts))
        if old.waiting_since is not None:
            waiting = waiting.set(old.queue, waiting.get(old.queue, PMap()).delete(contact))
    if new is not None:
        k = (new.day, new.queue)
        days = days.set(k, days.get(k, ZERO).plus(new.counts))
        m = (new.day, new.queue, new.minute)
        minutes = minutes.set(m, minutes.get(m, ZERO).plus(new.counts))
        if new.waiting_since is not None:
            q = waiting.get(new.queue, PMap())
            waiting = waiting.set(new.queue, q.set(contact, new.waiting_since))
    return days, minutes, waiting


def apply(state: LiveState, event: Event, seq: int, config: LiveConfig) -> LiveState:
    """The state after ``event`` (made durable as number ``seq``). An id already seen
    returns ``state`` itself. (One new state is built per event, not one per changed
    field: ``dataclasses.replace`` was most of the reducer's time.)"""
    if event.id in state.seen:
        return state
    contacts, agents, channels, held = state.contacts, state.agents, state.channels, state.held
    tables: _Tables = (state.days, state.minutes, state.waiting)
    agent = event.agent
    if event.contact is not None and event.type != "agent.state":
        old = contacts.get(event.contact)
        new = add_event(old, event, seq)
        contacts = contacts.set(event.contact, new)
        tables = _move(tables, _contrib(old, config), _contrib(new, config), event.contact)
        held -= (old is not None and old.held) - new.held
        if new.queue is not None and new.queue not in channels:
            channels = channels.set(new.queue, new.channel or config.channel_of(new.queue))
        if agent is None and event.type in CLOSE_TYPES:
            agent = new.agent  # the agent on the contact, when the close names none
    if agent is not None:
        agents = agents.set(agent, agent_step(agents.get(agent), agent, event, seq))
    return LiveState(
        seq=seq,
        seen=state.seen.set(event.id, seq),
        contacts=contacts,
        agents=agents,
        days=tables[0],
        minutes=tables[1],
        waiting=tables[2],
        channels=channels,
        held=held,
    )


def apply_all(
    state: LiveState, events: Iterable[tuple[Event, int]], config: LiveConfig
) -> LiveState:
    """:func:`apply` of each ``(event, seq)`` in turn."""
    for e, seq in events:
        state = apply(state, e, seq, config)
    return state
