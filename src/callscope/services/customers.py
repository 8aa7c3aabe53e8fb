"""The customer history (the seeds' unified customer view: "when and how did this
customer first ask for help"): every contact of one customer across voice, chat and
e-mail in time order, with queue, agent, outcome, wait, handle time, transfers, survey
answers and QA scores, and what FCR made of each contact
(:func:`callscope.kpi.history.fcr_marks`: repeated, pending, resolved; a repeat of
which earlier contact).

**Finding the customer.** Customer identifiers are stored as keyed pseudonyms
(:mod:`callscope.privacy.pseudonym`): the identifier as the person gives it (a phone
number written any way, an e-mail address, a customer number) is turned into its
pseudonym with the center's key and looked up; a pseudonym itself (``p_`` + 24 hex
digits, as pages and exports show it) is looked up as it is. A store kept with
``privacy.raw_identifiers`` is searched by the identifier as written too. An erased
person's history is empty and says when they were erased.

Who may look is the interface's business (supervisors, analysts, admins); every look
is written to the audit log by the caller, with the pseudonym, never the identifier.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

__all__ = ["CustomerHistory", "CustomerRequest", "HistoryRow", "customer_history"]

_MAX_LEN = 200


@dataclass(frozen=True, slots=True)
class CustomerRequest:
    customer: str  #: the identifier as the person gives it, or its pseudonym


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One contact (one queue visit: a transfer makes a second row of the same
    conversation) of the customer."""

    contact_id: str
    conversation_id: str
    segment: int
    channel: str
    direction: str
    queue: str | None
    agent: str | None
    arrival_ts: datetime
    answer_ts: datetime | None
    end_ts: datetime | None
    outcome: str
    wait_s: float | None
    handle_s: float | None  #: talk + hold + after-call work (answered contacts)
    transferred: bool
    transferred_from: str | None  #: the queue of the segment this one was transferred from
    disposition: str | None
    fcr: str | None  #: repeated / pending / resolved (handled contacts), else None
    repeat_of: str | None  #: the handled contact this one repeats (within the window)
    surveys: tuple[tuple[str, float, float], ...]  #: (item, score, scale max)
    qa: tuple[tuple[str, float | None, str], ...]  #: (evaluation id, score, evaluator)


@dataclass(frozen=True)
class CustomerHistory:
    customer: str  #: the pseudonym looked up (or the identifier, raw stores)
    rows: tuple[HistoryRow, ...]
    first_contact: datetime | None
    channels: tuple[str, ...]
    repeats: int  #: contacts that repeat an earlier handled one within the window
    fcr_window_days: float
    same_reason: bool  #: a repeat must be about the same reason (when both are known)
    erased_at: datetime | None
    truncated: bool  #: more contacts than shown
    notes: tuple[str, ...]

    def when(self, contact_id: str) -> str:
        """When contact ``contact_id`` of this history arrived, as people read it."""
        for r in self.rows:
            if r.contact_id == contact_id:
                return f"{r.arrival_ts:%a %-d %b %H:%M}"
        return contact_id

    def table(self) -> Any:
        """The rows as an Arrow table (downloads)."""
        import pyarrow as pa

        return pa.Table.from_pylist(
            [
                {
                    **{
                        f.name: getattr(r, f.name)
                        for f in fields(r)
                        if f.name not in ("surveys", "qa")
                    },
                    "surveys": "; ".join(f"{i} {s:g}/{m:g}" for i, s, m in r.surveys),
                    "qa": "; ".join(
                        f"{s:.0f} % by {e}" if s is not None else f"- by {e}" for _, s, e in r.qa
                    ),
                }
                for r in self.rows
            ]
        )


