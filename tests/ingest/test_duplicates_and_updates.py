"""Keys, duplicates and updated records (issue 11, items 3 and 4).

* Without a mapped contact_id a CSV row's content is its key: same-named files
  (jan/export.csv, feb/export.csv, a daily export overwritten in place) never collide,
  an export that grew adds only its new rows, and every row not stored is counted and
  explained.
* Amazon Connect contact records are updatable: the newest LastUpdateTimestamp wins,
  in the file and against the store, and what was replaced is reported.
* Anonymous Bank records are final: the same record again is a duplicate; the same call
  with other values is rejected, naming the first and what differs.
"""

from __future__ import annotations

import json
from pathlib import Path

from callscope.ingest import ingest_files
from callscope.store import Store

MAPPING = """
[defaults]
queue = "main"
[fields.arrival_ts]
column = "when"
[fields.agent]
column = "agent"
"""


def _csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("when,agent\n" + "".join(f"{w},{a}\n" for w, a in rows))
    return path


def _accounted(summary) -> None:
    for f in summary.files:
        if not f.skipped:
            assert f.rows_read == f.tables.get("contacts", 0) + f.rows_rejected + f.rows_duplicate


def test_same_named_exports_do_not_collide(store, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text(MAPPING)
    jan = _csv(
        tmp_path / "jan" / "export.csv",
        [("2025-01-02 10:00:00", "ann"), ("2025-01-02 10:05:00", "bob")],
    )
    feb = _csv(
        tmp_path / "feb" / "export.csv",
        [("2025-02-03 10:00:00", "cid"), ("2025-02-03 10:05:00", "dan")],
    )
    summary = ingest_files(store, [jan, feb], "csv", mapping=m)
    assert [f.rows_loaded for f in summary.files] == [2, 2]
    assert [f.rows_duplicate for f in summary.files] == [0, 0]
    assert store.count("contacts") == 4
    _accounted(summary)


def test_a_daily_export_overwritten_in_place_keeps_every_day(store, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text(MAPPING)
    daily = tmp_path / "export.csv"
    _csv(daily, [("2025-01-02 10:00:00", "ann")])
    ingest_files(store, [daily], "csv", mapping=m)
    _csv(daily, [("2025-01-03 10:00:00", "bob")])
    second = ingest_files(store, [daily], "csv", mapping=m)
    assert second.rows_loaded == 1 and store.count("contacts") == 2
    _accounted(second)


def test_an_export_that_grew_adds_only_its_new_rows_and_says_why(store, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text(MAPPING)
    rows = [(f"2025-01-02 10:0{i}:00", "ann") for i in range(5)]
    p = _csv(tmp_path / "export.csv", rows[:3])
    ingest_files(store, [p], "csv", mapping=m)
    _csv(p, rows)  # grew by two rows
    grown = ingest_files(store, [p], "csv", mapping=m)
    f = grown.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_duplicate) == (5, 2, 3)
    assert f.notes == (
        "3 contacts row(s) not stored: the same contact_id is already stored, from an "
        "earlier ingest of the same file and line (3)",
    )
    other = _csv(tmp_path / "copy.csv", rows[:2])
    again = ingest_files(store, [other], "csv", mapping=m)
    assert again.files[0].notes == (
        "2 contacts row(s) not stored: the same contact_id is already stored, from export.csv (2)",
    )
    assert store.count("contacts") == 5
    _accounted(grown)
    _accounted(again)
    js = again.to_json()
    assert js["rows_duplicate"] == 2 and js["files"][0]["notes"] == list(again.files[0].notes)


def test_a_row_with_a_survey_answer_counts_once_as_a_duplicate(store, tmp_path):
    """A row read again is one duplicate, not one per table its values reach (its
    contact and its survey answer)."""
    m = tmp_path / "m.toml"
    m.write_text(MAPPING + '[surveys.csat]\ncolumn = "csat"\nscale = [1, 5]\n')
    first, copy = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("when,agent,csat\n2025-01-02 10:00:00,ann,4\n2025-01-02 10:05:00,bob,\n")
    copy.write_bytes(first.read_bytes() + b"\n")
    ingest_files(store, [first], "csv", mapping=m)
    again = ingest_files(store, [copy], "csv", mapping=m)
    f = again.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_duplicate) == (2, 0, 0, 2)
    assert any("1 surveys row(s) not stored" in n for n in f.notes)
    _accounted(again)


def test_identical_rows_of_one_file_are_two_contacts(store, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text(MAPPING)
    p = _csv(tmp_path / "e.csv", [("2025-01-02 10:00:00", "ann")] * 2)
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 2 and store.count("contacts") == 2


def _ctr(cid: str, updated: str | None, *, answered: bool, talk: float = 240) -> dict:
    rec = {
        "ContactId": cid,
        "Channel": "VOICE",
        "InitiationTimestamp": "2025-01-15T09:00:00Z",
        "DisconnectTimestamp": "2025-01-15T09:06:00Z",
        "Queue": {"Name": "Q", "EnqueueTimestamp": "2025-01-15T09:00:10Z", "Duration": 20},
    }
    if updated:
        rec["LastUpdateTimestamp"] = updated
    if answered:
        rec["Agent"] = {
            "Username": "alice",
            "ConnectedToAgentTimestamp": "2025-01-15T09:00:30Z",
            "AgentInteractionDuration": talk,
        }
    return rec


def _jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _contact(store: Store, cid: str) -> tuple:
    return store.con.execute(
        "SELECT outcome, talk_s, source_file FROM contacts WHERE contact_id = ?", [cid]
    ).fetchall()[0]


def test_a_newer_contact_record_replaces_the_stale_one(store, tmp_path):
    first = _jsonl(tmp_path / "a.jsonl", _ctr("c1", "2025-01-15T09:01:00Z", answered=False))
    ingest_files(store, [first], "amazon-connect")
    assert _contact(store, "c1")[:2] == ("abandoned", None)
    newer = _jsonl(tmp_path / "b.jsonl", _ctr("c1", "2025-01-15T09:07:00Z", answered=True))
    summary = ingest_files(store, [newer], "amazon-connect")
    f = summary.files[0]
    assert (f.rows_loaded, f.rows_replaced, f.rows_duplicate) == (1, 1, 0)
    assert f.notes == (
        "1 stored contacts row(s) replaced by a newer version of the record (from a.jsonl (1))",
    )
    assert _contact(store, "c1") == ("answered", 240.0, str(newer))
    assert store.count("contacts") == 1
    assert summary.to_json()["rows_replaced"] == 1
    # an older version arriving later changes nothing, and says so
    older = _jsonl(tmp_path / "c.jsonl", _ctr("c1", "2025-01-15T09:02:00Z", answered=False))
    late = ingest_files(store, [older], "amazon-connect").files[0]
    assert (late.rows_loaded, late.rows_replaced, late.rows_duplicate) == (0, 0, 1)
    assert "the store holds the same or a newer version of their contact_id" in late.notes[0]
    assert _contact(store, "c1")[:2] == ("answered", 240.0)
    for s in (summary,):
        _accounted(s)


def test_within_a_file_the_latest_update_wins_whatever_the_order(store, tmp_path):
    p = _jsonl(
        tmp_path / "mixed.jsonl",
        _ctr("c2", "2025-01-15T09:09:00Z", answered=True, talk=300),
        _ctr("c2", "2025-01-15T09:01:00Z", answered=False),
        _ctr("c3", None, answered=False),
        _ctr("c3", None, answered=True, talk=60),  # no versions: the later line wins
    )
    summary = ingest_files(store, [p], "amazon-connect")
    f = summary.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_duplicate) == (4, 2, 2)
    assert "2 contact record(s) superseded by a newer version" in f.notes[0]
    assert _contact(store, "c2")[:2] == ("answered", 300.0)
    assert _contact(store, "c3")[:2] == ("answered", 60.0)
    _accounted(summary)
    # a record with no version never replaces one stored
    again = _jsonl(tmp_path / "again.jsonl", _ctr("c3", None, answered=False))
    f2 = ingest_files(store, [again], "amazon-connect").files[0]
    assert (f2.rows_loaded, f2.rows_replaced, f2.rows_duplicate) == (0, 0, 1)


AB_HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\n"
)
AB_ROW = "AA0101\t{id}\t0\t1\tPS\t990201\t7:02:47\t7:02:56\t9\t7:02:56\t7:03:10\t14\tAGENT\t7:03:10\t7:05:41\t{talk}\tDORIT\n"


