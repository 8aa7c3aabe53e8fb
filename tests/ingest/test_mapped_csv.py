"""CSV through a column mapping: the PwC export and a mapping's mistakes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from callscope.errors import MappingError
from callscope.ingest import ingest_files

ROOT = Path(__file__).resolve().parents[2]
PWC_MAPPING = ROOT / "mappings" / "pwc_call_centre.toml"


def test_pwc_export(store, shared_data):
    path = shared_data / "pwc_call_centre" / "call_centre_trends_2021.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    summary = ingest_files(store, [path], "csv", mapping=PWC_MAPPING)
    assert summary.rows_rejected == 0
    assert store.count("contacts") == len(rows) == 5000
    answered = [r for r in rows if r["Answered (Y/N)"] == "Y"]
    got = store.con.execute(
        "SELECT count(*), sum(wait_s), sum(talk_s) FROM contacts WHERE outcome = 'answered'"
    ).fetchall()[0]

    def hms(s: str) -> int:
        h, m, sec = map(int, s.split(":"))
        return h * 3600 + m * 60 + sec

    assert got == (
        len(answered),
        sum(int(r["Speed of answer in seconds"]) for r in answered),
        sum(hms(r["AvgTalkDuration"]) for r in answered),
    )
    rated = [r for r in rows if r["Satisfaction rating"] not in ("0", "")]
    s = store.con.execute(
        "SELECT count(*), sum(score) FROM surveys WHERE item = 'csat'"
    ).fetchall()[0]
    assert s == (len(rated), sum(int(r["Satisfaction rating"]) for r in rated))
    first = store.con.execute(
        "SELECT contact_id, agent, queue_entry_ts, disposition, resolved, source_line "
        "FROM contacts WHERE contact_id = 'ID0002'"
    ).fetchall()[0]
    assert first[1:] == (
        "Becky",
        __import__("datetime").datetime(2021, 1, 1, 9, 12, 58),
        "Technical Support",
        False,
        3,
    )


def test_yaml_mapping_and_bad_values(store, tmp_path):
    p = tmp_path / "calls.csv"
    p.write_text(
        "id;when;wait;talk;answered\n"
        "1;2025-03-01 10:00:00;12;3:05;yes\n"
        "2;2025-03-01 10:01:00;7;;no\n"
        "3;not a date;5;1:00;yes\n"
        "4;2025-03-01 10:03:00;5;1:00;maybe\n"
        "5;2025-03-01 10:04:00;x5;1:00;yes\n"
    )
    m = tmp_path / "m.yaml"
    m.write_text(
        "csv: {delimiter: ';'}\n"
        "defaults: {queue: sales, channel: voice}\n"
        "fields:\n"
        "  contact_id: id\n"
        "  queue_entry_ts: {column: when, format: '%Y-%m-%d %H:%M:%S'}\n"
        "  wait_s: {column: wait, duration: seconds}\n"
        "  talk_s: {column: talk, duration: 'mm:ss'}\n"
        "  outcome: {column: answered, values: {'yes': answered, 'no': abandoned}}\n"
    )
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 2
    reasons = {r.line: r.reason for r in summary.rejects}
    assert set(reasons) == {4, 5, 6}
    assert "queue_entry_ts: value not a date in column 'when'" in reasons[4]
    assert "outcome: value maybe" in reasons[5] and "allowed values: yes, no" in reasons[5]
    assert "wait_s: value x5" in reasons[6]
    row = store.con.execute(
        "SELECT talk_s, answer_ts, queue FROM contacts WHERE contact_id='1'"
    ).fetchall()[0]
    assert row[0] == 185 and row[2] == "sales"
    assert str(row[1]) == "2025-03-01 10:00:12"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[fields.nonsense]\ncolumn = 'a'\n[fields.arrival_ts]\ncolumn='t'\n",
            "'nonsense' is not a canonical contacts field",
        ),
        ("[fields.agent]\ncolumn = 'a'\n", "map arrival_ts or queue_entry_ts"),
        (
            "[fields.arrival_ts]\ncolumn = 'missing col'\n",
            "column(s) 'missing col' named in mapping",
        ),
        ("[fields.arrival_ts\n", "is not valid TOML"),
        ("[fields.arrival_ts]\ncolumn = 't'\nduration = 'fortnights'\n", "duration must be one of"),
    ],
)
def test_mapping_mistakes_are_one_line_errors(store, tmp_path, text, message):
    p = tmp_path / "c.csv"
    p.write_text("t,a\n2025-01-01 10:00:00,x\n")
    m = tmp_path / "m.toml"
    m.write_text(text)
    with pytest.raises(MappingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ingest_files(store, [p], "csv", mapping=m)
    assert store.count("contacts") == 0


def test_blank_lines_keep_true_line_numbers_and_duplicates_are_rejected(store, tmp_path):
    p = tmp_path / "gaps.csv"
    p.write_text(
        "id,t,outcome\n1,2025-01-01 10:00:00,answered\n\n\n2,bad,answered\n"
        "1,2025-01-01 10:05:00,abandoned\n3,2025-01-01 10:06:00,abandoned\n"
    )
    m = tmp_path / "m.toml"
    m.write_text(
        "[fields.contact_id]\ncolumn='id'\n[fields.arrival_ts]\ncolumn='t'\n"
        "[fields.outcome]\ncolumn='outcome'\n"
    )
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 2
    reasons = {r.line: r.reason for r in summary.rejects}
    assert set(reasons) == {5, 6}
    assert "arrival_ts: value bad" in reasons[5]
    assert "contact_id 1 appears again (first on line 2)" in reasons[6]
    lines = dict(store.con.execute("SELECT contact_id, source_line FROM contacts").fetchall())
    assert lines == {"1": 2, "3": 7}


def test_survey_values_off_the_scale_are_rejected(store, tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(
        "id,t,score\n1,2025-01-01 10:00:00,4\n2,2025-01-01 10:01:00,7\n"
        "3,2025-01-01 10:02:00,\n4,2025-01-01 10:03:00,good\n"
    )
    m = tmp_path / "m.toml"
    m.write_text(
        "[fields.contact_id]\ncolumn='id'\n[fields.arrival_ts]\ncolumn='t'\n"
        "[surveys.csat]\ncolumn='score'\nscale=[1, 5]\nmissing=['']\n"
    )
    summary = ingest_files(store, [p], "csv", mapping=m)
    reasons = {r.line: r.reason for r in summary.rejects}
    assert set(reasons) == {3, 5}
    assert "csat: value 7 in column 'score' is not a number from 1 to 5" in reasons[3]
    assert "csat: value good" in reasons[5]
    assert store.count("contacts") == 2
    assert store.con.execute("SELECT contact_id, score FROM surveys").fetchall() == [("1", 4.0)]
