"""Asterisk ``queue_log`` lines as live events, with the batch ingester's rules
(:mod:`callscope.ingest.asterisk`), one line at a time.

A :class:`QueueLogTranslator` follows one log (across its rotations): each line gives
zero or more :class:`~callscope.live.events.Event` and, when it cannot be read, a
reject with the batch ingester's reason. It numbers each call's segments as the batch
does (every ENTERQUEUE, FULL, JOINEMPTY or JOINUNAVAIL of a uniqueid opens the next:
contact ``ast:<uniqueid>:<n>``, conversation ``ast:<uniqueid>``), so a contact finished
live has the key, queue, times, wait, talk, agent and outcome that ``callscope ingest``
gives the same call. It is deterministic: the server journals the raw lines and
replays them through a new translator after a restart.

=====================================  ======================================================
line                                   event
=====================================  ======================================================
ENTERQUEUE                             contact.queued (customer: the caller id)
FULL, JOINEMPTY, JOINUNAVAIL           contact.left, reason blocked (never offered)
CONNECT                                contact.answered (wait_s: holdtime; rings: the
                                       RINGNOANSWERs before it + 1)
COMPLETEAGENT, COMPLETECALLER          contact.ended (talk_s: calltime)
TRANSFER, BLINDTRANSFER,               contact.transferred (talk_s: calltime; disposition:
ATTENDEDTRANSFER                       the event and the extension)
ABANDON                                contact.abandoned (wait_s: waittime)
EXITWITHTIMEOUT, EXITWITHKEY,          contact.left: timeout, exit_by_key, exit_empty
EXITEMPTY                              (wait_s: waittime)
AGENTLOGIN, ADDMEMBER (first queue)    agent.state logged_in
AGENTLOGOFF, REMOVEMEMBER (last)       agent.state logged_out
PAUSE, PAUSEALL / UNPAUSE, UNPAUSEALL  agent.state paused (reason) / available
=====================================  ======================================================

>>> t = QueueLogTranslator("queue_log")
>>> [e.type for e in t.line("1767597855|17.3|Sales|NONE|ENTERQUEUE||+4471", 1).events]
['contact.queued']
>>> e = t.line("1767597862|17.3|Sales|Agent/7|CONNECT|7|17.9|3", 2).events[0]
>>> e.contact, e.agent, e.wait_s
('ast:17.3:1', 'Agent/7', 7.0)
>>> t.line("1767597870|17.3|Sales|Agent/7|BOGUS|", 3).reject
'unknown queue_log event BOGUS (not one of the events in the Asterisk Queue Logs documentation)'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callscope.live.events import TS_MAX, TS_MIN, Event

__all__ = ["Line", "QueueLogTranslator"]

_STARTS = ("ENTERQUEUE", "FULL", "JOINEMPTY", "JOINUNAVAIL")
_TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
_LEFT = {"EXITWITHTIMEOUT": "timeout", "EXITWITHKEY": "exit_by_key", "EXITEMPTY": "exit_empty"}
_CALL = (
    *_STARTS,
    "CONNECT",
    "RINGNOANSWER",
    "RINGCANCELED",
    "COMPLETEAGENT",
    "COMPLETECALLER",
    *_TRANSFERS,
    "ABANDON",
    *_LEFT,
)
_STATE = (
    "AGENTLOGIN",
    "AGENTLOGOFF",
    "AGENTCALLBACKLOGIN",
    "AGENTCALLBACKLOGOFF",
    "ADDMEMBER",
    "REMOVEMEMBER",
    "PAUSE",
    "UNPAUSE",
    "PAUSEALL",
    "UNPAUSEALL",
)
_IGNORED = (
    "QUEUESTART",
    "CONFIGRELOAD",
    "SYSCOMPAT",
    "DID",
    "INFO",
    "AGENTDUMP",
    "ENTERQUEUE_ATTEMPT",
    "MIXMONITOR",
    "REPLACEDAGENT",
    "ATTENDEDTRANSFERED",
    "QUEUEEND",
)
_KNOWN = frozenset(_CALL + _STATE + _IGNORED)


@dataclass(frozen=True, slots=True)
class Line:
    """What one line gave: events, or the reason it was rejected."""

    events: tuple[Event, ...] = ()
    reject: str | None = None


def _num(text: str | None) -> float | None:
    try:
        v = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    if v is None or v != v or v < 0 or v > 366 * 86400:
        return None
    return v


@dataclass
class _Agent:
    login: bool = False
    members: set[str] = field(default_factory=set)
    paused: bool = False

    @property
    def on(self) -> bool:
        return self.login or bool(self.members)


class QueueLogTranslator:
    """Lines of one followed ``queue_log`` (``name``: how events and rejects name the
    file) -> events (see the module docstring)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._seg: dict[str, int] = {}
        self._rings: dict[str, int] = {}
        self._orphans: set[str] = set()
        self._agents: dict[str, _Agent] = {}

    def line(self, raw: str, number: int, key: str | None = None) -> Line:
        """The events of line ``number`` (1-based), text ``raw`` (without its newline);
        ``key`` is the id of its event (default ``ql:<name>:<number>``)."""
        text = raw.rstrip("\r\n")
        if not text.strip():
            return Line()
        p = text.split("|")
        if len(p) < 5:
            return Line(
                reject="expected at least 5 |-separated fields (epoch|uniqueid|queue|agent|"
                f"EVENT), found {len(p)}"
            )
        try:
            epoch = int(p[0])
        except ValueError:
            return Line(reject=f"epoch {p[0]} is not an integer number of seconds since 1970")
        if not TS_MIN <= epoch < TS_MAX:
            return Line(
                reject=f"epoch {p[0]} is outside the times callscope stores (1970-01-01 to "
                "2100-01-01): a corrupt or mistyped time"
            )
        ev = p[4] if p[4] in _KNOWN else p[4].upper()
        if ev not in _KNOWN:
            return Line(
                reject=f"unknown queue_log event {p[4]} (not one of the events in the "
                "Asterisk Queue Logs documentation)"
            )
        d = [*p[5:10], *([""] * 5)]
        callid, queue = p[1], (p[2] if p[2] not in ("", "NONE") else None)
        agent = p[3] if p[3] not in ("", "NONE") else None
        base = key or f"ql:{self.name}:{number}"
        where = {"source": self.name, "line": number}
        if ev in _STATE:
            return Line(self._state(ev, float(epoch), agent, queue, d[0], base, where))
        if ev not in _CALL or callid == "NONE":
            return Line()
        return self._call(ev, float(epoch), callid, queue, agent, d, base, where)

    # -- calls ------------------------------------------------------------------------
    def _call(
        self,
        ev: str,
        ts: float,
        callid: str,
        queue: str | None,
        agent: str | None,
        d: list[str],
        eid: str,
        where: dict[str, object],
    ) -> Line:
        if ev in _STARTS:
            seg = self._seg.get(callid, 0) + 1
            self._seg[callid] = seg
            self._rings[callid] = 0
        seg = self._seg.get(callid, 0)
        contact = f"ast:{callid}:{seg}"
        common = dict(id=eid, ts=ts, contact=contact, queue=queue, agent=agent, **where)
        if seg == 0:  # events before the call's start: never counted; the first rejected
            if callid in self._orphans:
                return Line()
            self._orphans.add(callid)
            return Line(
                reject=f"call {callid} has events before any ENTERQUEUE (the log starts in "
                f"the middle of this call, or lines are out of order); first: {ev}"
            )
        if ev == "ENTERQUEUE":
            caller = d[1] if d[1] not in ("", "unknown") else None
            e = Event(
                type="contact.queued",
                channel="voice",
                customer=caller,
                conversation=f"ast:{callid}",
                segment=seg,
                previous=f"ast:{callid}:{seg - 1}" if seg > 1 else None,
                **common,  # type: ignore[arg-type]
            )
        elif ev in _STARTS:
            e = Event(
                type="contact.left",
                reason="blocked",
                channel="voice",
                conversation=f"ast:{callid}",
                segment=seg,
                **common,  # type: ignore[arg-type]
            )
        elif ev in ("RINGNOANSWER", "RINGCANCELED"):
            if ev == "RINGNOANSWER":
                self._rings[callid] = self._rings.get(callid, 0) + 1
            return Line()
        elif ev == "CONNECT":
            e = Event(
                type="contact.answered",
                wait_s=_num(d[0]),
                rings=self._rings.get(callid, 0) + 1,
                **common,  # type: ignore[arg-type]
            )
        elif ev in ("COMPLETEAGENT", "COMPLETECALLER"):
            e = Event(type="contact.ended", talk_s=_num(d[1]), **common)  # type: ignore[arg-type]
        elif ev in _TRANSFERS:
            e = Event(
                type="contact.transferred",
                talk_s=_num(d[3]),
                disposition=f"{ev} {d[0]}",
                **common,  # type: ignore[arg-type]
            )
        elif ev == "ABANDON":
            e = Event(type="contact.abandoned", wait_s=_num(d[2]), **common)  # type: ignore[arg-type]
        else:
            wait = d[3] if ev == "EXITWITHKEY" else d[2]
            e = Event(type="contact.left", reason=_LEFT[ev], wait_s=_num(wait), **common)  # type: ignore[arg-type]
        return Line((e,))

    # -- agents -----------------------------------------------------------------------
    def _state(
        self,
        ev: str,
        ts: float,
        agent: str | None,
        queue: str | None,
        d1: str,
        eid: str,
        where: dict[str, object],
    ) -> tuple[Event, ...]:
        if agent is None:
            return ()
        a = self._agents.setdefault(agent, _Agent())
        was_on = a.on
        state: str | None = None
        reason: str | None = None
        if ev in ("AGENTLOGIN", "AGENTCALLBACKLOGIN"):
            a.login = True
        elif ev in ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF"):
            a.login = False
            a.members.clear()
        elif ev == "ADDMEMBER":
            a.members.add(queue or "")
        elif ev == "REMOVEMEMBER":
            a.members.discard(queue or "")
        elif ev in ("PAUSE", "PAUSEALL"):
            if not a.paused:
                a.paused = True
                state, reason = "paused", d1 or None
        elif a.paused:  # UNPAUSE, UNPAUSEALL
            a.paused = False
            state = "available"
        if ev == "ADDMEMBER" or (ev in ("AGENTLOGIN", "AGENTCALLBACKLOGIN") and not was_on):
            state = "logged_in"  # (when already on: only the queue's membership)
        elif not a.on and was_on:
            a.paused = False
            state = "logged_out"
        if state is None:
            return ()
        return (
            Event(
                id=eid,
                type="agent.state",
                ts=ts,
                agent=agent,
                state=state,
                reason=reason,
                queue=queue,
                **where,  # type: ignore[arg-type]
            ),
        )
