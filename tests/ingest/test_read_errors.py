"""A row the reader cannot take is one reject, never a cut row or a failed file (issue 11,
item 7): a CSV row with a field too many, one byte that is not UTF-8, one over-long line;
and a source column called ``Line`` or ``_rec`` is just data."""

from __future__ import annotations

import pytest

from callscope.errors import InputError
from callscope.ingest import ingest_files, mapped_csv, source

MAPPING = '[fields.contact_id]\ncolumn = "id"\n[fields.arrival_ts]\ncolumn = "t"\n'


def _mapping(tmp_path, extra: str = ""):
    m = tmp_path / "m.toml"
    m.write_text(MAPPING + extra)
    return m


def test_a_csv_row_with_a_field_too_many_is_rejected_not_cut(store, tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(
        "id,t,queue\n1,2025-01-01 10:00:00,sales\n2,2025-01-01 10:01:00,sales,extra\n"
        "3,2025-01-01 10:02:00,support\n"
    )
    summary = ingest_files(
        store, [p], "csv", mapping=_mapping(tmp_path, '[fields.queue]\ncolumn = "queue"\n')
    )
    f = summary.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (3, 2, 1)
    r = summary.rejects[0]
    assert (r.line, r.raw) == (3, "2,2025-01-01 10:01:00,sales,extra")
    assert r.reason.startswith("a field too many: Expected Number of Columns: 3 Found: 4")
    assert sorted(
        x[0] for x in store.con.execute("SELECT contact_id FROM contacts").fetchall()
    ) == ["1", "3"]


def test_one_byte_that_is_not_utf8_rejects_that_row_only(store, tmp_path):
    p = tmp_path / "c.csv"
    p.write_bytes(
        b"id,t,agent\n1,2025-01-01 10:00:00,ann\n2,2025-01-01 10:01:00,Jos\xe9\n\n"
        b"3,2025-01-01 10:02:00,bob\n"
    )
    summary = ingest_files(
        store, [p], "csv", mapping=_mapping(tmp_path, '[fields.agent]\ncolumn = "agent"\n')
    )
    f = summary.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (3, 2, 1)
    assert summary.rejects[0].line == 3
    assert summary.rejects[0].reason.startswith("the line is not UTF-8 text")
    got = store.con.execute("SELECT contact_id, source_line FROM contacts ORDER BY 1").fetchall()
    assert got == [("1", 2), ("3", 5)]  # true line numbers around the bad and blank lines


def test_lines_after_a_line_that_is_not_utf8_keep_their_numbers(store, tmp_path):
    """No blank line around: the lines the reader skipped are only the bad one."""
    p = tmp_path / "c.csv"
    p.write_bytes(
        b"id,t,agent\r\n1,2025-01-01 10:00:00,Jos\xe9\r\n2,2025-01-01 10:01:00,ann\r\n"
        b"3,2025-01-01 10:02:00,bob\r\n"
    )
    summary = ingest_files(
        store, [p], "csv", mapping=_mapping(tmp_path, '[fields.agent]\ncolumn = "agent"\n')
    )
    assert [r.line for r in summary.rejects] == [2]
    got = store.con.execute("SELECT contact_id, source_line FROM contacts ORDER BY 1").fetchall()
    assert got == [("2", 3), ("3", 4)]


def test_one_byte_that_is_not_utf8_in_a_queue_log(store, tmp_path):
    p = tmp_path / "queue_log"
    p.write_bytes(
        b"1736928100|a|q|NONE|ENTERQUEUE||+1|1\n1736928103|a|q|NONE|ABANDON|1|1|3\n"
        b"1736928200|b|q|NONE|ENTERQUEUE||Jos\xe9|1\n1736928203|b|q|NONE|ABANDON|1|1|3\n"
        b"1736928300|c|q|NONE|ENTERQUEUE||+3|1\n1736928303|c|q|NONE|ABANDON|1|1|3\n"
    )
    summary = ingest_files(store, [p], "asterisk")
    lines = {r.line: r.reason for r in summary.rejects}
    assert lines[3].startswith("the line is not UTF-8 text")
    assert summary.files[0].rows_read == 6
    ids = sorted(x[0] for x in store.con.execute("SELECT contact_id FROM contacts").fetchall())
    assert ids == ["ast:a:1", "ast:c:1"]
    # line numbers after the bad line stay true
    assert store.con.execute(
        "SELECT source_line FROM contacts WHERE contact_id = 'ast:c:1'"
    ).fetchall() == [(5,)]


def test_a_file_that_is_not_text_at_all_is_one_line(store, tmp_path):
    p = tmp_path / "latin1.log"
    p.write_bytes("1736928100|a|q|NONE|ENTERQUEUE||José|1\n".encode("latin-1") * 3)
    with pytest.raises(Exception) as e:
        ingest_files(store, [p], "asterisk")
    assert "not UTF-8 text (3 of 3 lines" in str(e.value)


def test_an_over_long_line_rejects_that_line_only(store, tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_LINE_BYTES", 4096)
    monkeypatch.setattr(mapped_csv, "MAX_LINE_BYTES", 4096)
    p = tmp_path / "queue_log"
    p.write_text(
        "1736928100|a|q|NONE|ENTERQUEUE||+1|1\n1736928103|a|q|NONE|ABANDON|1|1|3\n"
        f"1736928200|b|q|NONE|INFO|{'x' * 10000}\n"
        "1736928300|c|q|NONE|ENTERQUEUE||+3|1\n1736928303|c|q|NONE|ABANDON|1|1|3\n"
    )
    summary = ingest_files(store, [p], "asterisk")
    assert [(r.line, r.reason[:40]) for r in summary.rejects] == [
        (3, "the line is longer than 4,096 bytes: not")
    ]
    assert store.count("contacts") == 2


def test_an_over_long_line_the_csv_sniffer_meets_is_one_line(store, tmp_path, monkeypatch):
    """DuckDB's CSV sniffer stops at an over-long line among the rows it samples: the
    file is refused in one line (nothing of it loaded), never a traceback."""
    monkeypatch.setattr(mapped_csv, "MAX_LINE_BYTES", 4096)
    c = tmp_path / "c.csv"
    c.write_text(f"id,t\n1,2025-01-01 10:00:00\n2,{'x' * 10000}\n3,2025-01-01 10:02:00\n")
    with pytest.raises(InputError) as e:
        ingest_files(store, [c], "csv", mapping=_mapping(tmp_path))
    assert "cannot be read as CSV" in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("name", ["Line", "line", "_rec", "_chk", "contact_id", "src."])
def test_a_column_named_like_the_loaders_own_is_data(store, tmp_path, name):
    p = tmp_path / "c.csv"
    p.write_text(f"id,t,{name}\n1,2025-01-01 10:00:00,sales\n2,2025-01-01 10:01:00,support\n")
    m = _mapping(tmp_path, f'[fields.queue]\ncolumn = "{name}"\n')
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 2 and summary.rows_rejected == 0
    got = store.con.execute(
        "SELECT contact_id, queue, source_line FROM contacts ORDER BY 1"
    ).fetchall()
    assert got == [("1", "sales", 2), ("2", "support", 3)]


QL_LINES = (
    "1736928100|a|q|NONE|ENTERQUEUE||+1|1",
    "1736928103|a|q|NONE|ABANDON|1|1|3",
    "1736928200|b|q|NONE|ENTERQUEUE||+2|1",
    "1736928203|b|q|NONE|ABANDON|1|1|3",
)


@pytest.mark.parametrize(
    "ends",
    [
        ("\r\n", "\r", "\r\n", "\r\n"),  # a lone CR in a CRLF file (it ate the next "1")
        ("\n", "\r\n", "\n", "\n"),  # a CRLF in an LF file (counted as two line ends)
        ("\r", "\r\n", "\r", "\r"),  # a CRLF in a CR file
        ("\n", "\n", "\r", ""),  # a lone CR in an LF file, no line end at the end
    ],
    ids=["cr-in-crlf", "crlf-in-lf", "crlf-in-cr", "cr-in-lf"],
)
def test_mixed_line_ends_are_read_as_a_text_editor_reads_them(store, tmp_path, ends):
    p = tmp_path / "queue_log"
    p.write_bytes("".join(t + e for t, e in zip(QL_LINES, ends, strict=True)).encode())
    summary = ingest_files(store, [p], "asterisk")
    f = summary.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (4, 2, 0), summary.rejects
    assert "mixed line ends" in " ".join(f.notes)
    got = store.con.execute(
        "SELECT contact_id, source_line, arrival_ts::VARCHAR FROM contacts ORDER BY 1"
    ).fetchall()
    assert got == [
        ("ast:a:1", 1, "2025-01-15 08:01:40"),
        ("ast:b:1", 3, "2025-01-15 08:03:20"),
    ]


def test_mixed_line_ends_in_a_csv(store, tmp_path):
    p = tmp_path / "c.csv"
    p.write_bytes(
        b"id,t\r\n1,2025-01-01 10:00:00\r\n2,2025-01-01 10:01:00\r3,2025-01-01 10:02:00\r\n"
    )
    summary = ingest_files(store, [p], "csv", mapping=_mapping(tmp_path))
    assert summary.rows_loaded == 3 and summary.rows_rejected == 0, summary.rejects
    got = store.con.execute("SELECT contact_id, source_line FROM contacts ORDER BY 1").fetchall()
    assert got == [("1", 2), ("2", 3), ("3", 4)]


@pytest.mark.parametrize("text", ["[", '[{"ContactId": "a"', "[1, 2", "[{}]x"])
def test_a_json_array_that_does_not_parse_is_one_line(store, tmp_path, text):
    """DuckDB's JSON reader fails inside the file's transaction: the refusal is still
    one line, never DuckDB's "transaction is aborted"."""
    p = tmp_path / "ctr.json"
    p.write_text(text)
    with pytest.raises(InputError) as e:
        ingest_files(store, [p], "amazon-connect")
    assert "not a valid JSON array" in str(e.value) and "\n" not in str(e.value)
    assert store.count("ingests") == 0
