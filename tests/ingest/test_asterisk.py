"""Asterisk queue_log ingest on a sample written from the Asterisk Queue Logs docs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from callscope.ingest import ingest_files

DATA = Path(__file__).parent / "data"
QL = DATA / "queue_log.txt"


def line_of(text: str) -> int:
    for i, line in enumerate(QL.read_text().splitlines(), 1):
        if text in line:
            return i
    raise AssertionError(text)


@pytest.fixture
def loaded(store):
    summary = ingest_files(store, [QL], "asterisk")
    rows = store.con.execute("SELECT * FROM contacts ORDER BY contact_id").fetchall()
    names = [d[0] for d in store.con.description]
    contacts = {r[0]: dict(zip(names, r, strict=True)) for r in rows}
    return store, summary, contacts


def test_counts_and_rejects(loaded):
    store, summary, contacts = loaded
    f = summary.files[0]
    assert f.rows_read == 41
    assert len(contacts) == 9
    assert f.tables == {"contacts": 9, "agent_states": 4}
    lines = {r.line: r.reason for r in summary.rejects}
    assert set(lines) == {
        line_of("this line is garbage"),
        line_of("17369321xx"),
        line_of("WEIRDEVENT"),
        line_of("1736932100|1736932100.13|support|NONE|ENTERQUEUE"),
        line_of("1736932200|1736932200.15"),
    }
    assert "at least 5" in lines[line_of("this line is garbage")]
    assert "epoch 17369321xx" in lines[line_of("17369321xx")]
    assert "unknown queue_log event WEIRDEVENT" in lines[line_of("WEIRDEVENT")]
    assert "no closing event" in lines[line_of("1736932200|1736932200.15")]
    assert summary.rows_rejected == 5


def test_multi_ring_call_is_one_contact(loaded):
    _, _, c = loaded
    call = c["ast:1736928100.1:1"]
    assert call["outcome"] == "answered"
    assert call["queue"] == "support"
    assert call["wait_s"] == 10 and call["talk_s"] == 180
    assert call["rings"] == 2
    assert call["agent"] == "Agent/1001"
    assert call["customer_key"] == "+48221234567"
    assert call["queue_entry_ts"] == datetime(2025, 1, 15, 8, 1, 40)
    assert call["answer_ts"] == datetime(2025, 1, 15, 8, 1, 50)
    assert call["hold_s"] is None and call["acw_s"] is None


def test_transfer_makes_linked_second_segment(loaded):
    _, _, c = loaded
    first, second = c["ast:1736928300.4:1"], c["ast:1736928300.4:2"]
    assert first["transferred"] and first["outcome"] == "answered"
    assert (first["queue"], first["wait_s"], first["talk_s"]) == ("sales", 30, 120)
    assert first["disposition"] == "BLINDTRANSFER 700"
    assert second["segment"] == 2 and second["previous_contact_id"] == first["contact_id"]
    assert second["conversation_id"] == first["conversation_id"]
    assert (second["queue"], second["wait_s"], second["talk_s"]) == ("support", 20, 128)
    assert not second["transferred"]
    assert c["ast:1736930100.11:1"]["transferred"]  # ATTENDEDTRANSFER


@pytest.mark.parametrize(
    ("cid", "outcome", "wait"),
    [
        ("ast:1736928200.3:1", "abandoned", 3),
        ("ast:1736928500.7:1", "timeout", 300),
        ("ast:1736928510.8:1", "exit_by_key", 15),
        ("ast:1736930000.10:1", "exit_empty", 30),
    ],
)
def test_exits(loaded, cid, outcome, wait):
    _, _, c = loaded
    assert c[cid]["outcome"] == outcome
    assert c[cid]["wait_s"] == wait
    assert c[cid]["agent"] is None


def test_blocked_never_entered(loaded):
    _, _, c = loaded
    blocked = c["ast:1736928520.9:1"]
    assert blocked["outcome"] == "blocked"
    assert blocked["queue_entry_ts"] is None and blocked["wait_s"] is None


def test_agent_states(loaded):
    store, _, _ = loaded
    rows = store.con.execute(
        "SELECT agent, state, reason, duration_s FROM agent_states ORDER BY agent, state"
    ).fetchall()
    assert rows == [
        ("Agent/1001", "logged_in", None, 4000.0),
        ("Agent/1001", "not_ready", "lunch", 900.0),
        # two queue memberships (support, sales) are one session: their union
        ("SIP/2001", "logged_in", None, 2996.0),
        # the per-queue pauses of one moment are one pause
        ("SIP/2001", "not_ready", "break", 600.0),
    ]


def test_timezone(store):
    ingest_files(store, [QL], "asterisk", tz="Europe/Warsaw")
    ts = store.con.execute(
        "SELECT queue_entry_ts FROM contacts WHERE contact_id = 'ast:1736928100.1:1'"
    ).fetchall()[0][0]
    assert ts == datetime(2025, 1, 15, 9, 1, 40)  # UTC+1 in January


def test_grown_log_adds_only_new_calls(store, tmp_path):
    lines = QL.read_text().splitlines()
    cut = line_of("1736928500|1736928500.7|support|NONE|ENTERQUEUE")  # .7 still in queue
    early = tmp_path / "queue_log"
    early.write_text("\n".join(lines[:cut]) + "\n")
    first = ingest_files(store, [early], "asterisk")
    assert first.files[0].tables["contacts"] == 4  # .1, .3 and both segments of .4
    assert any("1736928500.7" in r.reason and "no closing event" in r.reason for r in first.rejects)
    early.write_text("\n".join(lines) + "\n")  # the log grew
    second = ingest_files(store, [early], "asterisk")
    assert second.files[0].tables["contacts"] == 5  # only the calls not stored before
    assert store.count("contacts") == 9
    assert store.con.execute(
        "SELECT outcome FROM contacts WHERE contact_id = 'ast:1736928500.7:1'"
    ).fetchall() == [("timeout",)]


def test_events_before_a_calls_only_start_keep_it_pending(store, tmp_path):
    """A call whose first ENTERQUEUE is unreadable: its CONNECT and TRANSFER come before
    the ENTERQUEUE of its second segment. They are not folded into that segment (a wait,
    agent and queue mixed from two segments); the call waits for its start, as a call
    with two starts does, and lands whole when it comes."""
    p = tmp_path / "queue_log"
    p.write_text(
        "1736928100|G|sales|NONE|ENTERQUEUE||+1|1\n"
        "1736928110|G|sales|NONE|ABANDON|1|1|10\n"
        "1736928300|Y|sales|NONE|ENTERQUEU||+2|1\n"  # unreadable: unknown event
        "1736928330|Y|sales|SIP/2001|CONNECT|30|Y.2|4\n"
        "1736928450|Y|sales|SIP/2001|BLINDTRANSFER|700|from-internal|30|120|1\n"
        "1736928452|Y|support|NONE|ENTERQUEUE||+2|1\n"
        "1736928472|Y|support|Agent/1001|CONNECT|20|Y.3|3\n"
        "1736928600|Y|support|Agent/1001|COMPLETEAGENT|20|128|1\n"
    )
    f = ingest_files(store, [p], "asterisk").files[0]
    assert store.con.execute("SELECT contact_id FROM contacts").fetchall() == [("ast:G:1",)]
    rejects = store.con.execute("SELECT line, reason FROM rejects ORDER BY line").fetchall()
    assert [line for line, _ in rejects] == [3, 4]
    assert "call Y has 5 event(s) before any ENTERQUEUE" not in rejects[1][1]
    assert "call Y has 2 event(s) before any ENTERQUEUE" in rejects[1][1]
    assert f.rows_pending == 5
    start = tmp_path / "queue_log.fixed"  # the start, as a later file
    start.write_text("1736928300|Y|sales|NONE|ENTERQUEUE||+2|1\n")
    ingest_files(store, [start], "asterisk")
    got = store.con.execute(
        "SELECT contact_id, queue, wait_s, agent, outcome, transferred FROM contacts "
        "WHERE conversation_id = 'ast:Y' ORDER BY 1"
    ).fetchall()
    assert got == [
        ("ast:Y:1", "sales", 30.0, "SIP/2001", "answered", True),
        ("ast:Y:2", "support", 20.0, "Agent/1001", "answered", False),
    ]
    assert store.count("pending") == 0
