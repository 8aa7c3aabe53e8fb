"""The store's guarantees: idempotent re-ingest and atomic files, even under SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from callscope.ingest import asterisk, ingest_files
from callscope.model import TABLES
from callscope.store import Store

QL = Path(__file__).resolve().parents[1] / "ingest" / "data" / "queue_log.txt"


def snapshot(store: Store) -> dict[str, int]:
    return {t: store.count(t) for t in [*TABLES, "ingests", "rejects"]}


def test_schema_matches_model(store):
    for name, table in TABLES.items():
        cols = [r[0] for r in store.con.execute(f"DESCRIBE {name}").fetchall()]
        assert tuple(cols) == table.names
        assert store.arrow(name).schema.names == list(table.names)


def test_reingest_adds_nothing(store, tmp_path):
    ingest_files(store, [QL], "asterisk")
    before = snapshot(store)
    again = ingest_files(store, [QL], "asterisk")
    assert again.files[0].skipped and again.rows_loaded == 0
    copy = tmp_path / "renamed_copy.log"  # same rows under another name: keys dedupe
    copy.write_bytes(QL.read_bytes() + b"\n")
    third = ingest_files(store, [copy], "asterisk")
    assert third.rows_loaded == 0 and third.files[0].rows_duplicate == 13
    after = snapshot(store)
    assert {k: after[k] for k in TABLES} == {k: before[k] for k in TABLES}


def test_failure_mid_file_rolls_back(store, monkeypatch):
    ingest_files(
        store,
        [Path(__file__).resolve().parents[1] / "ingest" / "data" / "ctr.jsonl"],
        "amazon-connect",
    )
    before = snapshot(store)

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(asterisk, "_load_states", boom)  # after contacts were appended
    with pytest.raises(RuntimeError):
        ingest_files(store, [QL], "asterisk")
    assert snapshot(store) == before


def test_sigkill_mid_ingest_leaves_store_as_before(tmp_path):
    db = tmp_path / "k.duckdb"
    with Store(db) as s:
        ingest_files(
            s,
            [Path(__file__).resolve().parents[1] / "ingest" / "data" / "ctr.jsonl"],
            "amazon-connect",
        )
        before = snapshot(s)
    script = textwrap.dedent(f"""
        import os, signal
        from callscope.ingest import asterisk, ingest_files
        from callscope.store import Store
        def die(batch, *a, **k):
            # contacts of this file are already inserted in the open transaction
            assert batch.loaded["contacts"] == 9
            os.kill(os.getpid(), signal.SIGKILL)
        asterisk._load_states = die
        ingest_files(Store({str(db)!r}), [{str(QL)!r}], "asterisk")
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with Store(db) as s:
        assert snapshot(s) == before
        summary = ingest_files(s, [QL], "asterisk")  # and the file loads fine afterwards
        assert summary.files[0].tables == {"contacts": 9, "agent_states": 4}
    assert os.path.exists(db)
