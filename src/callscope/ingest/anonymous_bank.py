"""The Technion SEE "Anonymous Bank" call log (Israel, 1999): one row per call.

Tab-separated with a header of 17 columns::

    vru+line call_id customer_id priority type date vru_entry vru_exit vru_time
    q_start q_exit q_time outcome ser_start ser_exit ser_time server

Mapping to canonical ``contacts`` (Brown et al. 2005, JASA, section 2; the data README):

=====================  =====================================================================
canonical              source
=====================  =====================================================================
contact_id             ``ab:<date>:<vru+line>:<call_id>`` (call_id is unique per VRU line)
queue, skill           ``type`` (PS, PE, IN, NE, NW, TT service types)
priority               ``priority`` (0/1 low, 2 high)
customer_key           ``customer_id``; ``0`` means unknown (null)
arrival_ts, ivr_s      ``date`` + ``vru_entry``; ``vru_time``
queue_entry_ts         ``q_start``; for a call served with no queue time (``q_time`` 0 and
                       ``q_start`` 0:00:00) the VRU exit: it waited 0 s
answer_ts, talk_s      ``ser_start``; ``ser_time`` (hold and ACW are not in this source).
                       An AGENT row with ``ser_start`` = ``ser_exit`` = 0:00:00 and
                       ``ser_time`` 0 has no service times: answered when it left the
                       queue (or the VRU), talk time unknown (null)
wait_s                 ``q_time``
outcome                ``AGENT`` -> answered; ``HANG`` with a queue visit -> abandoned;
                       ``HANG`` with ``q_time`` 0 and ``q_start`` 0:00:00 -> ``ivr_only``
                       (hung up in the IVR: never offered); ``PHANTOM`` -> ``phantom``
                       (no real caller: never offered)
agent                  ``server``; ``NO_SERVER`` -> null
=====================  =====================================================================

Clock times belong to ``date`` and run from 0:00:00 to 23:59:59; a time more than 12 hours earlier than the VRU entry
crossed midnight and belongs to the next day (the VRU's clock runs up to minutes apart
from the ACD's, so ``vru_time`` can be negative: ``ivr_s`` is then 0). Rows that do not have 17 fields, or whose date, times, numbers
or outcome do not parse, are rejected with their line number (a number is digits only:
``0x10`` is not a number of seconds here).

Records of this log are final (written once, when the call ended; never updated): the
same call (``contact_id``) again with the very same values is a duplicate, counted and
not stored twice; with different values it is rejected, naming the line or file of the
first and the values that differ, and the first one stays.
"""

from __future__ import annotations

from callscope.errors import InputError
from callscope.ingest.source import SourceFile
from callscope.store import Batch
from callscope.store.sql import drop, literal, run

__all__ = ["COLUMNS", "FORMAT", "load"]

FORMAT = "anonymous-bank"
COLUMNS = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
_TIME_RE = r"^([01]?\d|2[0-3]):[0-5]\d:[0-5]\d$"
_INT_RE = r"^-?\d{1,18}$"


def _secs(col: str) -> str:
    """Seconds since midnight of an ``H:MM:SS`` text field."""
    return (
        f"(split_part({col}, ':', 1)::INT * 3600 + split_part({col}, ':', 2)::INT * 60"
        f" + split_part({col}, ':', 3)::INT)"
    )


