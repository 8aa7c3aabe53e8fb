"""The source-format writers produce the exact line formats the ingesters read."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pytest

from callscope.model import CONTACTS
from callscope.synth import (
    SynthConfig,
    SynthDay,
    generate_days,
    write_amazon_connect,
    write_contacts_csv,
    write_queue_log,
)

FIELDS = {  # event -> number of data fields
    "ENTERQUEUE": 2,
    "RINGNOANSWER": 1,
    "CONNECT": 3,
    "COMPLETEAGENT": 3,
    "COMPLETECALLER": 3,
    "TRANSFER": 5,
    "BLINDTRANSFER": 5,
    "ATTENDEDTRANSFER": 5,
    "ABANDON": 3,
    "EXITWITHTIMEOUT": 3,
    "EXITEMPTY": 3,
    "EXITWITHKEY": 4,
    "AGENTLOGIN": 1,
    "AGENTLOGOFF": 2,
    "ADDMEMBER": 1,
    "REMOVEMEMBER": 1,
    "PAUSE": 1,
    "UNPAUSE": 1,
}


@pytest.fixture(scope="module")
def queue_log(days: list[SynthDay], tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    path = tmp_path_factory.mktemp("ql") / "queue_log"
    n = write_queue_log(days, path)
    lines = path.read_text().splitlines()
    assert len(lines) == n
    return [line.split("|") for line in lines]


def _epoch(ts: datetime) -> int:
    return int(ts.replace(tzinfo=UTC).timestamp())


def test_queue_log_lines_have_the_documented_fields(queue_log: list[list[str]]) -> None:
    events = Counter(f[4] for f in queue_log)
    assert set(events) <= set(FIELDS)
    for name in (
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETEAGENT",
        "COMPLETECALLER",
        "ABANDON",
        "RINGNOANSWER",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "TRANSFER",
        "EXITWITHKEY",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
    ):
        assert events[name] > 0, name
    epochs = [int(f[0]) for f in queue_log]
    assert epochs == sorted(epochs)
    for f in queue_log:
        assert len(f) == 5 + FIELDS[f[4]], f
        if f[4] in ("AGENTLOGIN", "AGENTLOGOFF", "PAUSE", "UNPAUSE"):
            assert f[1] == "NONE" and f[2] == "NONE" and f[3].startswith("Agent/")
        elif f[4] in ("ADDMEMBER", "REMOVEMEMBER"):
            assert f[1] == "NONE" and f[5] == ""
        else:
            sec, seq = f[1].split(".")
            assert sec.isdigit() and seq.isdigit()
        if f[4] == "ENTERQUEUE":
            assert f[3] == "NONE" and f[5] == "" and f[6].startswith("+447")
        if f[4] in ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY"):
            pos, orig, wait = map(int, f[5:8])
            assert 1 <= pos <= orig and wait >= 0 and f[3] == "NONE"
        if f[4] == "CONNECT":
            assert int(f[5]) >= 0 and f[6].count(".") == 1 and int(f[7]) >= 0
        if f[4] == "ATTENDEDTRANSFER":
            assert f[5] == "BRIDGE"
        if f[4] in ("BLINDTRANSFER", "TRANSFER"):
            assert f[5].isdigit() and f[6] == "from-internal"
        if f[4] == "RINGNOANSWER":
            assert f[5] == "15000" and f[3].startswith("Agent/")
        if f[4] == "PAUSE":
            assert f[5] in ("break", "lunch", "training", "meeting", "personal")


def test_queue_log_matches_the_contacts(queue_log: list[list[str]], sample: SynthDay) -> None:
    c = sample.contacts
    voice = c.filter(pc.and_(pc.equal(c["channel"], "voice"), pc.is_valid(c["queue"])))
    enters = [f for f in queue_log if f[4] == "ENTERQUEUE"]
    assert len(enters) == voice.num_rows
    rows = {(r["conversation_id"], r["queue"]): r for r in voice.to_pylist()}
    for f in queue_log:
        if f[4] in ("COMPLETEAGENT", "COMPLETECALLER"):
            r = rows[(f[1], f[2])]
            assert r["agent"] == f[3]
            assert int(f[5]) == round(r["wait_s"])
            assert int(f[6]) == round(r["talk_s"] + r["hold_s"])
            assert int(f[0]) == _epoch(r["end_ts"])
        if f[4] == "CONNECT":
            r = rows[(f[1], f[2])]
            assert int(f[0]) == _epoch(r["answer_ts"])
        if f[4] == "ABANDON":
            r = rows[(f[1], f[2])]
            assert r["outcome"] == "abandoned" and int(f[7]) == round(r["wait_s"])


def test_a_transfer_reenters_with_the_same_uniqueid(queue_log: list[list[str]]) -> None:
    by_uid: dict[str, list[list[str]]] = {}
    for f in queue_log:
        if f[1] != "NONE":
            by_uid.setdefault(f[1], []).append(f)
    checked = 0
    for f in queue_log:
        if f[4] in ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"):
            evs = by_uid[f[1]]
            i = evs.index(f)
            nxt = evs[i + 1]
            assert nxt[4] == "ENTERQUEUE" and nxt[0] == f[0] and nxt[2] != f[2]
            checked += 1
    assert checked > 20


def test_agent_sessions_pair_up(queue_log: list[list[str]]) -> None:
    open_: dict[str, int] = {}
    for f in queue_log:
        if f[4] == "AGENTLOGIN":
            assert f[3] not in open_
            open_[f[3]] = int(f[0])
        elif f[4] == "AGENTLOGOFF":
            assert int(f[6]) == int(f[0]) - open_.pop(f[3])
    assert not open_


def test_amazon_connect_records(days: list[SynthDay], sample: SynthDay, tmp_path: Path) -> None:
    path = tmp_path / "ctr.jsonl"
    n = write_amazon_connect(days[:4], path)
    recs = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(recs) == n == sum(d.contacts.num_rows for d in days[:4])
    keys = {
        "ContactId",
        "InitialContactId",
        "PreviousContactId",
        "Channel",
        "InitiationMethod",
        "InitiationTimestamp",
        "ConnectedToSystemTimestamp",
        "DisconnectTimestamp",
        "DisconnectReason",
        "CustomerEndpoint",
        "Queue",
        "Agent",
        "Attributes",
    }
    by_id = {r["contact_id"]: r for r in sample.contacts.to_pylist()}
    seen = Counter()
    for rec in recs:
        assert keys <= set(rec)
        assert rec["Channel"] in ("VOICE", "CHAT", "EMAIL")
        assert rec["InitiationTimestamp"].endswith("Z") and len(rec["InitiationTimestamp"]) == 20
        assert rec["CustomerEndpoint"]["Type"] == "TELEPHONE_NUMBER"
        row = by_id[rec["ContactId"]]
        assert rec["CustomerEndpoint"]["Address"] == row["customer_key"]
        if rec["PreviousContactId"] is not None:
            assert rec["InitiationMethod"] == "TRANSFER"
            assert rec["InitialContactId"] == rec["PreviousContactId"]
            seen["transfer"] += 1
        if rec["Queue"] is None:
            assert row["outcome"] == "ivr_only" and rec["Agent"] is None
            seen["ivr"] += 1
            continue
        q = rec["Queue"]
        assert q["Name"] == row["queue"] and q["Duration"] == round(row["wait_s"])
        assert q["EnqueueTimestamp"] == row["queue_entry_ts"].strftime("%Y-%m-%dT%H:%M:%SZ")
        if rec["Agent"] is None:
            assert row["outcome"] != "answered"
            seen["unanswered"] += 1
        else:
            a = rec["Agent"]
            assert a["Username"] == row["agent"]
            assert a["AgentInteractionDuration"] == round(row["talk_s"])
            assert a["CustomerHoldDuration"] == round(row["hold_s"])
            assert a["AfterContactWorkDuration"] == round(row["acw_s"])
            assert a["ConnectedToAgentTimestamp"] == row["answer_ts"].strftime("%Y-%m-%dT%H:%M:%SZ")
            assert (a["NumberOfHolds"] > 0) == (row["hold_s"] > 0)
    assert seen["transfer"] and seen["ivr"] and seen["unanswered"]


def test_contacts_csv_round_trips(days: list[SynthDay], tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    n = write_contacts_csv(days[:3], path)
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        first = next(reader)
    assert tuple(header) == tuple(
        x for x in CONTACTS.names if x not in ("source_file", "source_line")
    )
    row = dict(zip(header, first, strict=True))
    datetime.strptime(row["arrival_ts"], "%Y-%m-%d %H:%M:%S")
    assert row["transferred"] in ("true", "false")
    con = duckdb.connect()
    back = con.sql(
        f"SELECT * FROM read_csv('{path}', header=true, "
        "types={'contact_id': 'VARCHAR', 'conversation_id': 'VARCHAR', "
        "'previous_contact_id': 'VARCHAR', 'customer_key': 'VARCHAR'})"
    ).to_arrow_table()
    assert back.num_rows == n == sum(d.contacts.num_rows for d in days[:3])
    orig = days[0].contacts
    assert back["contact_id"][0].as_py() == orig["contact_id"][0].as_py()
    assert back["wait_s"].null_count == sum(d.contacts["wait_s"].null_count for d in days[:3])


def test_writers_stream_generators(tmp_path: Path) -> None:
    cfg = SynthConfig(seed=2, days=2, contacts_per_day=300)
    assert write_queue_log(generate_days(cfg), tmp_path / "q") > 0
    assert write_amazon_connect(generate_days(cfg), tmp_path / "a.jsonl") > 0
    assert write_contacts_csv(generate_days(cfg), tmp_path / "c.csv") > 0


def test_queue_log_stays_sorted_across_midnight(tmp_path: Path) -> None:
    from callscope.synth import QueueSpec

    late = QueueSpec(
        "Late",
        "voice",
        1.0,
        "late",
        ((20, 23.5),) * 7,
        talk_median_s=1500,
        patience_median_s=300,
        ivr_median_s=20,
    )
    cfg = SynthConfig(seed=3, days=3, contacts_per_day=300, queues=(late,))
    days = list(generate_days(cfg))
    path = tmp_path / "q"
    write_queue_log(days, path)
    epochs = [int(line.split("|", 1)[0]) for line in path.read_text().splitlines()]
    assert epochs == sorted(epochs)
    midnight = _epoch(datetime(2026, 1, 6))
    assert any(midnight <= e < midnight + 3600 for e in epochs)  # calls ran past midnight


@pytest.mark.parametrize("channel", ["voice", "chat", "email"])
def test_single_channel_centers_generate_and_write(channel: str, tmp_path: Path) -> None:
    from callscope.synth import QueueSpec

    q = QueueSpec(
        "Only",
        channel,
        1.0,
        "x",
        ((8, 18),) * 7,
        talk_median_s=300,
        max_chats=(2,) if channel == "chat" else (1,),
        patience_median_s=float("inf") if channel == "email" else 120.0,
    )
    days = list(generate_days(SynthConfig(seed=1, days=2, contacts_per_day=200, queues=(q,))))
    assert sum(d.contacts.num_rows for d in days) > 300
    write_queue_log(days, tmp_path / "q")
    assert write_amazon_connect(days, tmp_path / "a.jsonl") == sum(
        d.contacts.num_rows for d in days
    )
    write_contacts_csv(days, tmp_path / "c.csv")