def test_anonymous_bank_records_are_final(store, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(AB_HEADER + AB_ROW.format(id=1, talk=151) + AB_ROW.format(id=2, talk=151))
    ingest_files(store, [a], "anonymous-bank")
    b = tmp_path / "b.txt"  # call 1 again, the very same; call 2 with another talk time
    b.write_text(
        AB_HEADER
        + AB_ROW.format(id=1, talk=151)
        + AB_ROW.format(id=2, talk=999)
        + AB_ROW.format(id=3, talk=20)
        + AB_ROW.format(id=3, talk=20)
        + AB_ROW.format(id=3, talk=21)
    )
    summary = ingest_files(store, [b], "anonymous-bank")
    f = summary.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_duplicate) == (5, 1, 2, 2)
    reasons = {r.line: r.reason for r in summary.rejects}
    assert reasons[3] == (
        f"contact_id ab:990201:AA0101:2 is already stored (from {a} line 3) with other "
        "values: talk_s 151.0 stored, 999.0 here; records of this source are final: the "
        "stored one is kept"
    )
    assert reasons[6] == (
        "contact_id ab:990201:AA0101:3 appears again (first on line 4 of this file) with "
        "other values: talk_s 20.0 on line 4, 21.0 here; records of this source are "
        "final: the first one is kept"
    )
    assert f.notes == (
        "2 contacts row(s) not stored: the very same record is already stored, from a.txt "
        "(1), repeated in this file (1)",
    )
    talk = dict(store.con.execute("SELECT contact_id, talk_s FROM contacts").fetchall())
    assert talk == {
        "ab:990201:AA0101:1": 151.0,
        "ab:990201:AA0101:2": 151.0,
        "ab:990201:AA0101:3": 20.0,
    }
    _accounted(summary)
