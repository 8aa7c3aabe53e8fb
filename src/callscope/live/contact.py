"""One contact's visit to a queue, folded from its events, and what it adds to the
figures: the batch ingester's rules, event by event.

The rules are those of :mod:`callscope.ingest.asterisk` (one segment = one contact):

* the visit starts with ``contact.queued`` (or ``contact.left`` with reason
  ``blocked``: refused at the entry, never offered); events of a contact whose start
  has not come yet are **held**: kept, counted nowhere, until it comes;
* answered when any ``contact.answered`` came (the first one gives the agent and the
  wait: its ``wait_s``, else answer time - queue entry);
* otherwise the **last** closing event by time decides: ``contact.abandoned`` ->
  ``abandoned``, ``contact.left`` -> its reason (``timeout``, ``exit_by_key``,
  ``exit_empty``), ``contact.transferred`` or ``contact.ended`` with no answer ->
  ``transferred`` (the batch rule for a queue_log call closed with no CONNECT); the wait
  is the event's ``wait_s``, else close time - queue entry;
* an answered contact closed by a transfer is ``transferred`` = true; its talk time
  is the last closing event's ``talk_s``.

What a contact adds to its queue's figures is a function of its fold alone
(:func:`contribution`), so a late or repeated event replaces the old contribution
instead of adding to it: out-of-order events are reconciled, never counted twice.
Events are ordered by ``(ts, seq)``, ``seq`` being the order the server made them
durable in (for a ``queue_log``, its line order), as the batch orders by line.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import add, sub
from typing import Any, NamedTuple

from callscope.live.events import Event
from callscope.live.evolve import evolve

__all__ = ["ContactView", "Contribution", "Counts", "add_event", "contribution", "outcome_of"]

_OFFERED_OUT = ("blocked",)
_FLOWOUTS = ("timeout", "exit_by_key", "exit_empty", "transferred")


class Counts(NamedTuple):
    """Counts of contacts (of a queue, a day, a minute): what the batch KPIs count.
    ``decided`` are offered contacts that left the queue (answered or gone); the live
    service level is judged on them, so a caller still waiting is not yet a miss."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_within_t: int = 0
    abandoned_within_t: int = 0
    exit_by_key_within_t: int = 0
    flowouts: int = 0
    decided: int = 0
    blocked: int = 0

    def plus(self, other: Counts) -> Counts:
        return Counts._make(map(add, self, other))

    def minus(self, other: Counts) -> Counts:
        return Counts._make(map(sub, self, other))


ZERO = Counts()


@dataclass(frozen=True, slots=True)
class ContactView:
    """A contact as its events so far tell it (``events``: ``((ts, seq), event)``
    sorted)."""

    contact: str
    events: tuple[tuple[tuple[float, int], Event], ...] = ()
    start: Event | None = None
    answer: Event | None = None
    close: Event | None = None
    close_key: tuple[float, int] | None = None
    channel: str | None = None
    customer: str | None = None
    conversation: str | None = None
    segment: int | None = None
    previous: str | None = None

    @property
    def queue(self) -> str | None:
        return self.start.queue if self.start is not None else None

    @property
    def held(self) -> bool:
        """Events came but not its start: counted nowhere yet."""
        return self.start is None

    @property
    def blocked(self) -> bool:
        return self.start is not None and self.start.type == "contact.left"

    @property
    def closed(self) -> bool:
        """Its visit to the queue is over (with an outcome the store can keep)."""
        return self.start is not None and self.close is not None

    @property
    def waiting(self) -> bool:
        return self.start is not None and self.answer is None and self.close is None

    @property
    def wait_s(self) -> float | None:
        """The batch rule: the answer's logged wait, else answer - entry; unanswered:
        the closing event's logged wait, else close - entry."""
        s = self.start
        if s is None or self.blocked:
            return None
        if self.answer is not None:
            w = self.answer.wait_s
            return w if w is not None else max(0.0, self.answer.ts - s.ts)
        if self.close is not None:
            w = self.close.wait_s
            return w if w is not None else max(0.0, self.close.ts - s.ts)
        return None

    @property
    def agent(self) -> str | None:
        if self.answer is None:
            return None
        return self.answer.agent or (self.close.agent if self.close is not None else None)

    @property
    def transferred(self) -> bool:
        return (
            self.answer is not None
            and self.close is not None
            and self.close.type == "contact.transferred"
        )


