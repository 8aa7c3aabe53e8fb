"""Ctrl-C during ingest rolls the running file back and says so; a store in use by
another process is one line naming callscope's fix; `rejects` opens the store read-only
(issue 11, item 7)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from callscope.ingest import asterisk, ingest_files
from callscope.model import TABLES
from callscope.services.ingest import RejectsRequest, rejects
from callscope.settings import load_settings
from callscope.store import Store
from callscope.store.store import Interrupted

DATA = Path(__file__).resolve().parents[1] / "ingest" / "data"


def snapshot(store: Store) -> dict[str, int]:
    return {t: store.count(t) for t in [*TABLES, "ingests", "rejects", "pending"]}


def test_ctrl_c_mid_file_rolls_it_back_and_says_so(store, monkeypatch):
    ingest_files(store, [DATA / "ctr.jsonl"], "amazon-connect")
    before = snapshot(store)

    def interrupt(*a, **k):
        raise KeyboardInterrupt  # contacts of this file are inserted by now

    monkeypatch.setattr(asterisk, "_load_states", interrupt)
    with pytest.raises(Interrupted) as e:
        ingest_files(store, [DATA / "queue_log.txt"], "asterisk")
    assert isinstance(e.value, KeyboardInterrupt)
    assert str(e.value) == (
        f"interrupted while loading {DATA / 'queue_log.txt'}: nothing of that file was stored "
        "(its transaction was rolled back); files finished before it stay loaded"
    )
    assert snapshot(store) == before
    monkeypatch.undo()
    assert ingest_files(store, [DATA / "queue_log.txt"], "asterisk").rows_loaded == 13


def test_a_real_sigint_during_ingest_leaves_the_store_as_before(tmp_path):
    """SIGINT from a hook inside the file's load (deterministic, no timer): exit 130,
    one line, the store as it was."""
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        ingest_files(s, [DATA / "ctr.jsonl"], "amazon-connect")
        before = snapshot(s)
    script = textwrap.dedent(f"""
        import os, signal, sys
        from callscope.ingest import asterisk
        real = asterisk._load_states
        def hook(*a, **k):
            os.kill(os.getpid(), signal.SIGINT)
            return real(*a, **k)
        asterisk._load_states = hook
        from callscope.cli import main
        main(["ingest", {str(DATA / "queue_log.txt")!r}, "--source", "asterisk", "--db", {str(db)!r}])
    """)
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert p.returncode == 130, p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and p.stderr.startswith("interrupted")
    with Store(db, read_only=True) as s:
        assert {k: s.count(k) for k in before if k != "pending"} == {
            k: v for k, v in before.items() if k != "pending"
        }


def test_a_store_in_use_names_callscopes_fix(tmp_path):
    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, duckdb; c = duckdb.connect({str(db)!r}); print('ready', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        for args in (
            ["rejects"],
            ["ingest", str(DATA / "queue_log.txt"), "--source", "asterisk"],
        ):
            p = subprocess.run(
                [sys.executable, "-m", "callscope", *args, "--db", str(db)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert p.returncode == 2, p.stderr
            err = p.stderr.strip()
            assert len(err.splitlines()) == 1 and "Traceback" not in err
            assert f"the store {db} is in use by another process (PID {holder.pid}" in err
            assert "wait until it finishes, or use another store with --db" in err
            assert "readonly" not in err.lower() and "duckdb.org" not in err
    finally:
        holder.communicate("", timeout=30)


def test_rejects_opens_the_store_read_only(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        ingest_files(s, [DATA / "queue_log.txt"], "asterisk")
    opened: list[bool] = []
    real = Store.__init__

    def spy(self, *a, read_only=False, **k):
        opened.append(read_only)
        real(self, *a, read_only=read_only, **k)

    monkeypatch.setattr(Store, "__init__", spy)
    r = rejects(load_settings(db=db, env={}, cwd=tmp_path), RejectsRequest())
    assert r.total == 5 and opened == [True]
