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
