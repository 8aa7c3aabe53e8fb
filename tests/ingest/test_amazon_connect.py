"""Amazon Connect CTR ingest, on records shaped like the contact records data model."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from callscope.errors import InputError
from callscope.ingest import ingest_files

DATA = Path(__file__).parent / "data"


def contacts(store):
    cur = store.con.execute("SELECT * FROM contacts ORDER BY contact_id")
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def test_json_lines(store):
    summary = ingest_files(store, [DATA / "ctr.jsonl"], "amazon-connect")
    assert summary.rows_read == 8
    assert summary.rows_loaded == 5
    reasons = {r.line: r.reason for r in summary.rejects}
    assert set(reasons) == {6, 7, 8}
    assert "TASK" in reasons[6]
    assert "InitiationTimestamp yesterday is not an ISO 8601 timestamp" in reasons[7]
    assert "not valid JSON" in reasons[8]
    c = contacts(store)
    a = c["c-1"]
    assert a["outcome"] == "answered" and a["queue"] == "Billing"
    assert (a["wait_s"], a["talk_s"], a["hold_s"], a["acw_s"]) == (15, 300, 30, 45)
    assert a["ivr_s"] == 29  # enqueue 09:00:30 - connected to system 09:00:01
    assert a["queue_entry_ts"] == datetime(2025, 1, 15, 9, 0, 30)
    assert a["disposition"] == "billing-question" and a["customer_key"] == "+15550001"
    b = c["c-2"]  # enqueued, never connected: abandoned (Amazon Connect's definition)
    assert b["outcome"] == "abandoned" and b["wait_s"] == 50 and b["agent"] is None
    assert c["c-3"]["outcome"] == "ivr_only" and c["c-3"]["queue_entry_ts"] is None
    chat, second = c["c-4"], c["c-5"]
    assert chat["channel"] == "chat" and chat["transferred"] and chat["segment"] == 1
    assert second["previous_contact_id"] == "c-4" and second["conversation_id"] == "c-4"
    assert second["segment"] == 2 and second["agent"] == "carol"


def test_json_array_and_timezone(store):
    summary = ingest_files(
        store, [DATA / "ctr_array.json"], "amazon-connect", tz="America/New_York"
    )
    assert summary.rows_loaded == 3 and summary.rows_rejected == 0
    ts = contacts(store)["c-1"]["queue_entry_ts"]
    assert ts == datetime(2025, 1, 15, 4, 0, 30)  # UTC-5 in January


def test_not_json(store, tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not Amazon Connect contact records"):
        ingest_files(store, [p], "amazon-connect")
