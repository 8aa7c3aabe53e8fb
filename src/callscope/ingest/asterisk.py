"""Asterisk ``queue_log``: ``epoch|uniqueid|queue|agent|EVENT|data1|data2|...``.

Field meanings follow the Asterisk documentation (Queue Logs):

==================  ==========================================================
event               data fields
==================  ==========================================================
ENTERQUEUE          url, callerid
CONNECT             holdtime (s waited), bridged channel uniqueid, ringtime (s)
COMPLETEAGENT       holdtime, calltime (s talked), origposition
COMPLETECALLER      holdtime, calltime, origposition
TRANSFER            extension, context, holdtime, calltime, origposition
BLINDTRANSFER       extension, context, holdtime, calltime, origposition
ATTENDEDTRANSFER    method (BRIDGE/APP/LINK), data, holdtime, calltime, origposition
ABANDON             position, origposition, waittime
EXITEMPTY           position, origposition, waittime
EXITWITHTIMEOUT     position, origposition, waittime
EXITWITHKEY         key, position, origposition, waittime
FULL, JOINEMPTY,    (refused at entry: the call never entered the queue)
JOINUNAVAIL
RINGNOANSWER        ringtime (ms)       RINGCANCELED  ringtime (ms)
AGENTLOGIN          channel             AGENTLOGOFF   channel, logintime
ADDMEMBER           (dynamic member)    REMOVEMEMBER
PAUSE, PAUSEALL     reason              UNPAUSE, UNPAUSEALL  reason
==================  ==========================================================

How calls become contacts: the events of one ``uniqueid`` are taken in time order and
every ENTERQUEUE (or FULL/JOINEMPTY/JOINUNAVAIL) starts a new *segment*; so a call that
rings several agents is one contact (RINGNOANSWERs add to ``rings``), and a transfer
back into a queue makes a linked second segment (``previous_contact_id``). A segment's
outcome comes from its last closing event: COMPLETE*/TRANSFER -> answered (transfers set
``transferred``), ABANDON -> abandoned, EXITWITHTIMEOUT -> timeout, EXITWITHKEY ->
exit_by_key, EXITEMPTY -> exit_empty, FULL/JOINEMPTY/JOINUNAVAIL -> blocked.
``wait_s`` is the logged holdtime/waittime; ``talk_s`` the logged calltime; the
queue_log has no hold or after-call-work times, so those stay null.

Agent states: AGENTLOGIN..AGENTLOGOFF spans, and (for dynamic members) the union of
ADDMEMBER..REMOVEMEMBER memberships, become ``logged_in`` spans; PAUSE..UNPAUSE spans
(per-queue pauses of the same moment merged) become ``not_ready`` with the pause reason.

Rejected, with line and reason: lines with fewer than 5 fields, a non-integer epoch or
one outside the times callscope stores, an unknown event; a call whose events start
without ENTERQUEUE (the log starts mid-call, or its ENTERQUEUE line was unreadable: events
logged before a call's first start are never folded into the segment that start opens);
a call with no closing event (the log ends mid-call); an agent span with no matching end.

**Logs that rotate.** The events of a call that a file starts but does not finish (or
finishes without its start) are kept in the store's ``pending`` table. The next
``queue_log`` file ingested into the store (the next file of a rotated log, or a longer
copy of the same log) takes them in, numbered before its own lines if they are older than
its first event; when the call closes it lands once, with the file and line where it
began, and the rejects it had in the earlier file are cleared (and that file's count of
rejects lowered). Ingest the files of a rotated log oldest first. Agent login and pause
spans that cross files are still rejected in both (not carried over).

A segment lands once: files that disagree (a start event changed, repeated or lost in
one of them) can number a call's segments differently, so a segment whose call entered
the same queue at the same second as a stored one is a duplicate, whatever its number.
"""

from __future__ import annotations

from pathlib import Path

