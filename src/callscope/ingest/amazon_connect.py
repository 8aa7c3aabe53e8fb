"""Amazon Connect contact trace records (CTR), as JSON lines or one JSON array.

Fields used (Amazon Connect Administrator Guide, "Contact records data model"):
``ContactId``, ``InitialContactId``, ``PreviousContactId``, ``Channel`` (VOICE, CHAT,
EMAIL; TASK is not a customer contact and is rejected with that reason),
``InitiationMethod`` (OUTBOUND -> outbound, otherwise inbound), ``InitiationTimestamp``,
``ConnectedToSystemTimestamp``, ``DisconnectTimestamp``, ``DisconnectReason``,
``TransferCompletedTimestamp``, ``TransferredToEndpoint``, ``CustomerEndpoint.Address``,
``Queue.{Name, EnqueueTimestamp, DequeueTimestamp, Duration}``,
``Agent.{Username, ConnectedToAgentTimestamp, AgentInteractionDuration,
CustomerHoldDuration, AfterContactWorkDuration}``, ``Attributes.disposition``.

Mapping: ``wait_s`` = ConnectedToAgent - Enqueue for answered contacts, else
``Queue.Duration`` (or Dequeue - Enqueue); ``talk_s`` = AgentInteractionDuration,
``hold_s`` = CustomerHoldDuration, ``acw_s`` = AfterContactWorkDuration; ``ivr_s`` =
Enqueue - (ConnectedToSystem or Initiation). Outcome: connected to an agent -> answered
(``transferred`` when a transfer completed); enqueued and never connected -> abandoned
(Amazon Connect's own definition), or ``transferred`` when the contact was transferred
out of the queue; never enqueued and never connected -> ``ivr_only``. Segments of one
contact share ``InitialContactId`` and are numbered in time order.

Timestamps are ISO 8601 UTC; ``tz`` converts them to the center's local clock.
"""

from __future__ import annotations

from pathlib import Path

from callscope.errors import InputError
from callscope.ingest.source import SourceFile
from callscope.store import Batch
from callscope.store.sql import drop, literal, run

__all__ = ["FORMAT", "load"]

FORMAT = "amazon-connect"


def _ts(expr: str, tz: str | None) -> str:
    t = f"try_cast({expr} AS TIMESTAMPTZ)"
    zone = literal(tz) if tz else "'UTC'"
    return f"try(timezone({zone}, {t})::TIMESTAMP)"


#: The times of a record, shifted together to the zone's offset at its start.
_TIMES = ("arrival_ts", "system_ts", "queue_entry_ts", "dequeue_ts", "answer_ts", "end_ts")


def _first_char(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1].decode("ascii", "replace")