def _lookup_keys(settings: Settings, customer: str) -> list[str]:
    from callscope.privacy.pseudonym import is_pseudonym, pseudonym
    from callscope.services.privacy import key_for

    text = customer.strip()
    if not text:
        raise CallscopeError(
            "give the customer's phone number, e-mail or customer number", field="customer"
        )
    if len(text) > _MAX_LEN:
        raise CallscopeError(
            f"a customer identifier is at most {_MAX_LEN} characters", field="customer"
        )
    if is_pseudonym(text):
        return [text]
    keys = [pseudonym(text, key_for(settings, create=False))]
    if settings.raw_identifiers:
        keys.append(text)
    return keys


def customer_history(settings: Settings, request: CustomerRequest) -> CustomerHistory:
    """Every contact of the customer ``request.customer`` (module docstring)."""
    from callscope.kpi.history import fcr_marks
    from callscope.services.common import open_store
    from callscope.store import customers as q

    keys = _lookup_keys(settings, request.customer)
    with open_store(settings) as store:
        contacts = q.customer_contacts(store, keys)
        truncated = len(contacts) > q.MAX_CONTACTS
        contacts = contacts[: q.MAX_CONTACTS]
        ids = [str(c["contact_id"]) for c in contacts]
        answers = q.surveys(store, ids)
        scores = q.qa_scores(store, ids)
        end = q.data_end(store)
        erased = q.erased_at(store, keys[:1])
    from callscope.services.kpi import KpiRequest, kpi_params

    params = kpi_params(settings, KpiRequest())  # the FCR rules `callscope kpi` applies
    window_days = params.fcr_window_days
    marks = fcr_marks(contacts, window_days, end, params.fcr_same_reason)
    by_contact: dict[str, list[tuple[str, float, float]]] = {}
    for a in answers:
        by_contact.setdefault(str(a["contact_id"]), []).append(
            (str(a["item"]), float(a["score"]), float(a["scale_max"]))
        )
    qa: dict[str, list[tuple[str, float | None, str]]] = {}
    for s in scores:
        qa.setdefault(str(s["contact_id"]), []).append(
            (str(s["evaluation_id"]), s["score"], str(s["evaluator"]))
        )
    queue_of = {str(c["contact_id"]): c.get("queue") for c in contacts}
    rows = []
    for c in contacts:
        cid = str(c["contact_id"])
        answered = c["outcome"] == "answered"
        parts = [c.get("talk_s"), c.get("hold_s"), c.get("acw_s")]
        handle = sum(float(v) for v in parts if v is not None) if answered else None
        mark = marks[cid]
        rows.append(
            HistoryRow(
                cid,
                str(c["conversation_id"]),
                int(c["segment"] or 1),
                str(c["channel"]),
                str(c["direction"]),
                c.get("queue"),
                c.get("agent"),
                c["arrival_ts"],
                c.get("answer_ts"),
                c.get("end_ts"),
                str(c["outcome"]),
                c.get("wait_s"),
                handle,
                bool(c.get("transferred")),
                queue_of.get(str(c.get("previous_contact_id"))) or None,
                c.get("disposition"),
                mark.fcr,
                mark.repeat_of,
                tuple(by_contact.get(cid, ())),
                tuple(qa.get(cid, ())),
            )
        )
    notes = []
    if truncated:
        notes.append(f"the first {q.MAX_CONTACTS:,} contacts are shown")
    if erased is not None:
        notes.append(f"this customer was erased on {erased:%Y-%m-%d %H:%M}: nothing is kept")
    elif not rows:
        notes.append(
            "no contact of this customer: check the number or address as the customer "
            "gives it (spaces and dashes do not matter)"
        )
    return CustomerHistory(
        customer=keys[0],
        rows=tuple(rows),
        first_contact=rows[0].arrival_ts if rows else None,
        channels=tuple(sorted({r.channel for r in rows})),
        repeats=sum(1 for r in rows if r.repeat_of is not None),
        fcr_window_days=window_days,
        same_reason=params.fcr_same_reason,
        erased_at=erased,
        truncated=truncated,
        notes=tuple(notes),
    )
