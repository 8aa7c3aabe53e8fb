"""Chat transcripts and orders from any CSV export, through a column mapping.

A mapping with ``table = "messages"`` reads one message turn per row into ``messages``
(``mappings/livechat_transcript.toml``); one with ``table = "orders"`` one order per
row into ``orders`` (``mappings/shop_orders.toml``); one with ``table = "agents"`` the
agent directory (agent, name, team, site, max_chats: what per-team KPIs group by), the
file given last replacing an agent's stored row. Fields, formats, value maps and
defaults are those of a contacts mapping (:mod:`callscope.ingest.mapped_csv`), checked
whole when the mapping loads (:mod:`callscope.ingest.mapping`), named after the columns
of the target table, plus:

* messages: ``text`` (a column of message text: only its length is kept, as ``chars``);
  ``channel`` defaults to ``chat``; ``queue = "..."`` names the queue of the chats.
  A message without an agent (the customer's) is owned by the agent of the next agent
  message of its conversation (the one who answered it), else of the last one before
  it. Each conversation touched by the file becomes (or updates) one ``contacts`` row,
  channel chat, computed from every message stored for it: arrival at the first
  message, queue entry at the first customer message, answered at the first agent
  message after it (by that agent), ended at the last message; a conversation no agent
  answered is abandoned. A longer export of the same chat replaces the stored row.
* orders: ``paid`` (a status column mapped to true / false, e.g. Shopify's
  ``Financial Status``): a paid order without a payment time is paid when placed, an
  unpaid one has none. An order whose ``contact_id`` is not mapped is linked to the
  customer's latest answered contact that began within ``link_window`` (default
  ``7d``; ``0s`` links none) before it was placed, and credited to its agent: ingest
  the chats before the orders.

Rows are checked as contacts rows are (a value that does not parse, a required field
empty, a time outside 1970-2100), and in their domain: a sender among customer, agent,
bot, system; an amount and an item count of 0 or more; a payment not before the order.
Each failing row is rejected with its line and the reason; the others land. Rows are
keyed by ``message_id`` / ``order_id`` when mapped, else by their content, so ingesting
a file again, or a longer copy of it, adds only rows not stored yet.
"""

from __future__ import annotations

import re

import duckdb

from callscope.errors import InputError, MappingError
from callscope.ingest.mapped_csv import (
    _Check,
    _check_time_formats,
    _col,
    _constant,
    _csv_opts,
    _field_expr,
    _fix,
    _sniff,
    _stop_if_most_fail,
    _wide,
    every_column,
)
from callscope.ingest.mapping import SENDERS, Mapping, did_you_mean, key_path
from callscope.ingest.source import SourceFile, quote, reader_rejects
from callscope.store import Batch
from callscope.store.sql import drop, ident, run

__all__ = ["DEFAULT_LINK_WINDOW", "load", "window_seconds"]

_GENERATED = {"source_file", "source_line"}
#: How far back an order looks for the customer's inquiry when the mapping says nothing.
DEFAULT_LINK_WINDOW = "7d"
_UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86400}


def window_seconds(text: str) -> float:
    """Seconds of a ``link_window`` such as ``"7d"``, ``"48h"``, ``"0s"``.

    >>> window_seconds("7d"), window_seconds("90 min")
    (604800.0, 5400.0)
    """
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(s|min|h|d)", text.strip())
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    return float(m[1]) * _UNITS[m[2]]


def _id_key(mapping: Mapping) -> str:
    return {"messages": "message_id", "orders": "order_id", "agents": "agent"}[mapping.table]