def load(batch: Batch, source: SourceFile, tz: str | None = None) -> None:
    """Load contact trace records into contacts."""
    con = batch.store.con
    path, raw = source.path, source.raw
    first = _first_char(path)
    if first == "[":
        try:
            run(
                con,
                f"""CREATE OR REPLACE TEMP TABLE _ctr_raw AS
                SELECT row_number() OVER () AS line, json::VARCHAR AS raw
                FROM read_json_objects({literal(source.read_as)}, format='array')""",
            )
        except Exception as e:  # duckdb raises InvalidInputException subclasses
            raise InputError(
                f"{path}: not a valid JSON array of contact records: {str(e).splitlines()[0]}"
            ) from None
        src_table = "_ctr_raw"
    elif first == "{":
        src_table = raw
    else:
        raise InputError(
            f"{path}: not Amazon Connect contact records: expected JSON lines "
            f"(one {{...}} per line) or a JSON array, found {first!r} first"
        )

    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _ctr AS
        SELECT line, raw, CASE WHEN json_valid(raw) THEN raw::JSON END AS j
        FROM {src_table} WHERE raw IS NOT NULL AND (length(raw) > 8 OR trim(raw) <> '')""",
    )
    batch.rows_read = run(con, "SELECT count(*) FROM _ctr").fetchall()[0][0]

    def ts_check(field: str, required: bool) -> tuple[str, str]:
        *parents, last = field.split(".")
        v = "(j" + "".join(f"->{literal(p)}" for p in parents) + f"->>{literal(last)})"
        cond = f"try_cast({v} AS TIMESTAMPTZ) IS NULL"
        if not required:
            cond = f"{v} IS NOT NULL AND " + cond
        return cond, (
            f"{literal(field + ' ')} || coalesce({v}, 'is missing') "
            "|| ' is not an ISO 8601 timestamp'"
        )

    def object_check(field: str) -> tuple[str, str]:
        kind = f"json_type((j->{literal(field)}))"
        return (
            f"coalesce({kind} NOT IN ('OBJECT', 'NULL'), false)",
            f"{literal(field + ' must be a JSON object ({...}) or null, found a ')} "
            f"|| lower({kind}) || ': ' || left((j->>{literal(field)}), 40)",
        )

    def string_check(field: str) -> tuple[str, str]:
        # an id of another JSON type would be stored as its text: false -> 'false'
        kind = f"json_type((j->{literal(field)}))"
        return (
            f"coalesce({kind} NOT IN ('VARCHAR', 'NULL'), false)",
            f"{literal(field + ' must be a JSON string or null, found a ')} "
            f"|| lower({kind}) || ': ' || left((j->>{literal(field)}), 40)",
        )

    checks = [
        ("j IS NULL", "'not valid JSON (a record must be one JSON object per line)'"),
        ("json_type(j) <> 'OBJECT'", "'not a JSON object'"),
        ("coalesce(j->>'ContactId', '') = ''", "'ContactId is missing'"),
        string_check("ContactId"),
        string_check("InitialContactId"),
        string_check("PreviousContactId"),
        (
            "upper(coalesce(j->>'Channel', 'VOICE')) = 'TASK'",
            "'Channel TASK is an agent task, not a customer contact (kept here, not loaded)'",
        ),
        (
            "upper(coalesce(j->>'Channel', 'VOICE')) NOT IN ('VOICE', 'CHAT', 'EMAIL')",
            "'Channel ' || (j->>'Channel') || ' is not VOICE, CHAT or EMAIL'",
        ),
        object_check("Queue"),
        object_check("Agent"),
        object_check("CustomerEndpoint"),
        object_check("Attributes"),
        ts_check("InitiationTimestamp", True),
        ts_check("DisconnectTimestamp", False),
        ts_check("Queue.EnqueueTimestamp", False),
        ts_check("Agent.ConnectedToAgentTimestamp", False),
        ts_check("LastUpdateTimestamp", False),
    ]
    reason = "CASE " + " ".join(f"WHEN {c} THEN {m}" for c, m in checks) + " END"
    run(con, f"CREATE OR REPLACE TEMP TABLE _ctr_chk AS SELECT *, {reason} AS reason FROM _ctr")
    batch.reject("SELECT line, raw, reason FROM _ctr_chk WHERE reason IS NOT NULL")

    # times are read as UTC and written at the zone's offset at the contact's start
    # (every time of one contact at the same offset: model/tables.py)
    enq = _ts("j->'Queue'->>'EnqueueTimestamp'", None)
    deq = _ts("j->'Queue'->>'DequeueTimestamp'", None)
    conn = _ts("j->'Agent'->>'ConnectedToAgentTimestamp'", None)
    init = _ts("j->>'InitiationTimestamp'", None)
    sys_ = _ts("j->>'ConnectedToSystemTimestamp'", None)
    disc = _ts("j->>'DisconnectTimestamp'", None)
    local_init = _ts("j->>'InitiationTimestamp'", tz)
    off = f"coalesce(try((epoch({local_init}) - epoch({init}))::INTEGER), 0)"
    num = "try_cast(j->'Agent'->>'{0}' AS DOUBLE)"
    # each ->> in parentheses: DuckDB 1.5 parses "j->>'a' IS NOT NULL OR j->>'b' ..." as
    # a ->> of "'a' IS NOT NULL OR j" (a cast error)
    xfer = (
        "((j->>'TransferCompletedTimestamp') IS NOT NULL "
        "OR (j->>'TransferredToEndpoint') IS NOT NULL "
        "OR upper(coalesce(j->>'DisconnectReason', '')) LIKE '%TRANSFER%')"
    )
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _ctr_rows AS
        SELECT line, j->>'ContactId' AS contact_id,
               coalesce(nullif(j->>'InitialContactId', ''), j->>'ContactId') AS conversation_id,
               nullif(j->>'PreviousContactId', '') AS previous_contact_id,
               lower(coalesce(j->>'Channel', 'VOICE')) AS channel,
               CASE WHEN upper(coalesce(j->>'InitiationMethod', '')) = 'OUTBOUND'
                    THEN 'outbound' ELSE 'inbound' END AS direction,
               j->'Queue'->>'Name' AS queue,
               j->'CustomerEndpoint'->>'Address' AS customer_key,
               {init} AS arrival_ts, {sys_} AS system_ts,
               {enq} AS queue_entry_ts, {deq} AS dequeue_ts, {conn} AS answer_ts,
               {disc} AS end_ts, {off} AS utc_offset_s,
               try_cast(j->'Queue'->>'Duration' AS DOUBLE) AS queue_duration,
               {num.format("AgentInteractionDuration")} AS talk_s,
               {num.format("CustomerHoldDuration")} AS hold_s,
               {num.format("AfterContactWorkDuration")} AS acw_s,
               j->'Agent'->>'Username' AS agent,
               {xfer} AS xfer,
               coalesce(j->'Attributes'->>'disposition', j->'Attributes'->>'Disposition') AS disposition,
               {_ts("j->>'LastUpdateTimestamp'", None)} AS _version
        FROM _ctr_chk WHERE reason IS NULL""",
    )
    query = f"""
        SELECT contact_id, conversation_id,
               row_number() OVER (PARTITION BY conversation_id ORDER BY arrival_ts, line)
                   AS segment,
               previous_contact_id, channel, direction, queue,
               NULL::VARCHAR AS skill, NULL::SMALLINT AS priority, customer_key,
               arrival_ts,
               CASE WHEN queue_entry_ts IS NOT NULL THEN
                   greatest(epoch(queue_entry_ts) - epoch(coalesce(system_ts, arrival_ts)), 0) END
                   AS ivr_s,
               queue_entry_ts, answer_ts, end_ts,
               CASE WHEN queue_entry_ts IS NULL THEN NULL
                    WHEN answer_ts IS NOT NULL THEN greatest(epoch(answer_ts) - epoch(queue_entry_ts), 0)
                    ELSE coalesce(queue_duration, epoch(coalesce(dequeue_ts, end_ts)) - epoch(queue_entry_ts))
               END AS wait_s,
               CASE WHEN answer_ts IS NOT NULL THEN talk_s END AS talk_s,
               CASE WHEN answer_ts IS NOT NULL THEN hold_s END AS hold_s,
               CASE WHEN answer_ts IS NOT NULL THEN acw_s END AS acw_s,
               CASE WHEN answer_ts IS NOT NULL THEN agent END AS agent,
               CASE WHEN answer_ts IS NOT NULL THEN 1 END::SMALLINT AS rings,
               CASE WHEN answer_ts IS NOT NULL THEN 'answered'
                    WHEN queue_entry_ts IS NULL THEN 'ivr_only'
                    WHEN xfer THEN 'transferred'
                    ELSE 'abandoned' END AS outcome,
               (answer_ts IS NOT NULL AND xfer) AS transferred,
               disposition, NULL::BOOLEAN AS resolved,
               {literal(source.name)} AS source_file, line AS source_line, _version,
               utc_offset_s
        FROM (SELECT * REPLACE (
                  {", ".join(f"try({c} + to_seconds(utc_offset_s)) AS {c}" for c in _TIMES)})
              FROM _ctr_latest)
    """
    # A contact's record is updated as the contact goes on (Amazon Connect rewrites a CTR
    # when it changes): the newest version (LastUpdateTimestamp, then the later line)
    # of each ContactId in the file is the one loaded, and it replaces an older version
    # stored from an earlier file.
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _ctr_latest AS SELECT * FROM _ctr_rows
        QUALIFY row_number() OVER (PARTITION BY contact_id
                                   ORDER BY _version DESC NULLS LAST, line DESC) = 1""",
    )
    superseded = run(
        con, "SELECT (SELECT count(*) FROM _ctr_rows) - (SELECT count(*) FROM _ctr_latest)"
    ).fetchall()[0][0]
    if superseded:
        batch.duplicates["contacts"] = batch.duplicates.get("contacts", 0) + superseded
        batch.notes.append(
            f"{superseded:,} contact record(s) superseded by a newer version of the same "
            "ContactId later in this file (a later LastUpdateTimestamp; not stored)"
        )
    batch.append("contacts", query, raw=src_table, conflict="newer")
    drop(con, "_ctr", "_ctr_chk", "_ctr_rows", "_ctr_raw", "_ctr_latest")