from callscope.ingest.source import SourceFile
from callscope.store import Batch
from callscope.store.domain import TIME_MAX, TIME_MIN, epoch_range
from callscope.store.sql import drop, literal, run

__all__ = ["CALL_EVENTS", "FORMAT", "IGNORED_EVENTS", "STATE_EVENTS", "load"]

FORMAT = "asterisk"

START_EVENTS = ("ENTERQUEUE", "FULL", "JOINEMPTY", "JOINUNAVAIL")
CLOSE_EVENTS = (
    "COMPLETEAGENT",
    "COMPLETECALLER",
    "TRANSFER",
    "BLINDTRANSFER",
    "ATTENDEDTRANSFER",
    "ABANDON",
    "EXITEMPTY",
    "EXITWITHTIMEOUT",
    "EXITWITHKEY",
    "FULL",
    "JOINEMPTY",
    "JOINUNAVAIL",
)
CALL_EVENTS = tuple(
    dict.fromkeys(START_EVENTS + CLOSE_EVENTS + ("CONNECT", "RINGNOANSWER", "RINGCANCELED"))
)
STATE_EVENTS = (
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
IGNORED_EVENTS = (
    "QUEUESTART",
    "CONFIGRELOAD",
    "SYSCOMPAT",
    "DID",
    "INFO",
    "AGENTDUMP",
    "RINGCANCELED",
    "ENTERQUEUE_ATTEMPT",
    "MIXMONITOR",
    "REPLACEDAGENT",
    "ATTENDEDTRANSFERED",
    "QUEUEEND",
)

_TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def _offset(epoch: str, tz: str | None) -> str:
    """UTC offset, seconds east, of zone ``tz`` at an epoch column (0 without a zone:
    times are then kept in UTC); NULL where the epoch is no time (the domain check then
    names the value)."""
    if tz:
        return (
            f"try((epoch(timezone({literal(tz)}, to_timestamp({epoch}))::TIMESTAMP) "
            f"- {epoch})::INTEGER)"
        )
    return "0"


def _ts(epoch: str, offset: str) -> str:
    """Wall-clock timestamp of an epoch column at the row's UTC offset (``offset``, an
    expression of seconds east): every time of one row is written at the offset of the
    row's start, so a call across a change of clocks ends after it starts."""
    return f"try(make_timestamp(({epoch}::BIGINT + {offset}) * 1000000))"


_KNOWN = CALL_EVENTS + STATE_EVENTS + IGNORED_EVENTS
#: Lines of events carried over from earlier files (pending calls) are numbered outside
#: this range, before or after the file's own lines by their time.
_FAR = 10**15
_HERE = f"(line > 0 AND line < {_FAR})"
#: Where a call begun in an earlier file is rejected when a value of it is out of its
#: domain: its first line in this file (its ``source_line`` is a line of that file).
_REJECT_LINE = f""", CASE WHEN pm.file IS NULL THEN c.start_line ELSE coalesce(
    (SELECT min(q.line) FROM _ql q WHERE q.callid = c.callid AND q.line > 0
     AND q.line < {_FAR}), c.start_line) END AS _reject_line"""


def _parse(lines: str) -> str:
    """Events of ``lines`` (a query of ``line, raw``), with the reason a line is bad."""
    lo, hi = epoch_range()
    known = _in(_KNOWN)
    return f"""
        SELECT line, try_cast(p[1] AS BIGINT) AS epoch, p[2] AS callid, p[3] AS queue,
               p[4] AS agent, CASE WHEN p[5] IN {known} THEN p[5] ELSE upper(p[5]) END AS event,
               p[6] AS d1, p[7] AS d2, p[8] AS d3, p[9] AS d4, p[10] AS d5,
               CASE
                 WHEN len(p) < 5 THEN 'expected at least 5 |-separated fields '
                      || '(epoch|uniqueid|queue|agent|EVENT), found ' || len(p)
                 WHEN try_cast(p[1] AS BIGINT) IS NULL THEN 'epoch ' || p[1]
                      || ' is not an integer number of seconds since 1970'
                 WHEN NOT (try_cast(p[1] AS BIGINT) >= {lo} AND try_cast(p[1] AS BIGINT) < {hi})
                      THEN 'epoch ' || p[1] || ' is outside the times callscope stores '
                      || '({TIME_MIN:%Y-%m-%d} to {TIME_MAX:%Y-%m-%d}: {lo} to {hi} '
                      || 'seconds since 1970): a corrupt or mistyped time'
                 WHEN upper(p[5]) NOT IN {known} THEN 'unknown queue_log event '
                      || p[5] || ' (not one of the events in the Asterisk Queue Logs documentation)'
               END AS reason
        FROM (SELECT line, string_split(raw, '|') AS p FROM ({lines})
              WHERE raw IS NOT NULL AND (length(raw) > 8 OR trim(raw) <> ''))"""


def load(batch: Batch, source: SourceFile, tz: str | None = None) -> None:
    """Load a queue_log (temp table ``source.raw`` of its lines) into contacts and
    agent_states, completing calls left pending by earlier files of the log."""
    con = batch.store.con
    raw = source.raw
    src = literal(source.name)
    run(con, f"CREATE OR REPLACE TEMP TABLE _ql AS {_parse(f'SELECT line, raw FROM {raw}')}")
    batch.rows_read = run(con, "SELECT count(*) FROM _ql").fetchall()[0][0]
    batch.reject("SELECT line, reason FROM _ql WHERE reason IS NOT NULL", raw)
    merged = _merge_pending(batch, raw)

    # ---- calls -> contacts -------------------------------------------------------------
    # Every start event (ENTERQUEUE, or a refusal at entry) opens a segment of its call.
    # Nearly every call has one segment, so one pass aggregates calls by uniqueid; the
    # few calls with several segments (transfers back into a queue) are numbered by an
    # ordered window over their events only.
    starts, close = _in(START_EVENTS), _in(CLOSE_EVENTS)
    events = f"reason IS NULL AND event IN {_in(CALL_EVENTS)} AND callid <> 'NONE'"

    def segments(src: str) -> str:
        """Segments of ``src`` (events with ``callid, seg``): narrow aggregates per kind
        of event, joined (faster than one aggregate with many filters)."""
        return f"""
        WITH s AS (
            -- a segment has one start event (several only in the first, unnumbered
            -- pass, whose rows are then replaced), so any value of it is that event's
            SELECT callid, seg, count(*) AS n_starts, min(line) AS start_line,
                   any_value(queue) AS queue, min(epoch) AS entry_epoch,
                   any_value(CASE WHEN event = 'ENTERQUEUE' THEN d2 END) AS callerid
            FROM {src} WHERE event IN {starts} GROUP BY callid, seg
        ), c AS (
            SELECT callid, seg, arg_min(epoch, line) AS connect_epoch,
                   arg_min(agent, line) AS connect_agent, arg_min(d1, line) AS connect_hold,
                   min(line) FILTER (WHERE {_HERE}) AS first_line
            FROM {src} WHERE event = 'CONNECT' GROUP BY callid, seg
        ), x AS (
            SELECT callid, seg, min(line) FILTER (WHERE {_HERE}) AS first_line,
                   arg_max(event, line) AS close_event,
                   arg_max(epoch, line) AS close_epoch,
                   arg_max(CASE WHEN event IN ('ABANDON', 'EXITEMPTY', 'EXITWITHTIMEOUT')
                                THEN try_cast(d3 AS DOUBLE)
                                WHEN event = 'EXITWITHKEY' THEN try_cast(d4 AS DOUBLE) END, line)
                       AS close_wait,
                   arg_max(CASE WHEN event IN ('COMPLETEAGENT', 'COMPLETECALLER')
                                THEN try_cast(d2 AS DOUBLE)
                                WHEN event IN {_in(_TRANSFERS)} THEN try_cast(d4 AS DOUBLE) END,
                           line) AS close_talk,
                   arg_max(CASE WHEN event IN {_in(_TRANSFERS)} THEN d1 END, line) AS transfer_to,
                   arg_max(agent, line) AS close_agent
            FROM {src} WHERE event IN {close} GROUP BY callid, seg
        ), r AS (
            SELECT callid, seg, count(*) FILTER (WHERE event = 'RINGNOANSWER') AS no_answers,
                   min(line) FILTER (WHERE {_HERE}) AS first_line
            FROM {src} WHERE event IN ('RINGNOANSWER', 'RINGCANCELED') GROUP BY callid, seg
        )
        SELECT s.*,
               -- events of this file logged before the call's first start in this file
               -- (its true start is missing: rejected, or in another file)
               coalesce(s.start_line > 0 AND s.start_line < {_FAR}
                        AND least(c.first_line, x.first_line, r.first_line) < s.start_line,
                        false) AS early,
               c.connect_epoch, c.connect_agent, c.connect_hold,
               coalesce(r.no_answers, 0) AS no_answers,
               x.close_event, x.close_epoch, x.close_wait, x.close_talk, x.transfer_to,
               x.close_agent
        FROM s LEFT JOIN c USING (callid, seg) LEFT JOIN x USING (callid, seg)
               LEFT JOIN r USING (callid, seg)"""

    run(con, f"CREATE OR REPLACE TEMP VIEW _ev1 AS SELECT *, 1 AS seg FROM _ql WHERE {events}")
    run(con, f"CREATE OR REPLACE TEMP TABLE _calls AS {segments('_ev1')}")
    # events of calls that never started in this file (the log starts mid-call)
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _orphans AS
        SELECT callid, min(line) AS first_line, arg_min(event, line) AS first_event,
               count(*) AS n_events
        FROM _ev1 WHERE callid NOT IN (SELECT callid FROM _calls) GROUP BY callid""",
    )
    # Calls with several segments (or events before their start, which become segment 0)
    # are numbered by an ordered window over their events.
    renumber = "SELECT callid FROM _calls WHERE n_starts > 1 OR early"
    multi = run(con, f"SELECT count(*) FROM ({renumber})").fetchall()[0][0]
    if multi:
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _mev AS
            SELECT *, sum(CASE WHEN event IN {starts} THEN 1 ELSE 0 END)
                      OVER (PARTITION BY callid ORDER BY line
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seg
            FROM _ql WHERE {events}
              AND callid IN ({renumber})""",
        )
        run(con, f"DELETE FROM _calls WHERE callid IN ({renumber})")
        run(con, f"INSERT INTO _calls {segments('_mev')}")
        run(
            con,
            """INSERT INTO _orphans SELECT callid, min(line), arg_min(event, line), count(*)
                       FROM _mev WHERE seg = 0 GROUP BY callid""",
        )
    # Calls this file starts but does not finish, or finishes without their start, are
    # rejected (with the reason) and kept pending: the next file of the log completes them.
    batch.reject(
        f"""SELECT first_line AS line,
                  'call ' || callid || ' has ' || n_events || ' event(s) before any ENTERQUEUE'
                  || ' (the log starts in the middle of this call, or lines are out of order); '
                  || 'first: ' || first_event || '; kept pending: it lands if the file '
                  || 'with its start is ingested' AS reason
           FROM _orphans WHERE first_line > 0 AND first_line < {_FAR}""",
        raw,
    )
    batch.reject(
        f"""SELECT start_line AS line,
                  'call ' || callid || ' in queue ' || queue || ' has no closing event '
                  || '(COMPLETEAGENT/COMPLETECALLER/ABANDON/EXIT.../TRANSFER): the log ends '
                  || 'in the middle of this call, or lines are missing; kept pending: it lands '
                  || 'when the next file of this log (or a longer copy of it) completes it'
                  AS reason
           FROM _calls WHERE close_event IS NULL AND start_line > 0 AND start_line < {_FAR}""",
        raw,
    )
    wait = """CASE WHEN connect_epoch IS NULL AND close_wait IS NOT NULL THEN close_wait
        ELSE coalesce(try_cast(connect_hold AS DOUBLE), connect_epoch - entry_epoch) END"""
    talk = "close_talk"
    outcome = """CASE
        WHEN close_event IN ('FULL', 'JOINEMPTY', 'JOINUNAVAIL') THEN 'blocked'
        WHEN connect_epoch IS NOT NULL THEN 'answered'
        WHEN close_event = 'ABANDON' THEN 'abandoned'
        WHEN close_event = 'EXITWITHTIMEOUT' THEN 'timeout'
        WHEN close_event = 'EXITWITHKEY' THEN 'exit_by_key'
        WHEN close_event = 'EXITEMPTY' THEN 'exit_empty'
        ELSE 'transferred' END"""
    entry_ts = _ts("entry_epoch", "off")
    query = f"""
        SELECT 'ast:' || callid || ':' || seg AS contact_id,
               'ast:' || callid AS conversation_id,
               seg::BIGINT AS segment,
               CASE WHEN seg > 1 THEN 'ast:' || callid || ':' || (seg - 1) END AS previous_contact_id,
               'voice' AS channel, 'inbound' AS direction,
               queue, NULL::VARCHAR AS skill, NULL::SMALLINT AS priority,
               nullif(nullif(callerid, ''), 'unknown') AS customer_key,
               {entry_ts} AS arrival_ts,
               NULL::DOUBLE AS ivr_s,
               CASE WHEN o <> 'blocked' THEN {entry_ts} END AS queue_entry_ts,
               CASE WHEN o = 'answered' THEN try({entry_ts} + to_seconds(w)) END AS answer_ts,
               {_ts("close_epoch", "off")} AS end_ts,
               CASE WHEN o <> 'blocked' THEN w END AS wait_s,
               CASE WHEN o = 'answered' THEN t END AS talk_s,
               NULL::DOUBLE AS hold_s, NULL::DOUBLE AS acw_s,
               CASE WHEN o = 'answered' THEN coalesce(connect_agent, close_agent) END AS agent,
               CASE WHEN o = 'answered' THEN no_answers + 1 END AS rings,
               o AS outcome,
               (o = 'answered' AND close_event IN {_in(_TRANSFERS)}) AS transferred,
               CASE WHEN close_event IN {_in(_TRANSFERS)} THEN close_event || ' ' || coalesce(transfer_to, '') END
                   AS disposition,
               NULL::BOOLEAN AS resolved,
               {"coalesce(pm.file, " + src + ")" if merged else src} AS source_file,
               {"coalesce(pm.file_line, start_line)" if merged else "start_line"} AS source_line,
               off AS utc_offset_s
               {_REJECT_LINE if merged else ""}
        FROM (SELECT *, {outcome} AS o, {wait} AS w, {talk} AS t,
                     {_offset("entry_epoch", tz)} AS off FROM _calls
              WHERE close_event IS NOT NULL
                -- a call whose first events are missing waits for them (its segments
                -- cannot be numbered before its start is known)
                AND callid NOT IN (SELECT callid FROM _orphans)) c
        {"LEFT JOIN _pend_map pm ON pm.line = c.start_line" if merged else ""}
    """
    _keep_pending(batch, src, raw, merged)
    batch.append("contacts", _not_stored_yet(batch, query), unique=True, raw=raw)

    # ---- agent states ------------------------------------------------------------------
    _load_states(batch, src, raw, tz)
    run(con, "DROP VIEW IF EXISTS _ev1")
    drop(con, "_ql", "_calls", "_orphans", "_mev", "_pend_map", "_incomplete", "_done")
    drop(con, "_segs", "_seen")