def load(batch: Batch, file: SourceFile, mapping: Mapping) -> None:
    """Load a CSV through ``mapping`` (table messages or orders)."""
    con = batch.store.con
    path, raw = file.path, file.raw
    table = mapping.target
    try:
        header = _sniff(con, file.read_as, mapping.csv)
    except duckdb.Error as e:
        raise InputError(f"{path}: cannot be read as CSV: {str(e).splitlines()[0]}") from None
    missing = sorted(mapping.columns() - set(header))
    if missing:
        hint = did_you_mean(missing[0], header) if len(missing) == 1 else ""
        raise MappingError(
            f"{path}: column(s) {', '.join(repr(m) for m in missing)} named in mapping "
            f"{mapping.path} are not in the file's header; the header has: "
            f"{', '.join(repr(h) for h in header)}{hint}",
            field="mapping",
        )
    cols = ", ".join(f"{ident(c)} AS {_col(c)}" for c in sorted(mapping.columns()))
    cols += f", md5(to_json(list_value(COLUMNS(*)))) AS {_col('')}"

    def records(rejects: bool) -> str:
        return f"""SELECT *, _rec + 1 AS line FROM (
            SELECT {cols}, row_number() OVER () AS _rec
            FROM read_csv({quote(file.read_as)}, {_csv_opts(mapping.csv, rejects)}))"""

    source = records(False)
    _check_time_formats(con, path, source, mapping)

    exprs: dict[str, str] = {}
    checks: list[_Check] = []
    for name, spec in mapping.fields.items():
        typ = mapping.column_type(name)
        expr, raw_text, desc = _field_expr(name, spec, typ)
        exprs[name] = expr
        if "default" in spec:
            exprs[name] = f"coalesce({expr}, {_constant(name, spec['default'], typ)})"
        checks.append(
            _Check(
                f"{raw_text} IS NOT NULL AND ({expr}) IS NULL",
                f"{quote(name + ': value ')} || {raw_text} || {quote(f' in {desc} cannot be read')}",
                raw_text,
                key_path("fields", name),
                _fix(name, spec, typ),
            )
        )
    for name, value in mapping.defaults.items():
        if name not in exprs:
            exprs[name] = _constant(name, value, mapping.column_type(name))
    d = dict(exprs)
    key = _id_key(mapping)
    d.setdefault(
        key,
        f"'csv:' || {_col('')} || ':' || row_number() OVER (PARTITION BY {_col('')} ORDER BY line)",
    )
    if key in mapping.fields:
        _required(d, checks, key, f"every {mapping.table} row needs its own {key}")
    if mapping.table == "messages":
        _message_rules(d, checks, mapping)
    elif mapping.table == "orders":
        _order_rules(d, checks, mapping)

    typed = ",\n".join(
        f"({d.get(c.name, 'NULL')})::{_wide(c.type)} AS {c.name}"
        for c in table.columns
        if c.name not in _GENERATED
    )
    which = "CASE " + " ".join(f"WHEN {c.cond} THEN {i}" for i, c in enumerate(checks)) + " END"
    drop(con, "_csv_errors", "_csv_scans")
    with every_column(con):
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _csv AS
            SELECT {typed}, line, {which} AS _chk FROM ({records(True)})""",
        )
    unread = reader_rejects(con, "_csv_errors", "_csv_unread")
    drop(con, "_csv_errors", "_csv_scans")
    batch.reject("SELECT line, raw, reason FROM _csv_unread")
    skipped = run(
        con,
        f"""SELECT count(*) <> coalesce(max(line), 0) FROM {raw}
        WHERE raw IS NOT NULL AND line NOT IN (SELECT line FROM _csv_unread)""",
    ).fetchall()[0][0]
    if skipped:  # the n-th non-blank line read (the header first) holds row number n
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _csv_lines AS
            SELECT row_number() OVER (ORDER BY line) AS n, line FROM {raw}
            WHERE raw IS NOT NULL AND line NOT IN (SELECT line FROM _csv_unread)""",
        )
        run(con, "UPDATE _csv SET line = m.line FROM _csv_lines m WHERE _csv.line = m.n")
        source = (
            f"SELECT c.* EXCLUDE (line), m.line FROM ({source}) c JOIN _csv_lines m ON m.n = c.line"
        )
    batch.rows_read = run(con, "SELECT count(*) FROM _csv").fetchall()[0][0]
    reason = " ".join(f"WHEN {i} THEN {c.reason}" for i, c in enumerate(checks))
    value = " ".join(f"WHEN {i} THEN {c.value}" for i, c in enumerate(checks))
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _csv_bad AS
        SELECT line, _chk, CASE _chk {reason} END AS reason, (CASE _chk {value} END)::VARCHAR
               AS _value
        FROM ({source}) JOIN (SELECT line, _chk FROM _csv WHERE _chk IS NOT NULL) USING (line)""",
    )
    _stop_if_most_fail(con, path, mapping, checks, batch.rows_read)
    batch.reject("SELECT line, reason FROM _csv_bad", raw)
    # A mapped id twice in one file: the first row wins, the others are rejected, named.
    k = ident(key)
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _csv_dup AS
        SELECT line, first, {k} AS k FROM (
            SELECT line, {k}, min(line) OVER (PARTITION BY {k}) AS first
            FROM _csv WHERE _chk IS NULL AND {k} IS NOT NULL)
        WHERE line <> first""",
    )
    batch.reject(
        f"""SELECT line, {quote(key + " ")} || k || ' appears again (first on line ' || first
                   || '); ids must be unique' AS reason FROM _csv_dup""",
        raw,
    )
    good = "SELECT * FROM _csv WHERE _chk IS NULL AND line NOT IN (SELECT line FROM _csv_dup)"
    names = ", ".join(c for c in table.names if c not in _GENERATED)
    if mapping.table == "messages":
        batch.append(
            "messages",
            f"""SELECT {names}, {quote(file.name)} AS source_file, line AS source_line
                FROM ({_owned(good)})""",
            unique=True,
            raw=raw,
        )
        _derive_chats(batch, mapping)
    elif mapping.table == "agents":  # the directory given last wins
        batch.append(
            "agents",
            f"""SELECT {names}, {quote(file.name)} AS source_file, line AS source_line,
                       current_timestamp::TIMESTAMP AS _version FROM ({good})""",
            conflict="newer",
            raw=raw,
        )
    else:
        batch.append(
            "orders",
            f"SELECT {names}, {quote(file.name)} AS source_file, line AS source_line FROM ({good})",
            unique=True,
            raw=raw,
        )
        _link_orders(batch, mapping)
    batch.rows_read += unread
    drop(con, "_csv", "_csv_bad", "_csv_dup", "_csv_lines", "_csv_unread")


