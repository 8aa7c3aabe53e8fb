"""One customer's contacts marked with the FCR rules of :mod:`callscope.kpi.outcome`.

The customer history page lists every contact of one customer; this module says, for
each, what the FCR KPI made of it, by the very rules the KPI engine applies to the whole
store (a parity test checks that the marks of every customer add up to the engine's
``fcr_handled``, ``fcr_pending`` and repeats):

* a handled (answered) contact with a known customer is **repeated** when the same
  customer made a further contact of another conversation arriving after it and at
  most ``window_days`` later (with ``same_reason``: a further contact with the same
  ``disposition``, unless either is unknown);
* else it is **pending** while its window is still open at the end of the data (the
  store's last arrival): nobody can tell yet;
* else it was **resolved** at first contact.

Any contact (answered or not) is a **repeat of** the nearest earlier contact of another
conversation of the same customer that was handled and arrived at most ``window_days``
before it: the contact that made that one count as not resolved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = ["FcrMark", "fcr_marks"]


@dataclass(frozen=True, slots=True)
class FcrMark:
    """What FCR made of one contact: ``fcr`` is ``repeated``, ``pending``, ``resolved``
    (handled contacts) or ``None`` (not handled: outside FCR's population);
    ``repeat_of`` the handled contact this one repeats, if any."""

    fcr: str | None
    repeat_of: str | None


def fcr_marks(
    contacts: Sequence[Mapping[str, Any]],
    window_days: float,
    data_end: datetime | None,
    same_reason: bool = False,
) -> dict[str, FcrMark]:
    """Marks per ``contact_id`` of one customer's ``contacts`` (dicts with
    ``contact_id``, ``conversation_id``, ``arrival_ts``, ``outcome``, ``disposition``;
    see the module docstring). ``data_end`` is the store's last arrival."""
    window = timedelta(seconds=round(window_days * 86400))
    rows = sorted(contacts, key=lambda r: (r["arrival_ts"], str(r["contact_id"])))

    def same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        if not same_reason:
            return True
        ra, rb = a.get("disposition"), b.get("disposition")
        return ra is None or rb is None or ra == rb

    def follows(first: Mapping[str, Any], later: Mapping[str, Any]) -> bool:
        return (
            later["conversation_id"] != first["conversation_id"]
            and first["arrival_ts"] < later["arrival_ts"] <= first["arrival_ts"] + window
            and same(first, later)
        )

    out: dict[str, FcrMark] = {}
    for r in rows:
        handled = r.get("outcome") == "answered"
        fcr = None
        if handled:
            if any(follows(r, later) for later in rows):
                fcr = "repeated"
            elif data_end is not None and r["arrival_ts"] + window > data_end:
                fcr = "pending"
            else:
                fcr = "resolved"
        earlier = [e for e in rows if e.get("outcome") == "answered" and follows(e, r)]
        repeat_of = str(earlier[-1]["contact_id"]) if earlier else None
        out[str(r["contact_id"])] = FcrMark(fcr, repeat_of)
    return out
