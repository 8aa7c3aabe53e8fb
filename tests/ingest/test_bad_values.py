"""One bad row never breaks the store (issue 11, item 5): a value outside its domain is
rejected with the field and the range, the file's other rows land, nothing aborts, and
`callscope kpi` still runs afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callscope.cli import app
from callscope.ingest import ingest_files
from callscope.store import Store
from callscope.store.domain import MAX_DURATION_S, TIME_MAX, TIME_MIN, epoch_range

runner = CliRunner()

AB_HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver"
)
AB_FIELDS = AB_HEADER.split("\t")
AB_OK = dict(
    zip(
        AB_FIELDS,
        [
            "AA0101",
            "1",
            "0",
            "1",
            "PS",
            "990201",
            "7:02:47",
            "7:02:56",
            "9",
            "7:02:56",
            "7:03:10",
            "14",
            "AGENT",
            "7:03:10",
            "7:05:41",
            "151",
            "DORIT",
        ],
        strict=True,
    )
)


def ab_file(tmp_path: Path, **bad: str) -> Path:
    rows = [AB_HEADER, "\t".join(AB_OK.values())]
    rows.append("\t".join({**AB_OK, "call_id": "2", **bad}.values()))
    p = tmp_path / "ab.txt"
    p.write_text("\n".join(rows) + "\n")
    return p


def ql_file(tmp_path: Path, bad: str) -> Path:
    p = tmp_path / "queue_log"
    p.write_text(
        "1736928100|ok|q|NONE|ENTERQUEUE||+1|1\n"
        "1736928110|ok|q|Agent/1|CONNECT|10|x|2\n"
        "1736928290|ok|q|Agent/1|COMPLETECALLER|10|180|1\n" + bad
    )
    return p


CTR_OK = {
    "ContactId": "ok",
    "Channel": "VOICE",
    "InitiationTimestamp": "2025-01-15T09:00:00Z",
    "DisconnectTimestamp": "2025-01-15T09:05:00Z",
    "Queue": {"Name": "Q", "EnqueueTimestamp": "2025-01-15T09:00:10Z", "Duration": 20},
    "Agent": {
        "Username": "a",
        "ConnectedToAgentTimestamp": "2025-01-15T09:00:30Z",
        "AgentInteractionDuration": 200,
        "CustomerHoldDuration": 10,
    },
}


def ctr_file(tmp_path: Path, bad: dict) -> Path:
    p = tmp_path / "ctr.jsonl"
    p.write_text(
        json.dumps(CTR_OK) + "\n" + json.dumps({**CTR_OK, "ContactId": "bad", **bad}) + "\n"
    )
    return p


def csv_file(tmp_path: Path, column: str, value: str) -> tuple[Path, Path]:
    m = tmp_path / "m.toml"
    m.write_text(
        '[fields.contact_id]\ncolumn = "id"\n[fields.arrival_ts]\ncolumn = "t"\n'
        f'[fields.{column}]\ncolumn = "v"\n'
        + ('duration = "seconds"\n' if column.endswith("_s") else "")
    )
    p = tmp_path / "c.csv"
    good = {"direction": "inbound", "end_ts": "2025-01-01 10:05:00"}.get(column, "1")
    p.write_text(f"id,t,v\n1,2025-01-01 10:00:00,{good}\n2,2025-01-01 10:01:00,{value}\n")
    return p, m


AGENT = {**CTR_OK["Agent"]}
LO, HI = epoch_range()
OUTSIDE = f"is outside the times callscope stores ({TIME_MIN:%Y-%m-%d} to {TIME_MAX:%Y-%m-%d})"
NOT_DURATION = f"from 0 to {MAX_DURATION_S:,.0f} (366 days)"
CASES = [
    ("ab-priority", "anonymous-bank", lambda t: ab_file(t, priority="32768"), 3,
     "priority 32768 is out of range: priority takes whole numbers from -32,768 to 32,767"),
    ("ab-hex", "anonymous-bank", lambda t: ab_file(t, ser_time="0x10"), 3,
     "ser_time 0x10 is not a whole number of seconds"),
    ("ab-clock", "anonymous-bank", lambda t: ab_file(t, ser_exit="25:05:41"), 3,
     "ser_exit 25:05:41 is not a clock time H:MM:SS (0:00:00 to 23:59:59)"),
    ("ab-huge-wait", "anonymous-bank", lambda t: ab_file(t, q_time="99999999999"), 3,
     f"wait_s 99999999999.0 is not a duration: wait_s takes a finite number of seconds {NOT_DURATION}"),
    ("ql-epoch-far", "asterisk",
     lambda t: ql_file(t, "9999999999999|c2|q|NONE|ENTERQUEUE||+1|1\n9999999999999|c2|q|NONE|ABANDON|1|1|3\n"),
     4, f"epoch 9999999999999 {OUTSIDE[:-1]}: {LO} to {HI} seconds since 1970)"),
    ("ql-epoch-negative", "asterisk",
     lambda t: ql_file(t, "-99999999999|c2|q|NONE|ENTERQUEUE||+1|1\n-99999999999|c2|q|NONE|ABANDON|1|1|3\n"),
     4, f"epoch -99999999999 {OUTSIDE[:-1]}: {LO} to {HI} seconds since 1970)"),
    ("ql-hold-inf", "asterisk",
     lambda t: ql_file(t, "1736928300|c2|q|NONE|ENTERQUEUE||+1|1\n1736928310|c2|q|Agent/1|CONNECT|inf|x|2\n"
                          "1736928400|c2|q|Agent/1|COMPLETECALLER|inf|90|1\n"),
     4, "wait_s inf is not a duration"),
    ("ctr-hold-inf", "amazon-connect", lambda t: ctr_file(t, {"Agent": {**AGENT, "CustomerHoldDuration": "inf"}}), 2,
     "hold_s inf is not a duration"),
    ("ctr-hold-negative", "amazon-connect", lambda t: ctr_file(t, {"Agent": {**AGENT, "CustomerHoldDuration": -1e12}}), 2,
     "hold_s -1000000000000.0 is not a duration"),
    ("ctr-queue-string", "amazon-connect", lambda t: ctr_file(t, {"Queue": "Sales"}), 2,
     "Queue must be a JSON object ({...}) or null, found a varchar: Sales"),
    ("ctr-id-boolean", "amazon-connect", lambda t: ctr_file(t, {"ContactId": False}), 2,
     "ContactId must be a JSON string or null, found a boolean: false"),
    ("ctr-initial-id-number", "amazon-connect", lambda t: ctr_file(t, {"InitialContactId": 7}), 2,
     "InitialContactId must be a JSON string or null, found a "),
    ("ctr-year-294247", "amazon-connect", lambda t: ctr_file(t, {"InitiationTimestamp": "294247-01-15T09:00:00Z"}), 2,
     "InitiationTimestamp 294247-01-15T09:00:00Z is not an ISO 8601 timestamp"),
    ("ctr-year-9999", "amazon-connect", lambda t: ctr_file(t, {"InitiationTimestamp": "9999-01-15T09:00:00Z"}), 2,
     f"arrival_ts 9999-01-15 09:00:00 {OUTSIDE}"),
    ("ctr-nan", "amazon-connect", lambda t: ctr_file(t, {"Agent": {**AGENT, "AgentInteractionDuration": "nan"}}), 2,
     "talk_s nan is not a duration"),
    ("csv-nan", "csv", lambda t: csv_file(t, "wait_s", "nan"), 3, "wait_s nan is not a duration"),
    ("csv-negative", "csv", lambda t: csv_file(t, "wait_s", "-5"), 3, "wait_s -5.0 is not a duration"),
    ("csv-priority", "csv", lambda t: csv_file(t, "priority", "40000"), 3,
     "priority 40000 is out of range"),
    ("csv-direction", "csv", lambda t: csv_file(t, "direction", "sideways"), 3,
     "direction: sideways is not one of inbound, outbound"),
    ("csv-year", "csv", lambda t: csv_file(t, "end_ts", "9999-12-31 23:59:59"), 3,
     f"end_ts 9999-12-31 23:59:59 {OUTSIDE}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "fmt", "make", "line", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_a_bad_value_is_one_reject_and_kpi_still_runs(tmp_path, case, fmt, make, line, reason):
    made = make(tmp_path)
    path, mapping = made if isinstance(made, tuple) else (made, None)
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        summary = ingest_files(store, [path], fmt, mapping=mapping)
        contacts = store.count("contacts")
    f = summary.files[0]
    first = summary.rejects[0]
    assert (first.line, first.reason[: len(reason)]) == (line, reason)
    # one reject per bad row (a queue_log row is a line: each line with a bad epoch)
    assert len(summary.rejects) == (2 if case.startswith("ql-epoch") else 1)
    assert contacts == 1  # the good row landed
    if fmt != "asterisk":  # one record per row: every row is accounted for
        assert f.rows_read == f.tables.get("contacts", 0) + f.rows_rejected + f.rows_duplicate
    res = runner.invoke(app, ["kpi", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.output


def test_32768_segments_of_one_contact(tmp_path):
    p = tmp_path / "many.jsonl"
    with open(p, "w") as fh:
        for i in range(32768):
            rec = {"ContactId": f"x{i}", "InitialContactId": "x0", "Channel": "VOICE",
                   "InitiationTimestamp": f"2025-01-15T09:{i // 3600 % 60:02d}:{i % 60:02d}Z"}  # fmt: skip
            fh.write(json.dumps(rec) + "\n")
    with Store(tmp_path / "s.duckdb") as store:
        summary = ingest_files(store, [p], "amazon-connect")
    assert summary.rows_loaded == 32767 and summary.rows_rejected == 1
    assert "segment 32768 is out of range" in summary.rejects[0].reason