def _required(d: dict[str, str], checks: list[_Check], name: str, what: str) -> None:
    """A row with no value for ``name`` is rejected: ``what`` says why it needs one."""
    checks.append(
        _Check(
            f"({d.get(name, 'NULL')}) IS NULL",
            quote(f"{name}: empty; {what}"),
            "NULL",
            key_path("fields", name),
            f"the column mapped to {name} is empty on these rows: map {name} to a column "
            "with a value on every row",
        )
    )


def _message_rules(d: dict[str, str], checks: list[_Check], mapping: Mapping) -> None:
    if "text" in d and "chars" not in d:
        d["chars"] = f"length({d['text']})"
    d["channel"] = f"lower(coalesce(({d['channel']}), 'chat'))" if "channel" in d else "'chat'"
    _required(d, checks, "contact_id", "every message needs its conversation (chat) id")
    _required(d, checks, "sent_ts", "every message needs the time it was sent")
    d["sender"] = f"lower({d['sender']})"
    ok = ", ".join(quote(s) for s in SENDERS)
    checks.append(
        _Check(
            f"coalesce(({d['sender']}) NOT IN ({ok}), true)",
            f"'sender: ' || coalesce(({d['sender']}), 'missing') || "
            + quote(f" is not one of {', '.join(SENDERS)}"),
            f"({d['sender']})",
            key_path("fields", "sender"),
            _fix("sender", mapping.fields.get("sender", {}), "string")
            + f" (map the column's values to {', '.join(SENDERS)})",
        )
    )
    checks.append(
        _Check(
            f"({d['channel']}) NOT IN ('chat', 'email')",
            f"'channel: ' || ({d['channel']}) || ' is not chat or email'",
            f"({d['channel']})",
            key_path("fields", "channel"),
            "map channel to chat or email (or leave it out: chat)",
        )
    )