def outcome_of(v: ContactView) -> str | None:
    """The contact's outcome (:mod:`callscope.model.outcome`), ``None`` while it waits
    or is held."""
    if v.start is None:
        return None
    if v.blocked:
        return "blocked"
    if v.answer is not None:
        return "answered"
    c = v.close
    if c is None:
        return None
    if c.type == "contact.abandoned":
        return "abandoned"
    if c.type == "contact.left":
        return c.reason
    return "transferred"  # contact.transferred, or contact.ended with no answer


def _first(a: str | None, b: str | None) -> str | None:
    return a if a is not None else b


def _step(
    v: ContactView, e: Event, key: tuple[float, int], events: tuple[Any, ...] | None = None
) -> ContactView:
    """``v`` after ``e``, which sorts after every event ``v`` holds (and with
    ``events``, when given, as its events)."""
    changes: dict[str, object] = {} if events is None else {"events": events}
    t = e.type
    if v.start is None and (
        t == "contact.queued" or (t == "contact.left" and e.reason == "blocked")
    ):
        changes["start"] = e
    if t == "contact.answered" and v.answer is None:
        changes["answer"] = e
    if t in ("contact.abandoned", "contact.ended", "contact.transferred", "contact.left"):
        changes["close"] = e
        changes["close_key"] = key
    for name, val in (
        ("channel", e.channel),
        ("customer", e.customer),
        ("conversation", e.conversation),
        ("previous", e.previous),
    ):
        if val is not None and getattr(v, name) is None:
            changes[name] = val
    if e.segment is not None and v.segment is None:
        changes["segment"] = e.segment
    return evolve(v, **changes) if changes else v  # type: ignore[arg-type]


def add_event(v: ContactView | None, e: Event, seq: int) -> ContactView:
    """The contact after ``e`` (``seq``: its place in the durable order). An event
    older than the latest one held refolds the contact from its sorted events."""
    key = (e.ts, seq)
    if v is None:
        v = ContactView(e.contact or "")
    if not v.events or key >= v.events[-1][0]:
        return _step(v, e, key, (*v.events, (key, e)))
    evs = list(v.events)
    insort(evs, (key, e), key=lambda x: x[0])
    out = ContactView(v.contact)
    for k, ev in evs:
        out = _step(out, ev, k)
    return evolve(out, events=tuple(evs))


class Contribution(NamedTuple):
    """What one contact adds: to ``queue`` on ``day`` at ``minute`` (of its queue
    entry, in the center's time zone), its counts, and since when it waits. (A tuple:
    two are made per event, and a tuple is made several times faster than a frozen
    dataclass.)"""

    day: date
    queue: str
    minute: int
    counts: Counts
    waiting_since: float | None


@lru_cache(maxsize=8192)
def _local_minute(ts: float, tz: Any) -> tuple[date, int]:
    """The day and minute of the day of ``ts`` in ``tz`` (each contact's are asked for
    twice an event: before it and after it)."""
    local = datetime.fromtimestamp(ts, tz)
    return local.date(), local.hour * 60 + local.minute


def contribution(
    v: ContactView | None,
    *,
    tz: object,
    threshold_s: float,
    short_abandon_s: float,
) -> Contribution | None:
    """The counts ``v`` adds to its queue (``None``: held, nothing). ``threshold_s`` is
    T of the contact's channel and queue; ``tz`` the center's ``ZoneInfo``."""
    if v is None or v.start is None or v.start.queue is None:
        return None
    day, minute = _local_minute(v.start.ts, tz)
    out = outcome_of(v)
    if out == "blocked":
        return Contribution(day, v.start.queue, minute, Counts(blocked=1), None)
    w = v.wait_s
    within = w is not None and w <= threshold_s
    answered = out == "answered"
    abandoned = out == "abandoned"
    counts = Counts(
        offered=1,
        answered=int(answered),
        abandoned=int(abandoned),
        short_abandoned=int(abandoned and w is not None and w <= short_abandon_s),
        answered_within_t=int(answered and within),
        abandoned_within_t=int(abandoned and within),
        exit_by_key_within_t=int(out == "exit_by_key" and within),
        flowouts=int(out in _FLOWOUTS),
        decided=int(out is not None),
    )
    return Contribution(day, v.start.queue, minute, counts, v.start.ts if v.waiting else None)
