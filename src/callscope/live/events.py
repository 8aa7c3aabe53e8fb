"""The live floor's events: what a feed says happened, typed and checked once.

A feed (``POST /api/v1/events``, the ``queue_log`` follower) sends JSON objects; each
becomes an :class:`Event` or is refused by itself with the field named
(:class:`EventError`). Every event has an ``id`` (re-sending an id changes nothing), a
``type`` and a timestamp ``ts`` (ISO 8601 with its offset, ``2026-01-12T09:30:05+01:00``
or ``...Z``, or POSIX seconds), and names the contact, queue, agent and channel as they
apply:

=======================  ==================================================================
type                     fields (* required)
=======================  ==================================================================
``contact.queued``       contact*, queue*, channel, customer, conversation, segment,
                         previous (the contact it was transferred from)
``contact.answered``     contact*, agent, wait_s (the source's own wait), rings
``contact.abandoned``    contact*, wait_s
``contact.ended``        contact*, agent, talk_s (the conversation ended after an answer)
``contact.transferred``  contact*, agent, talk_s, disposition (where to)
``contact.left``         contact*, reason* (``timeout``, ``exit_by_key``, ``exit_empty``;
                         ``blocked``: refused at the queue's entry, never offered: also
                         needs queue), wait_s
``agent.state``          agent*, state* (``logged_in``, ``available``, ``busy``,
                         ``after_call_work``, ``paused``, ``logged_out``), reason (the
                         pause reason), contact (the one a busy agent is on), queue
=======================  ==================================================================

Times are kept as POSIX seconds (``float``); the center's time zone turns them into its
days (:mod:`callscope.live.reducer`). A time must lie from 1970-01-01 to 2100-01-01, as
in the store (:mod:`callscope.store.domain`).

>>> e = parse_event({"id": "e1", "type": "contact.queued", "ts": "2026-01-12T08:00:00Z",
...                  "contact": "c1", "queue": "Sales"})
>>> e.ts, e.queue, e.channel
(1768204800.0, 'Sales', None)
>>> try:
...     parse_event({"id": "e2", "type": "contact.queued", "ts": 1768204800})
... except EventError as err:
...     err.field, str(err)
('contact', 'a contact.queued event needs contact')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any

from callscope.errors import CallscopeError
from callscope.model.outcome import CHANNELS

__all__ = [
    "AGENT_STATES",
    "CLOSE_TYPES",
    "CONTACT_TYPES",
    "EVENT_TYPES",
    "LEAVE_REASONS",
    "Event",
    "EventError",
    "event_dict",
    "parse_event",
]

CONTACT_TYPES = (
    "contact.queued",
    "contact.answered",
    "contact.abandoned",
    "contact.ended",
    "contact.transferred",
    "contact.left",
)
EVENT_TYPES = (*CONTACT_TYPES, "agent.state")
#: Events that end a contact's visit to its queue (the last one by time decides how).
CLOSE_TYPES = ("contact.abandoned", "contact.ended", "contact.transferred", "contact.left")
LEAVE_REASONS = ("timeout", "exit_by_key", "exit_empty", "blocked")
AGENT_STATES = ("logged_in", "available", "busy", "after_call_work", "paused", "logged_out")

#: Times callscope stores: [1970-01-01, 2100-01-01) (``store.domain.TIME_MIN/MAX``).
TS_MIN, TS_MAX = 0.0, 4102444800.0
_MAX_TEXT = 200
_REQUIRED: dict[str, tuple[str, ...]] = {
    "contact.queued": ("contact", "queue"),
    "contact.answered": ("contact",),
    "contact.abandoned": ("contact",),
    "contact.ended": ("contact",),
    "contact.transferred": ("contact",),
    "contact.left": ("contact", "reason"),
    "agent.state": ("agent", "state"),
}
_TEXT = (
    "contact",
    "queue",
    "agent",
    "channel",
    "state",
    "reason",
    "conversation",
    "previous",
    "customer",
    "disposition",
    "source",
)
_SECONDS = ("wait_s", "talk_s")
_INTS = ("segment", "rings", "line")


class EventError(CallscopeError):
    """One event refused: ``field`` names what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Event:
    """One checked event (see the module docstring for the fields of each type)."""

    id: str
    type: str
    ts: float  #: POSIX seconds
    contact: str | None = None
    queue: str | None = None
    agent: str | None = None
    channel: str | None = None
    state: str | None = None
    reason: str | None = None
    wait_s: float | None = None
    talk_s: float | None = None
    conversation: str | None = None
    segment: int | None = None
    previous: str | None = None
    customer: str | None = None
    disposition: str | None = None
    rings: int | None = None
    source: str | None = None  #: the file a follower read it from
    line: int | None = None  #: and its line there