def _not_stored_yet(batch: Batch, segments: str) -> str:
    """The rows of ``segments`` (a query of contacts) but those of a segment the store
    already holds under another number: the same call entering the same queue at the
    same time. They count as duplicates, with a note.

    A segment's number is its place among its call's start events, and a call whose
    events came from several files (pending events numbered before or after this file's
    own) can be numbered anew: a start event repeated in another form (two lines run
    together), changed or missing in one file shifts the others, and a segment stored as
    ``ast:X:1`` would land again as ``ast:X:2``, the call counted twice."""
    con = batch.store.con
    run(con, f"CREATE OR REPLACE TEMP TABLE _segs AS {segments}")
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _seen AS
        SELECT s.contact_id, arg_min(k.contact_id, k.contact_id) AS stored_as,
               arg_min(k.source_file, k.contact_id) AS file,
               arg_min(k.source_line, k.contact_id) AS line
        FROM _segs s JOIN contacts k
          ON k.conversation_id = s.conversation_id AND k.contact_id <> s.contact_id
         AND k.queue IS NOT DISTINCT FROM s.queue AND k.arrival_ts = s.arrival_ts
        GROUP BY s.contact_id""",
    )
    n, first = run(
        con,
        "SELECT count(*), arg_min([contact_id, stored_as, file, line::VARCHAR], contact_id) FROM _seen",
    ).fetchall()[0]
    if n:
        new_id, stored_as, file, line = first
        batch.duplicates["contacts"] = batch.duplicates.get("contacts", 0) + n
        where = "this file" if file == batch.file else Path(file).name
        batch.notes.append(
            f"{n:,} call segment(s) not stored: the store holds the same call entering the "
            f"same queue at the same time under another segment number (e.g. {new_id} is "
            f"{stored_as}, from {where} line {line}); a start event repeated, changed or "
            "missing in one of the files numbered the call's segments anew"
        )
    return "SELECT * FROM _segs WHERE contact_id NOT IN (SELECT contact_id FROM _seen)"


def _merge_pending(batch: Batch, raw: str) -> int:
    """Add the events of calls left pending by earlier files of the log to ``_ql``
    (those not repeated in this file: a longer copy of a log holds them itself), numbered
    before this file's lines if they are older than its first event, else after them.
    Return how many were added."""
    con = batch.store.con
    if not run(con, "SELECT count(*) FROM pending WHERE format = ?", [FORMAT]).fetchall()[0][0]:
        return 0  # (no scan of this file's lines for nothing)
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _pend_map AS
        WITH p AS (
            SELECT p.file, p.line AS file_line, p.raw,
                   try_cast(split_part(p.raw, '|', 1) AS BIGINT) AS epoch,
                   row_number() OVER (ORDER BY i.finished_at, p.file, p.line) AS n
            FROM pending p JOIN ingests i USING (batch_id)
            WHERE p.format = {literal(FORMAT)}
              AND p.raw NOT IN (SELECT raw FROM {raw} WHERE raw IS NOT NULL))
        SELECT CASE WHEN epoch < (SELECT min(epoch) FROM _ql WHERE reason IS NULL)
                    THEN n - {_FAR} ELSE n + {_FAR} END AS line, file, file_line, raw
        FROM p""",
    )
    n = int(run(con, "SELECT count(*) FROM _pend_map").fetchall()[0][0])
    if n:
        run(con, f"INSERT INTO _ql {_parse('SELECT line, raw FROM _pend_map')}")
    return n


