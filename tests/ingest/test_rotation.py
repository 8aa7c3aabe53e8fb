"""Logs that rotate (issue 11, item 9): a call that starts in one queue_log file and
ends in the next is kept pending and completed by the next file; the rejects it had
are cleared; the store ends up as if the log had never been split."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from callscope.ingest import ingest_files
from callscope.store import Store
from callscope.synth import SynthConfig, generate_days, write_queue_log

COLS = (
    "contact_id, conversation_id, segment, queue, customer_key, arrival_ts, answer_ts, end_ts, "
    "wait_s, talk_s, agent, rings, outcome, transferred"
)
CALL = "reason LIKE 'call %'"


@pytest.fixture(scope="module")
def day_log(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A synthetic day's queue_log, and its two halves split at the middle line."""
    d = tmp_path_factory.mktemp("rot")
    whole = d / "queue_log"
    write_queue_log(
        generate_days(SynthConfig(seed=3, start=date(2026, 1, 5)).sized(1500, days=1)), whole
    )
    lines = whole.read_text().splitlines(keepends=True)
    half = len(lines) // 2
    (d / "queue_log.1").write_text("".join(lines[:half]))
    (d / "queue_log.0").write_text("".join(lines[half:]))
    return whole, d / "queue_log.1", d / "queue_log.0"


def _contacts(store: Store) -> set[tuple]:
    return set(store.con.execute(f"SELECT {COLS} FROM contacts").fetchall())


def _call_rejects(store: Store) -> int:
    return store.con.execute(f"SELECT count(*) FROM rejects WHERE {CALL}").fetchall()[0][0]


@pytest.fixture(scope="module")
def reference(day_log, tmp_path_factory) -> set[tuple]:
    with Store(tmp_path_factory.mktemp("ref") / "r.duckdb") as s:
        ingest_files(s, [day_log[0]], "asterisk")
        assert _call_rejects(s) == 0
        return _contacts(s)


def test_a_call_split_across_rotated_files_lands_once(day_log, reference, store):
    _, first, second = day_log
    one = ingest_files(store, [first], "asterisk").files[0]
    assert one.rows_pending > 0
    split = _call_rejects(store)
    assert split > 0  # the calls still open at the end of the first file, said so
    reasons = [
        r[0] for r in store.con.execute(f"SELECT reason FROM rejects WHERE {CALL}").fetchall()
    ]
    assert any("kept pending: it lands when the next file of this log" in r for r in reasons)
    two = ingest_files(store, [second], "asterisk").files[0]
    assert _contacts(store) == reference  # as if never split
    assert _call_rejects(store) == 0  # the split calls' rejects were cleared
    assert store.count("pending") == 0
    assert any("pending from queue_log.1 completed by this file" in n for n in two.notes)
    stored = dict(store.con.execute("SELECT file, rows_rejected FROM ingests").fetchall())
    total = store.con.execute("SELECT file, count(*) FROM rejects GROUP BY 1").fetchall()
    assert {f: n for f, n in total} == {f: n for f, n in stored.items() if n}
    # a contact begun in the first file says so
    started = store.con.execute(
        "SELECT count(*) FROM contacts WHERE source_file = ? AND end_ts IS NOT NULL", [str(first)]
    ).fetchall()[0][0]
    assert started > one.tables["contacts"]  # its own calls and the ones it began


def test_a_longer_copy_of_the_log_completes_pending_calls(day_log, reference, store):
    whole, first, _ = day_log
    ingest_files(store, [first], "asterisk")
    assert store.count("pending") > 0
    ingest_files(store, [whole], "asterisk")
    assert _contacts(store) == reference
    assert _call_rejects(store) == 0 and store.count("pending") == 0


def test_a_segment_stored_from_one_file_is_not_stored_again_under_another_number(store, tmp_path):
    """Found by tests/ingest/test_fuzz.py: in one file a call's ENTERQUEUE and ABANDON
    lines ran together (a line end lost), so the call stays open there; the next file
    holds both lines and stores it. A copy of the first file then numbered the pending
    lines of the second after its own (unfinished) ENTERQUEUE: the stored segment
    ast:X:1 landed again as ast:X:2, the call offered twice."""
    enter = "1736928200|X|sales|NONE|ENTERQUEUE||+48229999999|1"
    abandon = "1736928203|X|sales|NONE|ABANDON|1|1|3\n"
    other = "1736928100|G|sales|NONE|ENTERQUEUE||+1|1\n1736928110|G|sales|NONE|ABANDON|1|1|10\n"
    glued, whole = tmp_path / "queue_log.1", tmp_path / "queue_log.0"
    glued.write_text(other + enter + abandon)
    whole.write_text(enter + "\n" + abandon)
    ingest_files(store, [glued], "asterisk")
    ingest_files(store, [whole], "asterisk")
    copy = tmp_path / "queue_log.1.copy"
    copy.write_text(glued.read_text() + "\n")
    f = ingest_files(store, [copy], "asterisk").files[0]
    assert (f.rows_loaded, f.rows_duplicate) == (0, 2)  # G (same id) and X (same call)
    assert any("ast:X:2 is ast:X:1, from queue_log.0 line 1" in n for n in f.notes), f.notes
    got = store.con.execute("SELECT contact_id, outcome FROM contacts ORDER BY 1").fetchall()
    assert got == [("ast:G:1", "abandoned"), ("ast:X:1", "abandoned")]


def test_a_bad_value_of_a_call_begun_in_an_earlier_file_is_rejected_at_a_line_of_this_file(
    store, tmp_path
):
    """Found by tests/ingest/test_fuzz.py: the reject of a call that an earlier file left
    pending named this file with the line number of that earlier file."""
    first, second = tmp_path / "queue_log.1", tmp_path / "queue_log.0"
    first.write_text(
        "1736928100|G|sales|NONE|ENTERQUEUE||+1|1\n"
        "1736928110|G|sales|NONE|ABANDON|1|1|10\n"
        "1736928200|X|sales|NONE|ENTERQUEUE||+2|1\n"
        "1736928205|X|sales|Agent/1|CONNECT|5|X.2|1\n"
    )
    second.write_text(
        "1736928300|H|sales|NONE|ENTERQUEUE||+3|1\n"
        "1736928301|X|sales|Agent/1|COMPLETECALLER|5|-7|1\n"  # a talk time of -7 s
        "1736928310|H|sales|NONE|ABANDON|1|1|10\n"
    )
    ingest_files(store, [first], "asterisk")
    two = ingest_files(store, [second], "asterisk")
    assert [(r.file, r.line) for r in two.rejects] == [(str(second), 2)]
    assert "talk_s -7" in two.rejects[0].reason
    assert f"(in a record begun at {first} line 3)" in two.rejects[0].reason
    assert store.con.execute("SELECT contact_id FROM contacts ORDER BY 1").fetchall() == [
        ("ast:G:1",),
        ("ast:H:1",),
    ]
