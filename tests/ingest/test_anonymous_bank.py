"""The Anonymous Bank call logs in ../shared/data (real data, read in place)."""

from __future__ import annotations

import csv

import pytest

from callscope.errors import InputError
from callscope.ingest import ingest_files


def test_october_rejects_exactly_the_two_malformed_rows(store, shared_data):
    path = shared_data / "anonymous_bank" / "data_anonymous_bank_october.txt"
    summary = ingest_files(store, [path], "anonymous-bank")
    assert [(r.line, r.file) for r in summary.rejects] == [(7315, str(path)), (14247, str(path))]
    assert all("expected 17 tab-separated fields, found 16" in r.reason for r in summary.rejects)
    # 34,626 lines = 1 header + 34,625 data rows; all but the two malformed land.
    assert summary.rows_read == 34_625
    assert summary.rows_loaded == 34_623 == store.count("contacts")
    stored = store.rejects()
    assert [r["line"] for r in stored] == [7315, 14247]
    assert "NW" in stored[0]["raw"]


@pytest.mark.parametrize("month", ["january", "february"])
def test_crlf_months_load_whole_and_map_outcomes(store, shared_data, month):
    path = shared_data / "anonymous_bank" / f"data_anonymous_bank_{month}.txt"
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    summary = ingest_files(store, [path], "anonymous-bank")
    assert summary.rows_rejected == 0 and summary.rows_loaded == len(rows)
    expect = {"phantom": 0, "answered": 0, "abandoned": 0, "ivr_only": 0}
    for r in rows:
        if r["outcome"] == "PHANTOM":
            expect["phantom"] += 1
        elif r["outcome"] == "AGENT":
            expect["answered"] += 1
        elif r["q_time"] == "0" and r["q_start"] == "0:00:00":
            expect["ivr_only"] += 1
        else:
            expect["abandoned"] += 1
    got = dict(store.con.execute("SELECT outcome, count(*) FROM contacts GROUP BY 1").fetchall())
    assert got == expect
    # served with no queue time waited 0 s; the waits of the others are q_time
    waits = store.con.execute(
        "SELECT sum(wait_s) FROM contacts WHERE outcome IN ('answered', 'abandoned')"
    ).fetchall()[0][0]
    assert waits == sum(
        int(r["q_time"])
        for r in rows
        if r["outcome"] != "PHANTOM"
        and not (r["outcome"] == "HANG" and r["q_time"] == "0" and r["q_start"] == "0:00:00")
    )


def test_midnight_crossing(store, shared_data):
    path = shared_data / "anonymous_bank" / "data_anonymous_bank_october.txt"
    ingest_files(store, [path], "anonymous-bank")
    # line 1230: served 23:53:56 -> 0:00:25 (389 s) ends on the next day
    start, end, talk = store.con.execute(
        "SELECT answer_ts, end_ts, talk_s FROM contacts WHERE source_line = 1230"
    ).fetchall()[0]
    assert (end - start).total_seconds() == 389 == talk
    assert end.date() > start.date()


def test_wrong_file_is_one_clear_error(store, shared_data):
    with pytest.raises(InputError, match="not an Anonymous Bank file: the header lacks"):
        ingest_files(
            store,
            [shared_data / "pwc_call_centre" / "call_centre_trends_2021.csv"],
            "anonymous-bank",
        )
    assert store.count("contacts") == 0 and store.count("ingests") == 0


def test_served_without_service_times(store, shared_data):
    """Line 25,754 of February: AGENT with ser_start = ser_exit = 0:00:00, ser_time 0."""
    path = shared_data / "anonymous_bank" / "data_anonymous_bank_february.txt"
    ingest_files(store, [path], "anonymous-bank")
    row = store.con.execute(
        "SELECT outcome, answer_ts, end_ts, talk_s, wait_s, agent FROM contacts "
        "WHERE source_line = 25754"
    ).fetchall()[0]
    # it never queued: answered as it left the VRU (18:48:02), talk time unknown
    assert row[0] == "answered" and str(row[1]) == "1999-02-28 18:48:02" == str(row[2])
    assert row[3] is None and row[4] == 0 and row[5] == "DORIT"
    assert (
        store.con.execute(
            "SELECT count(*) FROM contacts WHERE answer_ts >= '1999-03-01'"
        ).fetchall()[0][0]
        == 0
    )