def _load_states(batch: Batch, src: str, raw: str, tz: str | None) -> None:
    con = batch.store.con
    # +1/-1 events per agent; a span opens when the count leaves 0 and closes when it returns.
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _st AS
        SELECT line, epoch, agent, event, d1,
          CASE WHEN event IN ('AGENTLOGIN', 'AGENTCALLBACKLOGIN') THEN 'login'
               WHEN event IN ('AGENTLOGOFF', 'AGENTCALLBACKLOGOFF') THEN 'login'
               WHEN event IN ('ADDMEMBER', 'REMOVEMEMBER') THEN 'member'
               ELSE 'pause' END AS kind,
          CASE WHEN event IN ('AGENTLOGIN', 'AGENTCALLBACKLOGIN', 'ADDMEMBER', 'PAUSE', 'PAUSEALL')
               THEN 1 ELSE -1 END AS delta,
          event IN ('PAUSEALL', 'UNPAUSEALL') AS all_queues,
          queue
        FROM _ql WHERE reason IS NULL AND event IN ('AGENTLOGIN', 'AGENTLOGOFF',
          'AGENTCALLBACKLOGIN', 'AGENTCALLBACKLOGOFF', 'ADDMEMBER', 'REMOVEMEMBER',
          'PAUSE', 'UNPAUSE', 'PAUSEALL', 'UNPAUSEALL')""",
    )
    # Login/logoff and pauses are per agent (a pause of several queues at one moment is one
    # pause); memberships are counted per agent across queues so their union is a session.
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _st2 AS
        WITH dedup AS (
          -- one event per agent, kind, second and direction (per-queue copies collapse)
          SELECT agent, kind, epoch, delta, min(line) AS line,
                 arg_min(d1, line) AS d1, count(DISTINCT queue) AS nq
          FROM _st GROUP BY agent, kind, epoch, delta
        ), levels AS (
          SELECT *, CASE WHEN kind = 'member'
                 THEN sum(delta * nq) OVER w
                 ELSE NULL END AS level,
                 lag(delta) OVER w AS prev_delta
          FROM dedup
          WINDOW w AS (PARTITION BY agent, kind ORDER BY epoch, delta DESC, line
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )
        SELECT * FROM levels""",
    )
    # Openings: login/pause when not already open; member when the level rises from 0.
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _marks AS
        SELECT agent, kind, epoch, line, d1,
          CASE WHEN kind = 'member' THEN
                 CASE WHEN delta > 0 AND level - nq = 0 THEN 'open'
                      WHEN delta < 0 AND level <= 0 THEN 'close' END
               ELSE CASE WHEN delta > 0 AND coalesce(prev_delta, -1) < 0 THEN 'open'
                         WHEN delta < 0 AND coalesce(prev_delta, -1) > 0 THEN 'close'
                         WHEN delta < 0 THEN 'orphan' END
          END AS mark
        FROM _st2""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _spans AS
        SELECT agent, kind, epoch AS start_epoch, line, d1 AS reason, mark,
               lead(epoch) OVER w AS end_epoch, lead(mark) OVER w AS next_mark
        FROM _marks WHERE mark IS NOT NULL
        WINDOW w AS (PARTITION BY agent, kind ORDER BY epoch, line)""",
    )
    batch.reject(
        """SELECT line, CASE
             WHEN mark = 'orphan' THEN 'agent ' || agent || ': end of a '
                  || CASE kind WHEN 'pause' THEN 'pause' ELSE 'login' END
                  || ' with no matching start before it in this file'
             ELSE 'agent ' || agent || ': '
                  || CASE kind WHEN 'pause' THEN 'pause' WHEN 'member' THEN 'queue membership'
                     ELSE 'login' END
                  || ' with no matching end in this file (still open when the log ends, '
                  || 'or lines are missing)' END AS reason
           FROM _spans
           WHERE mark = 'orphan' OR (mark = 'open' AND coalesce(next_mark, '') <> 'close')""",
        raw,
    )
    start, end = _ts("start_epoch", "off"), _ts("end_epoch", "off")
    query = f"""
        SELECT agent, CASE kind WHEN 'pause' THEN 'not_ready' ELSE 'logged_in' END AS state,
               CASE kind WHEN 'pause' THEN nullif(reason, '') END AS reason,
               NULL::VARCHAR AS queue,
               {start} AS start_ts, {end} AS end_ts,
               (end_epoch - start_epoch)::DOUBLE AS duration_s,
               {src} AS source_file, line AS source_line, off AS utc_offset_s
        FROM (SELECT *, {_offset("start_epoch", tz)} AS off FROM _spans)
        WHERE mark = 'open' AND next_mark = 'close'
          AND NOT (kind = 'member' AND agent IN (SELECT agent FROM _spans WHERE kind = 'login'))
    """
    batch.append("agent_states", query, raw=raw)
    drop(con, "_st", "_st2", "_marks", "_spans")


def _keep_pending(batch: Batch, src: str, raw: str, merged: int) -> None:
    """Keep this file's events of calls still incomplete for the next file; forget the
    pending calls this file completed, and clear the rejects they had in earlier files."""
    con = batch.store.con
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _incomplete AS
        SELECT callid FROM _orphans UNION SELECT callid FROM _calls WHERE close_event IS NULL""",
    )
    if not run(con, "SELECT count(*) FROM pending WHERE format = ?", [FORMAT]).fetchall()[0][0]:
        batch.pending = _pend_new(batch, src, raw)
        return
    # A longer copy of the log repeats the events of a call still open: its copy (and
    # its reject) now stands for the earlier one.
    _forget(
        batch,
        f"""p.key IN (SELECT callid FROM _incomplete)
            AND p.raw IN (SELECT raw FROM {raw} WHERE raw IS NOT NULL)""",
    )
    batch.pending = _pend_new(batch, src, raw)
    calls, files, cleared = _forget(
        batch,
        """p.key IN (SELECT callid FROM _calls WHERE close_event IS NOT NULL)
           AND p.key NOT IN (SELECT callid FROM _incomplete)""",
    )
    if calls:
        batch.notes.append(
            f"{calls:,} call(s) pending from {', '.join(Path(f).name for f in files)} "
            f"completed by this file; {cleared:,} reject(s) of them there cleared"
        )