def _order_rules(d: dict[str, str], checks: list[_Check], mapping: Mapping) -> None:
    if "paid" in d:  # paid: when it says (else when placed); unpaid: never
        paid, paid_ts = d["paid"], d.get("paid_ts", "NULL")
        d["paid_ts"] = (
            f"CASE WHEN ({paid}) IS NULL THEN ({paid_ts}) "
            f"WHEN ({paid}) THEN coalesce(({paid_ts}), ({d['placed_ts']})) END"
        )
    _required(d, checks, "placed_ts", "every order needs the time it was placed")
    _required(d, checks, "customer_key", "every order needs its customer")
    for name, what in (("amount", "an order's value"), ("items", "an order's item count")):
        _required(d, checks, name, f"{what} is needed")
        checks.append(
            _Check(
                f"({d[name]}) < 0",
                f"{quote(name + ': ')} || ({d[name]})::VARCHAR || "
                f"{quote(f' is negative; {what} is 0 or more')}",
                f"({d[name]})::VARCHAR",
                key_path("fields", name),
                f"map {name} to a column of numbers of 0 or more",
            )
        )
    checks.append(
        _Check(
            f"({d['paid_ts']}) < ({d['placed_ts']})" if "paid_ts" in d else "false",
            f"'paid_ts: paid ' || ({d.get('paid_ts', 'NULL')})::VARCHAR || ' before placed ' || "
            f"({d['placed_ts']})::VARCHAR || '; a payment cannot precede its order'",
            f"({d.get('paid_ts', 'NULL')})::VARCHAR",
            key_path("fields", "paid_ts"),
            "check that paid_ts and placed_ts name the payment and order columns",
        )
    )


def _owned(good: str) -> str:
    """The messages of ``good`` with each agentless message owned by the agent of the
    next agent message of its conversation, else the last one before it."""
    agent_only = "CASE WHEN sender = 'agent' THEN agent END"
    order = "ORDER BY sent_ts, CASE WHEN sender = 'customer' THEN 0 ELSE 1 END, line"
    return f"""SELECT * REPLACE (coalesce(agent,
            first_value({agent_only} IGNORE NULLS) OVER (PARTITION BY contact_id {order}
                ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING),
            last_value({agent_only} IGNORE NULLS) OVER (PARTITION BY contact_id {order}
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS agent)
        FROM ({good})"""