def load(batch: Batch, source: SourceFile) -> None:
    """Load ``source.raw`` (the temp table of the file's lines) into ``contacts``."""
    con = batch.store.con
    path, raw = source.path, source.raw
    first = run(con, f"SELECT raw FROM {raw} WHERE line = 1").fetchall()
    header = (first[0][0] if first else "") or ""
    got = [h.strip() for h in header.split("\t")]
    missing = [c for c in COLUMNS if c not in got]
    if missing:
        raise InputError(
            f"{path}: not an Anonymous Bank file: the header lacks column(s) "
            f"{', '.join(missing)} (expected 17 tab-separated columns: {' '.join(COLUMNS)})"
        )
    idx = {c: got.index(c) + 1 for c in COLUMNS}
    f = {c: f"f[{idx[c]}]" for c in COLUMNS}

    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _ab AS
        SELECT line, raw, string_split(raw, chr(9)) AS f
        FROM {raw} WHERE line > 1 AND raw IS NOT NULL AND (length(raw) > 8 OR trim(raw) <> '')""",
    )
    batch.rows_read = run(con, "SELECT count(*) FROM _ab").fetchall()[0][0]

    checks = [
        (
            f"len(f) <> {len(COLUMNS)}",
            f"'expected {len(COLUMNS)} tab-separated fields, found ' || len(f) || "
            "' (a field is missing or two are joined by spaces instead of a tab)'",
        ),
        (
            f"try_strptime({f['date']}, '%y%m%d') IS NULL",
            f"'date ' || coalesce({f['date']}, '') || ' is not YYMMDD'",
        ),
    ]
    for c in ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit"):
        checks.append(
            (
                f"NOT regexp_matches({f[c]}, '{_TIME_RE}')",
                f"'{c} ' || coalesce({f[c]}, '') || ' is not a clock time H:MM:SS "
                "(0:00:00 to 23:59:59)'",
            )
        )
    for c in ("vru_time", "q_time", "ser_time", "priority", "call_id"):
        # vru_time may be negative: the VRU's clock runs up to minutes apart from the ACD's.
        neg = "" if c == "vru_time" else f" OR try_cast({f[c]} AS BIGINT) < 0"
        checks.append(
            (
                f"NOT coalesce(regexp_matches({f[c]}, '{_INT_RE}'), false){neg}",
                f"'{c} ' || coalesce({f[c]}, '') || ' is not a whole number of seconds'"
                if c.endswith("time")
                else f"'{c} ' || coalesce({f[c]}, '') || ' is not a non-negative integer'",
            )
        )
    checks.append(
        (
            f"{f['outcome']} NOT IN ('AGENT', 'HANG', 'PHANTOM')",
            f"'outcome ' || coalesce({f['outcome']}, '') || ' is not AGENT, HANG or PHANTOM'",
        )
    )
    # The field-count check must short-circuit the others (list indexes out of range are NULL).
    reason = "CASE " + " ".join(f"WHEN {cond} THEN {msg}" for cond, msg in checks) + " END"
    run(con, f"CREATE OR REPLACE TEMP TABLE _ab_checked AS SELECT *, {reason} AS reason FROM _ab")
    batch.reject("SELECT line, reason FROM _ab_checked WHERE reason IS NOT NULL", raw)

    day = f"strptime({f['date']}, '%y%m%d')"
    ventry = _secs(f["vru_entry"])

    def ts(col: str) -> str:
        s = _secs(col)
        # Past midnight only when far before the VRU entry: the VRU and ACD clocks
        # disagree by up to a few minutes, so a slightly earlier time is the same day.
        return f"({day} + to_seconds({s} + CASE WHEN {s} < {ventry} - 43200 THEN 86400 ELSE 0 END))"

    queued = f"NOT ({f['q_time']}::BIGINT = 0 AND {f['q_start']} = '0:00:00')"
    # AGENT rows with ser_start = ser_exit = 0:00:00 and ser_time 0 have no service times:
    # answered when the call left the queue (or the VRU), talk time unknown.
    no_service = (
        f"({f['ser_start']} = '0:00:00' AND {f['ser_exit']} = '0:00:00' "
        f"AND {f['ser_time']}::BIGINT = 0)"
    )
    left_queue = f"CASE WHEN {queued} THEN {{q_exit}} ELSE {{vru_exit}} END"
    served = f"{f['outcome']} = 'AGENT'"
    outcome = (
        f"CASE WHEN {f['outcome']} = 'PHANTOM' THEN 'phantom' "
        f"WHEN {served} THEN 'answered' "
        f"WHEN {queued} THEN 'abandoned' ELSE 'ivr_only' END"
    )
    left = left_queue.format(q_exit=ts(f["q_exit"]), vru_exit=ts(f["vru_exit"]))
    cid = f"'ab:' || {f['date']} || ':' || {f['vru+line']} || ':' || {f['call_id']}"
    query = f"""
        SELECT
            {cid} AS contact_id,
            {cid} AS conversation_id,
            1::SMALLINT AS segment,
            NULL::VARCHAR AS previous_contact_id,
            'voice' AS channel,
            'inbound' AS direction,
            CASE WHEN o IN ('answered', 'abandoned') THEN {f["type"]} END AS queue,
            {f["type"]} AS skill,
            {f["priority"]}::BIGINT AS priority,
            nullif({f["customer_id"]}, '0') AS customer_key,
            {ts(f["vru_entry"])} AS arrival_ts,
            greatest({f["vru_time"]}::DOUBLE, 0) AS ivr_s,
            CASE WHEN o NOT IN ('answered', 'abandoned') THEN NULL
                 WHEN {queued} THEN {ts(f["q_start"])}
                 ELSE {ts(f["vru_exit"])} END AS queue_entry_ts,
            CASE WHEN o = 'answered' AND {no_service} THEN {left}
                 WHEN o = 'answered' THEN {ts(f["ser_start"])} END AS answer_ts,
            CASE WHEN o = 'answered' AND {no_service} THEN {left}
                 WHEN o = 'answered' THEN {ts(f["ser_exit"])}
                 WHEN o = 'abandoned' THEN {ts(f["q_exit"])}
                 ELSE {ts(f["vru_exit"])} END AS end_ts,
            CASE WHEN o IN ('answered', 'abandoned') THEN {f["q_time"]}::DOUBLE END AS wait_s,
            CASE WHEN o = 'answered' AND NOT {no_service} THEN {f["ser_time"]}::DOUBLE END
                AS talk_s,
            NULL::DOUBLE AS hold_s,
            NULL::DOUBLE AS acw_s,
            CASE WHEN o = 'answered' THEN nullif({f["server"]}, 'NO_SERVER') END AS agent,
            CASE WHEN o = 'answered' THEN 1 END::SMALLINT AS rings,
            o AS outcome,
            false AS transferred,
            NULL::VARCHAR AS disposition,
            NULL::BOOLEAN AS resolved,
            {literal(source.name)} AS source_file,
            line AS source_line
        FROM (SELECT *, {outcome} AS o FROM _ab_checked WHERE reason IS NULL)
    """
    batch.append("contacts", query, raw=raw, conflict="reject")
    drop(con, "_ab", "_ab_checked")