def _pend_new(batch: Batch, src: str, raw: str) -> int:
    """Keep this file's events of the calls in ``_incomplete``; return how many."""
    return int(
        run(
            batch.store.con,
            f"""INSERT INTO pending
            SELECT {literal(FORMAT)}, q.callid, {src}, q.line, r.raw, ?
            FROM _ql q JOIN {raw} r USING (line)
            WHERE q.reason IS NULL AND q.event IN {_in(CALL_EVENTS)} AND q.callid <> 'NONE'
              AND q.callid IN (SELECT callid FROM _incomplete)""",
            [batch.batch_id],
        ).fetchall()[0][0]
    )


def _forget(batch: Batch, cond: str) -> tuple[int, list[str], int]:
    """Delete the pending events of earlier files that meet ``cond`` (over ``pending
    p``), and the rejects their files had at those lines. Return the calls, their files
    and the rejects cleared."""
    con = batch.store.con
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _done AS
        SELECT DISTINCT p.key, p.file, p.line, p.batch_id FROM pending p
        WHERE p.format = {literal(FORMAT)} AND p.batch_id <> ? AND {cond}""",
        [batch.batch_id],
    )
    calls, files = run(
        con, "SELECT count(DISTINCT key), list(DISTINCT file ORDER BY file) FROM _done"
    ).fetchall()[0]
    if not calls:
        return 0, [], 0
    done = "SELECT 1 FROM _done d WHERE d.file = r.file AND d.line = r.line AND d.batch_id = r.batch_id"
    cleared = run(
        con, f"SELECT r.batch_id, count(*) FROM rejects r WHERE EXISTS ({done}) GROUP BY 1"
    ).fetchall()
    run(con, f"DELETE FROM rejects r WHERE EXISTS ({done})")
    for batch_id, n in cleared:
        run(
            con,
            "UPDATE ingests SET rows_rejected = rows_rejected - ? WHERE batch_id = ?",
            [n, batch_id],
        )
    run(
        con,
        """DELETE FROM pending p WHERE EXISTS (SELECT 1 FROM _done d WHERE d.file = p.file
           AND d.line = p.line AND d.batch_id = p.batch_id)""",
    )
    return int(calls), list(files), sum(int(n) for _, n in cleared)