def _derive_chats(batch: Batch, mapping: Mapping) -> None:
    """One contacts row per conversation of the file, from every message stored for it
    (so a conversation split over several exports is one contact)."""
    queue = mapping.options.get("queue")
    queue_sql = quote(queue) if queue else "channel"
    rows = f"""
        WITH m AS (
            SELECT *, min(sent_ts) FILTER (WHERE sender = 'customer')
                          OVER (PARTITION BY contact_id) AS _first_cust
            FROM messages
            WHERE contact_id IN (SELECT contact_id FROM _csv WHERE _chk IS NULL)),
        c AS (
            SELECT contact_id,
                   min(sent_ts) AS arrival_ts,
                   coalesce(any_value(_first_cust), min(sent_ts)) AS entry_ts,
                   min(sent_ts) FILTER (WHERE sender = 'agent'
                       AND sent_ts >= coalesce(_first_cust, sent_ts)) AS answer_ts,
                   arg_min(agent, sent_ts) FILTER (WHERE sender = 'agent'
                       AND sent_ts >= coalesce(_first_cust, sent_ts)) AS agent,
                   count(DISTINCT agent) FILTER (WHERE sender = 'agent') > 1 AS transferred,
                   max(sent_ts) AS end_ts,
                   arg_min(channel, sent_ts) AS channel,
                   min(customer_key) AS customer_key,
                   arg_min(source_file, (sent_ts, source_line)) AS source_file,
                   arg_min(source_line, (sent_ts, source_line)) AS source_line
            FROM m GROUP BY contact_id)
        SELECT contact_id, contact_id AS conversation_id, 1::SMALLINT AS segment,
               NULL::VARCHAR AS previous_contact_id, channel, 'inbound' AS direction,
               {queue_sql} AS queue, NULL::VARCHAR AS skill, NULL::SMALLINT AS priority,
               customer_key, arrival_ts, NULL::DOUBLE AS ivr_s, entry_ts AS queue_entry_ts,
               answer_ts, end_ts,
               epoch(coalesce(answer_ts, end_ts)) - epoch(entry_ts) AS wait_s,
               CASE WHEN answer_ts IS NOT NULL THEN epoch(end_ts) - epoch(answer_ts) END
                   AS talk_s,
               NULL::DOUBLE AS hold_s, NULL::DOUBLE AS acw_s, agent, NULL::SMALLINT AS rings,
               CASE WHEN answer_ts IS NOT NULL THEN 'answered' ELSE 'abandoned' END AS outcome,
               coalesce(transferred, false) AS transferred, NULL::VARCHAR AS disposition,
               NULL::BOOLEAN AS resolved, source_file, source_line, end_ts AS _version
        FROM c"""
    batch.append("contacts", rows, conflict="newer", derived=True)


def _link_orders(batch: Batch, mapping: Mapping) -> None:
    """Orders of the file with no inquiry: linked to the customer's latest answered
    contact within the link window; orders with an inquiry but no agent: credited to
    the agent who answered it."""
    con = batch.store.con
    mine = "SELECT order_id FROM _csv WHERE _chk IS NULL"
    linked = 0
    window = window_seconds(str(mapping.options.get("link_window", DEFAULT_LINK_WINDOW)))
    if "contact_id" not in mapping.fields and window > 0:
        linked = run(
            con,
            f"""UPDATE orders SET contact_id = l.conversation_id,
                    agent = coalesce(orders.agent, l.agent)
            FROM (SELECT o.order_id,
                         arg_max(c.conversation_id, c.arrival_ts) AS conversation_id,
                         arg_max(c.agent, c.arrival_ts) AS agent
                  FROM orders o JOIN contacts c ON c.customer_key = o.customer_key
                   AND c.outcome = 'answered' AND c.arrival_ts <= o.placed_ts
                   AND epoch(o.placed_ts) - epoch(c.arrival_ts) <= ?
                  WHERE o.contact_id IS NULL AND o.order_id IN ({mine})
                  GROUP BY o.order_id) l
            WHERE orders.order_id = l.order_id""",
            [window],
        ).fetchall()[0][0]
    credited = run(
        con,
        f"""UPDATE orders SET agent = l.agent
        FROM (SELECT conversation_id, arg_min(agent, segment) AS agent FROM contacts
              WHERE agent IS NOT NULL GROUP BY conversation_id) l
        WHERE orders.agent IS NULL AND orders.contact_id = l.conversation_id
          AND orders.order_id IN ({mine})""",
    ).fetchall()[0][0]
    if linked:
        batch.notes.append(
            f"{linked:,} order(s) linked to the customer's inquiry (the latest answered "
            f"contact within {mapping.options.get('link_window', DEFAULT_LINK_WINDOW)} before "
            "the order) and credited to its agent"
        )
    if credited:
        batch.notes.append(f"{credited:,} order(s) credited to the agent of their inquiry")
