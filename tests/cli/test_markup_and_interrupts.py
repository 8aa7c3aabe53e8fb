"""Data is not markup, and Ctrl-C is one line (issue 11, items 6 and 7)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from callscope.model import CONTACTS
from callscope.store import Store

HOSTILE = ["[/x]", "[link=http://evil.example]click[/link]", "[bold red]boom"]


def _store_with_hostile_names(path: Path) -> None:
    n = len(HOSTILE)
    cols: dict[str, list[object]] = {c.name: [None] * n for c in CONTACTS.columns}
    for i, name in enumerate(HOSTILE):
        cols["contact_id"][i] = cols["conversation_id"][i] = f"c{i}"
        cols["segment"][i] = 1
        cols["channel"][i], cols["direction"][i], cols["queue"][i] = "voice", "inbound", name
        cols["agent"][i] = name
        cols["arrival_ts"][i] = cols["queue_entry_ts"][i] = datetime(2024, 1, 1, 9, i)
        cols["answer_ts"][i] = datetime(2024, 1, 1, 9, i, 10)
        cols["wait_s"][i], cols["talk_s"][i] = 10.0, 100.0
        cols["outcome"][i], cols["transferred"][i] = "answered", False
        cols["source_file"][i], cols["source_line"][i] = "t", i + 1
    with Store(path) as store, store.batch("t", "t", "sha") as b:
        b.append("contacts", pa.Table.from_pydict(cols, schema=CONTACTS.schema))
        b.reject(
            pa.table(
                {
                    "file": ["[/x].log"],
                    "line": [1],
                    "raw": ["1|[/x]|q|a|[link=x]"],
                    "reason": ["bad [/x] event"],
                }
            )
        )


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callscope", *args], capture_output=True, text=True, timeout=120
    )


def test_values_that_look_like_markup_print_as_they_are(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    _store_with_hostile_names(db)
    for args in (["kpi", "--by", "queue"], ["agent-report"], ["rejects"]):
        p = run(*args, "--db", str(db))
        assert p.returncode == 0, (args, p.stderr)
        assert "Traceback" not in p.stderr
        for name in ("[/x]", "[bold red]boom"):
            if args[0] != "rejects":
                assert name in p.stdout, (args, p.stdout)
        assert "\x1b]8;" not in p.stdout  # no terminal hyperlink was made from the data
    p = run("rejects", "--db", str(db))
    assert "bad [/x] event" in p.stdout and "1|[/x]|q|a|[link=x]" in p.stdout


def test_ctrl_c_is_one_line_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """An interrupt during a long command prints one line, exit 130, and the store is
    untouched (the running file's transaction is rolled back)."""
    db = tmp_path / "s.duckdb"
    p = subprocess.Popen(
        [sys.executable, "-m", "callscope", "synth", "--contacts", "3000000", "--days", "300"]
        + ["--db", str(db)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        # pytest-xdist's workers ignore SIGINT, and a child inherits that (Python then
        # installs no KeyboardInterrupt handler): give the command a terminal's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 60
    while not db.exists() and time.time() < deadline:  # wait until it is writing
        time.sleep(0.2)
    time.sleep(1.0)
    # a job of minutes, still running when it is interrupted
    assert p.poll() is None, "the command ended before it could be interrupted"
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("interrupted: ")
    assert "Traceback" not in err
    with Store(db, read_only=True) as s:  # a consistent store: whole days or nothing
        days = s.con.execute(
            "SELECT count(DISTINCT CAST(arrival_ts AS DATE)) FROM contacts"
        ).fetchall()[0][0]
        assert days < 300
