"""Write generated contacts as Amazon Connect contact trace records (JSON lines).

One record per segment (a transfer makes a second record with ``InitiationMethod``
``TRANSFER``, the same ``InitialContactId`` and ``PreviousContactId`` set). Fields:
``ContactId, InitialContactId, PreviousContactId, NextContactId, Channel`` (VOICE, CHAT,
EMAIL), ``InitiationMethod, InitiationTimestamp, ConnectedToSystemTimestamp,
DisconnectTimestamp, DisconnectReason, CustomerEndpoint {Type, Address}``,
``Queue {Name, ARN, EnqueueTimestamp, DequeueTimestamp, Duration}`` (null if the contact
never queued), ``Agent {Username, ARN, ConnectedToAgentTimestamp,
AgentInteractionDuration, CustomerHoldDuration, AfterContactWorkDuration,
AfterContactWorkStartTimestamp, AfterContactWorkEndTimestamp, NumberOfHolds}`` (null if
never connected; durations whole seconds) and ``Attributes`` (the disposition, if any).
Timestamps are ISO 8601 with ``Z`` (the naive local clock written as UTC).

The days stream through DuckDB (an Arrow record-batch reader), which writes the JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from callscope.model import CONTACTS
from callscope.model.outcome import CHANNELS
from callscope.store.sql import literal, run
from callscope.synth.center import SynthDay

__all__ = ["write_amazon_connect"]

_ARN = "arn:aws:connect:eu-west-1:123456789012:instance/5c1f9d2e-0000-4000-8000-00000000c0de"


def _ts(col: str) -> str:
    return f"strftime({col}, '%Y-%m-%dT%H:%M:%SZ')"


_SQL = f"""
SELECT
  contact_id AS ContactId,
  conversation_id AS InitialContactId,
  previous_contact_id AS PreviousContactId,
  CASE WHEN transferred THEN conversation_id || '-2' END AS NextContactId,
  upper(channel) AS Channel,
  CASE WHEN segment > 1 THEN 'TRANSFER' ELSE 'INBOUND' END AS InitiationMethod,
  {_ts("arrival_ts")} AS InitiationTimestamp,
  {_ts("arrival_ts")} AS ConnectedToSystemTimestamp,
  {_ts("end_ts")} AS DisconnectTimestamp,
  CASE
    WHEN outcome = 'answered' AND NOT transferred AND hangup = 'agent' THEN 'AGENT_DISCONNECT'
    WHEN outcome IN ('answered', 'abandoned', 'ivr_only') AND NOT transferred
      THEN 'CUSTOMER_DISCONNECT'
    ELSE 'CONTACT_FLOW_DISCONNECT'
  END AS DisconnectReason,
  struct_pack(Type := 'TELEPHONE_NUMBER', Address := customer_key) AS CustomerEndpoint,
  CASE WHEN queue_entry_ts IS NULL THEN NULL ELSE struct_pack(
    Name := queue,
    ARN := '{_ARN}/queue/' || md5(queue)[1:8] || '-' || md5(queue)[9:12],
    EnqueueTimestamp := {_ts("queue_entry_ts")},
    DequeueTimestamp := {_ts("coalesce(answer_ts, queue_entry_ts + to_seconds(wait_s))")},
    Duration := CAST(round(wait_s) AS INTEGER)) END AS Queue,
  CASE WHEN answer_ts IS NULL THEN NULL ELSE struct_pack(
    Username := agent,
    ARN := '{_ARN}/agent/' || md5(agent)[1:8] || '-' || md5(agent)[9:12],
    ConnectedToAgentTimestamp := {_ts("answer_ts")},
    AgentInteractionDuration := CAST(round(talk_s) AS INTEGER),
    CustomerHoldDuration := CAST(round(hold_s) AS INTEGER),
    AfterContactWorkDuration := CAST(round(acw_s) AS INTEGER),
    AfterContactWorkStartTimestamp := {_ts("end_ts")},
    AfterContactWorkEndTimestamp := {_ts("end_ts + to_seconds(acw_s)")},
    NumberOfHolds := CAST(holds AS INTEGER)) END AS Agent,
  CASE WHEN disposition IS NULL THEN '{{}}'::JSON
       ELSE json_object('disposition', disposition) END AS Attributes
FROM _synth_ctr
"""


def _batches(
    days: Iterable[SynthDay], channels: tuple[str, ...], counted: list[int]
) -> Iterator[pa.RecordBatch]:
    for day in days:
        t = day.contacts
        d = day.details
        t = t.append_column("hangup", d["hangup"]).append_column("holds", d["holds"])
        keep = pc.is_in(t["channel"], pa.array(list(channels)))
        t = t.filter(keep)
        counted[0] += t.num_rows
        yield from t.to_batches()


def write_amazon_connect(
    days: Iterable[SynthDay],
    path: str | Path,
    channels: tuple[str, ...] = CHANNELS,
) -> int:
    """Write the contacts of ``days`` (of the given channels) as CTR JSON lines at
    ``path``; returns the number of records."""
    schema = CONTACTS.schema.append(pa.field("hangup", pa.string())).append(
        pa.field("holds", pa.int16())
    )
    counted = [0]
    reader = pa.RecordBatchReader.from_batches(schema, _batches(days, channels, counted))
    con = duckdb.connect()
    try:
        con.register("_synth_ctr", reader)
        path = Path(path)
        run(con, f"COPY ({_SQL}) TO {literal(str(path))} (FORMAT json)")
    finally:
        con.close()
    return counted[0]
