"""How a contact left its queue, the channels, and which contacts are *offered*.

One list, used everywhere: ingesters write these names, the KPI definitions count them,
and both simulators (:mod:`callscope.queueing.sim_kernel`, :mod:`callscope.synth.kernel`)
write the integer :attr:`Outcome.code` of the same members (numba kernels hold plain
integers; :data:`OUTCOME_BY_CODE` turns them back into names).

Counting rules (``KPIS.md``): a contact is **offered** when it reached a queue. Three
outcomes never did and are not offered (:data:`NOT_OFFERED`): ``ivr_only`` (ended in
the IVR), ``blocked`` (refused at queue entry: full queue, no members) and ``phantom`` (a
source's own marker of a record with no real caller). Five leave the queue by a route
other than an answer or an abandon and are *flow-outs* (:data:`FLOWOUTS`).

>>> Outcome("answered").code, Outcome.ABANDONED.code
(1, 2)
>>> OUTCOME_BY_CODE[3]
'timeout'
>>> is_offered("ivr_only"), is_offered("abandoned")
(False, True)
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CHANNELS",
    "DIRECTIONS",
    "FLOWOUTS",
    "NOT_OFFERED",
    "OUTCOMES",
    "OUTCOME_BY_CODE",
    "Channel",
    "Direction",
    "Outcome",
    "is_offered",
]


class Outcome(StrEnum):
    """How a contact segment left its queue (``contacts.outcome``)."""

    ANSWERED = "answered"  #: connected to an agent
    ABANDONED = "abandoned"  #: the customer left before an agent connected
    TIMEOUT = "timeout"  #: the queue's own maximum wait expired
    EXIT_BY_KEY = "exit_by_key"  #: the caller chose to leave (callback, voicemail)
    EXIT_EMPTY = "exit_empty"  #: no agent left who could serve the queue
    OVERFLOW = "overflow"  #: routed to another queue by a rule before an answer
    TRANSFERRED = "transferred"  #: sent elsewhere (flow, another number) before an answer
    BLOCKED = "blocked"  #: refused at entry (queue full or no members); not offered
    IVR_ONLY = "ivr_only"  #: never reached a queue (ended in the IVR); not offered
    PHANTOM = "phantom"  #: a record with no real caller; not offered

    @property
    def code(self) -> int:
        """The integer the simulators' compiled kernels write for this outcome (1-based,
        in declaration order; 0 means "not decided yet")."""
        return _CODE[self]


_CODE = {o: i for i, o in enumerate(Outcome, start=1)}

#: Every outcome name, in declaration order.
OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)
#: Outcome name by kernel code (index 0 is the empty "not decided" name).
OUTCOME_BY_CODE: tuple[str, ...] = ("", *OUTCOMES)
#: Outcomes of contacts that never reached a queue: not offered.
NOT_OFFERED: frozenset[str] = frozenset({Outcome.IVR_ONLY, Outcome.BLOCKED, Outcome.PHANTOM})
#: Offered contacts that left the queue neither answered nor abandoned.
FLOWOUTS: tuple[str, ...] = (
    Outcome.TIMEOUT,
    Outcome.EXIT_BY_KEY,
    Outcome.EXIT_EMPTY,
    Outcome.OVERFLOW,
    Outcome.TRANSFERRED,
)


def is_offered(outcome: str) -> bool:
    """True when a contact with this outcome counts as offered (it reached a queue)."""
    return outcome not in NOT_OFFERED


class Channel(StrEnum):
    """Contact channels (``contacts.channel``)."""

    VOICE = "voice"
    CHAT = "chat"
    EMAIL = "email"


#: Every channel name, voice first.
CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)


class Direction(StrEnum):
    """Contact directions (``contacts.direction``)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


DIRECTIONS: tuple[str, ...] = tuple(d.value for d in Direction)
