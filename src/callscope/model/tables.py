"""Arrow schemas of the canonical tables, with units.

Conventions shared by every table:

* Timestamps are ``timestamp[us]`` without a zone: wall-clock time. In ``contacts`` and
  ``agent_states``, ``utc_offset_s`` says at which UTC offset **every** time of the row
  is written (the offset of the center's zone when the row began), so each time is an
  instant (``instant = ts - utc_offset_s``) and one row never changes offset: a call
  that spans a change of clocks ends after it starts, and ``end - start`` is its true
  length. Ingesters of sources that give instants (Asterisk epochs, Amazon Connect's
  UTC times, the live feed) fill it from the zone the user gives (default UTC, offset
  0); sources that give only wall-clock times leave it null, meaning "the center's
  zone at that wall time" (the first of two on a fall-back night). KPIs put a row in
  the interval of the center's local time of its instant, so the repeated hour of a
  fall-back night is two intervals (``02:00+02:00`` and ``02:00+01:00``) and the
  skipped hour of a spring-forward night none (:mod:`callscope.kpi.localtime`).
* Durations are ``float64`` seconds and are named ``*_s``.
* ``source_file`` / ``source_line`` say where a row came from (1-based line of the file;
  for a JSON array, the 1-based record number). Generated rows carry ``synth:<seed>``.

A contact is **one visit of one customer contact to one queue** (a *segment*). A call
that rings several agents before one answers is still one segment; a transfer to another
queue creates a second segment of the same ``conversation_id`` whose
``previous_contact_id`` points at the first. A contact that never reached a queue (hung up
in the IVR) is kept with outcome ``ivr_only`` and ``queue_entry_ts`` null, so volumes
reconcile with the source, but it is never *offered* (see ``KPIS.md``); likewise a
``phantom`` record (a source's own marker of a contact with no real caller) and a
``blocked`` one (refused at queue entry).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from callscope.model.outcome import CHANNELS, DIRECTIONS, OUTCOMES

__all__ = [
    "AGENTS",
    "AGENT_STATES",
    "CHANNELS",
    "CONTACTS",
    "DIRECTIONS",
    "MESSAGES",
    "OPTIONAL_COLUMNS",
    "ORDERS",
    "OUTCOMES",
    "SCHEDULES",
    "STATES",
    "SURVEYS",
    "TABLES",
    "Column",
    "Table",
]

TS = pa.timestamp("us")

#: Agent states. ``logged_in`` rows are sessions; ``not_ready`` rows (aux, pause) lie
#: inside sessions and carry a reason. Handle time comes from ``contacts``.
STATES = ("logged_in", "not_ready")


@dataclass(frozen=True, slots=True)
class Column:
    """One column: name, Arrow type, nullability and its meaning (with units)."""

    name: str
    type: pa.DataType
    nullable: bool
    doc: str


@dataclass(frozen=True, slots=True)
class Table:
    """A canonical table: its columns and the natural key that makes appends idempotent."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema of the table."""
        return pa.schema(
            [pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns],
            metadata={"table": self.name},
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    def conform(self, table: pa.Table) -> pa.Table:
        """``table`` cast to this schema, with the optional columns it lacks as nulls
        (:data:`OPTIONAL_COLUMNS`: a source with no value for them)."""
        for c in self.columns:
            if c.name in OPTIONAL_COLUMNS and c.name not in table.column_names:
                table = table.append_column(c.name, pa.nulls(table.num_rows, c.type))
        return table.select(list(self.names)).cast(self.schema)

    def empty(self) -> pa.Table:
        """An empty Arrow table with this schema."""
        return self.schema.empty_table()


def _c(name: str, typ: pa.DataType, doc: str, nullable: bool = True) -> Column:
    return Column(name, typ, nullable, doc)


#: Columns added to canonical tables after stores were first written: an older store
#: gains them (null) when opened, and an ingester that has no value for one may leave
#: it out of its rows (it is stored as null).
OPTIONAL_COLUMNS = frozenset({"utc_offset_s"})

_OFFSET = _c(
    "utc_offset_s",
    pa.int32(),
    "UTC offset (seconds east) at which every time of this row is written; null: the "
    "center's zone at that wall time",
)


_SOURCE = (
    _c("source_file", pa.string(), "file the row came from (or synth:<seed>)", False),
    _c("source_line", pa.int64(), "1-based line (or JSON record) in source_file", False),
)

CONTACTS = Table(
    name="contacts",
    doc="One row per contact per queue visit (segment).",
    key=("contact_id",),
    columns=(
        _c("contact_id", pa.string(), "unique id of this segment", False),
        _c("conversation_id", pa.string(), "id shared by all segments of one contact", False),
        _c("segment", pa.int16(), "1 for the first queue visit, 2.. after transfers", False),
        _c("previous_contact_id", pa.string(), "the segment this one was transferred from"),
        _c("channel", pa.string(), "voice | chat | email", False),
        _c("direction", pa.string(), "inbound | outbound", False),
        _c("queue", pa.string(), "queue (split, skill group) name; null for ivr_only"),
        _c("skill", pa.string(), "service type / skill requested, where the source has it"),
        _c("priority", pa.int16(), "routing priority, higher is served first"),
        _c("customer_key", pa.string(), "caller id or customer number (for FCR)"),
        _c("arrival_ts", TS, "when the contact reached the center (IVR start)", False),
        _c("ivr_s", pa.float64(), "seconds in the IVR before the queue"),
        _c("queue_entry_ts", TS, "when it entered the queue; null if it never did"),
        _c("answer_ts", TS, "when an agent connected; null if never"),
        _c("end_ts", TS, "when the segment ended (hang-up, transfer, exit)"),
        _c("wait_s", pa.float64(), "queue entry to answer, or to leaving the queue, seconds"),
        _c("talk_s", pa.float64(), "agent connected to customer, excluding hold, seconds"),
        _c("hold_s", pa.float64(), "customer on hold by the agent, seconds"),
        _c("acw_s", pa.float64(), "after-call work (wrap-up), seconds"),
        _c("agent", pa.string(), "agent who answered"),
        _c("rings", pa.int16(), "agents rung before the answer (RINGNOANSWER + 1)"),
        _c("outcome", pa.string(), "one of OUTCOMES", False),
        _c("transferred", pa.bool_(), "the agent transferred it onward", False),
        _c("disposition", pa.string(), "wrap-up code, topic or reason"),
        _c("resolved", pa.bool_(), "resolved on this contact, where the source says"),
        *_SOURCE,
        _OFFSET,
    ),
)

AGENT_STATES = Table(
    name="agent_states",
    doc="Agent state spans: logged_in sessions, and not_ready (pause/aux) spans inside them.",
    key=("agent", "state", "start_ts", "queue"),
    columns=(
        _c("agent", pa.string(), "agent id", False),
        _c("state", pa.string(), "logged_in | not_ready", False),
        _c("reason", pa.string(), "pause/aux reason (break, lunch, training, ...)"),
        _c("queue", pa.string(), "queue of the membership, where the source says"),
        _c("start_ts", TS, "span start", False),
        _c("end_ts", TS, "span end", False),
        _c("duration_s", pa.float64(), "end - start, seconds", False),
        *_SOURCE,
        _OFFSET,
    ),
)

AGENTS = Table(
    name="agents",
    doc="Agent directory: team and site of each agent.",
    key=("agent",),
    columns=(
        _c("agent", pa.string(), "agent id", False),
        _c("name", pa.string(), "display name"),
        _c("team", pa.string(), "team (supervisor group)"),
        _c("site", pa.string(), "site"),
        _c("max_chats", pa.int16(), "concurrent chats the agent takes"),
        *_SOURCE,
    ),
)

SCHEDULES = Table(
    name="schedules",
    doc="Scheduled activities of agents (for adherence, conformance and shrinkage).",
    key=("agent", "start_ts", "activity"),
    columns=(
        _c("agent", pa.string(), "agent id", False),
        _c("activity", pa.string(), "work | break | lunch | training | meeting | absence", False),
        _c("start_ts", TS, "activity start", False),
        _c("end_ts", TS, "activity end", False),
        *_SOURCE,
    ),
)

SURVEYS = Table(
    name="surveys",
    doc="Survey answers, one row per answered item (csat 1-5, nps 0-10, resolved 0/1 ...).",
    key=("survey_id", "item"),
    columns=(
        _c("survey_id", pa.string(), "one survey response", False),
        _c("contact_id", pa.string(), "contact surveyed"),
        _c("customer_key", pa.string(), "respondent"),
        _c("agent", pa.string(), "agent of the contact"),
        _c("queue", pa.string(), "queue of the contact"),
        _c("channel", pa.string(), "channel of the contact"),
        _c("submitted_ts", TS, "when answered", False),
        _c("item", pa.string(), "csat | nps | resolved | an item name from KPIS.md", False),
        _c("score", pa.float64(), "the answer on the item's scale", False),
        _c("scale_min", pa.float64(), "lowest possible answer", False),
        _c("scale_max", pa.float64(), "highest possible answer", False),
        *_SOURCE,
    ),
)

MESSAGES = Table(
    name="messages",
    doc="Chat and e-mail turns.",
    key=("message_id",),
    columns=(
        _c("message_id", pa.string(), "unique message id", False),
        _c("contact_id", pa.string(), "conversation (contacts.conversation_id)", False),
        _c("channel", pa.string(), "chat | email", False),
        _c("sender", pa.string(), "customer | agent | bot | system", False),
        _c("agent", pa.string(), "agent who wrote or owns it"),
        _c("customer_key", pa.string(), "customer"),
        _c("sent_ts", TS, "when sent", False),
        _c("chars", pa.int32(), "characters in the message"),
        _c("compose_s", pa.float64(), "seconds spent typing it, where known"),
        *_SOURCE,
    ),
)

ORDERS = Table(
    name="orders",
    doc="Orders placed by customers, linked to the inquiry (contact) that preceded them.",
    key=("order_id",),
    columns=(
        _c("order_id", pa.string(), "unique order id", False),
        _c("customer_key", pa.string(), "customer", False),
        _c("contact_id", pa.string(), "inquiry conversation that led to it"),
        _c("agent", pa.string(), "agent credited with the sale"),
        _c("placed_ts", TS, "when ordered", False),
        _c("paid_ts", TS, "when paid; null if never"),
        _c("amount", pa.float64(), "order value in currency units", False),
        _c("items", pa.int32(), "items in the order", False),
        _c("currency", pa.string(), "ISO 4217 code"),
        *_SOURCE,
    ),
)

#: Every canonical table by name.
TABLES: dict[str, Table] = {
    t.name: t for t in (CONTACTS, AGENT_STATES, AGENTS, SCHEDULES, SURVEYS, MESSAGES, ORDERS)
}