_NAMES = tuple(f.name for f in fields(Event))
_VALUES = attrgetter(*_NAMES)  #: all the fields' values at once


def parse_ts(value: Any) -> float:
    """POSIX seconds of an ISO 8601 time with an offset, or of a number of seconds."""
    if isinstance(value, bool):
        raise EventError("ts is a time, not true/false", field="ts")
    if isinstance(value, str):
        return _text_ts(value)  # a feed's events share their times: read each once
    if isinstance(value, (int, float)):
        return _in_range(float(value), value)
    raise EventError(f"ts must be a time, not {type(value).__name__}", field="ts")


@lru_cache(maxsize=4096)
def _text_ts(value: str) -> float:
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise EventError(
            f"ts {value!r} is not a time; write ISO 8601 with its offset "
            "(2026-01-12T09:30:05+01:00 or ...Z) or POSIX seconds",
            field="ts",
        ) from None
    if dt.tzinfo is None:
        raise EventError(
            f"ts {value!r} has no offset; add one (Z for UTC, or +01:00) so the time "
            "is not ambiguous",
            field="ts",
        )
    return _in_range(dt.timestamp(), value)


def _in_range(ts: float, value: Any) -> float:
    if not (math.isfinite(ts) and TS_MIN <= ts < TS_MAX):
        raise EventError(
            f"ts {value!r} is outside the times callscope stores (1970-01-01 to 2100-01-01)",
            field="ts",
        )
    return ts


def parse_event(obj: Any) -> Event:
    """``obj`` (a decoded JSON object) as an :class:`Event`, or :class:`EventError`
    naming the first field that is wrong. Keys that are not fields are ignored."""
    if not isinstance(obj, dict):
        raise EventError(f"an event is a JSON object, not {type(obj).__name__}", field="event")
    eid = obj.get("id")
    if not isinstance(eid, str) or not eid.strip() or len(eid) > _MAX_TEXT:
        raise EventError(f"each event needs an id: text of 1 to {_MAX_TEXT} characters", field="id")
    typ = obj.get("type")
    if typ not in _REQUIRED:
        raise EventError(
            f"unknown event type {typ!r}; use one of {', '.join(EVENT_TYPES)}", field="type"
        )
    if "ts" not in obj or obj["ts"] is None:
        raise EventError(f"a {typ} event needs ts (its time)", field="ts")
    kw: dict[str, Any] = {"id": eid, "type": typ, "ts": parse_ts(obj["ts"])}
    for name in _TEXT:
        v = obj.get(name)
        if v is None:
            continue
        if not isinstance(v, str) or len(v) > _MAX_TEXT:
            raise EventError(f"{name} is text of at most {_MAX_TEXT} characters", field=name)
        if v.strip():
            kw[name] = v
    for name in _SECONDS:
        v = obj.get(name)
        if v is None:
            continue
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float))
            or not (math.isfinite(v) and 0 <= v <= 366 * 86400)
        ):
            raise EventError(f"{name} is seconds from 0 to 366 days; got {v!r}", field=name)
        kw[name] = float(v)
    for name in _INTS:
        v = obj.get(name)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**31:
            raise EventError(f"{name} is a whole number >= 0; got {v!r}", field=name)
        kw[name] = v
    for name in _REQUIRED[typ]:
        if kw.get(name) is None:
            raise EventError(f"a {typ} event needs {name}", field=name)
    ch = kw.get("channel")
    if ch is not None and ch not in CHANNELS:
        raise _error(f"unknown channel {ch!r}; use one of {', '.join(CHANNELS)}", "channel")
    if typ == "agent.state" and kw["state"] not in AGENT_STATES:
        raise EventError(
            f"unknown agent state {kw['state']!r}; use one of {', '.join(AGENT_STATES)}",
            field="state",
        )
    if typ == "contact.left":
        if kw["reason"] not in LEAVE_REASONS:
            raise EventError(
                f"unknown reason {kw['reason']!r} for contact.left; use one of "
                + ", ".join(LEAVE_REASONS),
                field="reason",
            )
        if kw["reason"] == "blocked" and kw.get("queue") is None:
            raise EventError("a contact blocked at a queue's entry needs queue", field="queue")
    return Event(**kw)


def _error(message: str, field: str) -> EventError:
    return EventError(message, field=field)


def event_dict(e: Event) -> dict[str, Any]:
    """``e`` as a JSON object (fields that are set only): what :func:`parse_event`
    reads back as the same event."""
    return {k: v for k, v in zip(_NAMES, _VALUES(e), strict=True) if v is not None}
