"""Bad input through the real entry point: one ``error:`` line, exit 2, no traceback.

Each case runs ``python -m callscope`` in a subprocess (what a user types), so the
whole path is covered: Typer parsing, the command's checks and ``main``'s error handler.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

from callscope.store import Store
from callscope.synth import SynthConfig, write_store

MAPPING = Path(__file__).resolve().parents[2] / "mappings" / "callscope_contacts.toml"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    (d / "folder").mkdir()
    (d / "text.duckdb").write_text("not a database\n")
    (d / "empty.csv").write_bytes(b"")
    (d / "header_only.csv").write_text("timestamp,volume\n")
    (d / "ten.csv").write_text(
        "timestamp,volume\n" + "".join(f"2024-01-01 0{i}:00:00,{i}\n" for i in range(10))
    )
    (d / "bad_dates.csv").write_text(
        "timestamp,volume\n" + "".join(f"someday{i},{i}\n" for i in range(10))
    )
    (d / "latin1.csv").write_bytes("queue,agent\nVentas,José Müller\n".encode("latin-1"))
    (d / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (d / "plan_missing.csv").write_text("interval_start,queue,calls\n2024-01-01T08:00,q1,10\n")
    (d / "plan_text.csv").write_text(
        "interval_start,queue,calls,aht_s\n2024-01-01T08:00,q1,ten,300\n"
    )
    (d / "plan_ok.csv").write_text("interval_start,queue,calls,aht_s\n2024-01-01T08:00,q1,10,300\n")
    (d / "bad_map.toml").write_text('[fields.arrived_at]\ncolumn = "when"\n')
    with gzip.open(d / "contacts.csv.gz", "wt") as f:
        f.write("contact_id,queue\n1,q1\n")
    Store(d / "empty.duckdb").close()
    # a small sample center: contacts but no forecast
    with Store(d / "small.duckdb") as store:
        write_store(SynthConfig(seed=1, days=2).sized(200, days=2), store)
    return {p.name: p for p in d.iterdir()}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callscope", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def assert_user_error(p: subprocess.CompletedProcess[str], *words: str) -> None:
    err = p.stderr.strip()
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = err.splitlines()
    assert lines[-1].startswith("error: "), err
    # one message (Rich may wrap a long line at the console width: join before matching)
    text = " ".join(lines)
    for w in words:
        assert w in text, (w, err)


# (id, argv with {name} placeholders for the fixture files, words the message must hold)
CASES = [
    ("db-dir", "kpi --db {folder}", ["--db", "is a folder"]),
    (
        "db-under-file",
        "ingest {ten.csv} --source asterisk --db {text.duckdb}/x.duckdb",
        ["cannot create the store", "--db"],
    ),
    ("rejects-no-store", "rejects --db {folder}/none.duckdb", ["no store", "callscope ingest"]),
    ("kpi-empty", "kpi --db {empty.duckdb} --by day", ["no contacts", "callscope ingest"]),
    ("kpi-by", "kpi --db {small.duckdb} --by nonsense", ["--by", "nonsense", "queue"]),
    ("kpi-interval", "kpi --db {small.duckdb} --interval 7m", ["--interval", "15m"]),
    (
        "kpi-period",
        "kpi --db {small.duckdb} --from 2024-02-01 --to 2024-01-01",
        ["--to", "must come after the start"],
    ),
    ("kpi-format", "kpi --db {small.duckdb} --format yaml", ["--format", "csv"]),
    (
        "kpi-output",
        "kpi --db {small.duckdb} --format csv -o {folder}/none/k.csv",
        ["--output", "does not exist"],
    ),
    ("agent-report-empty", "agent-report --db {empty.duckdb}", ["no contacts"]),
    (
        "agent-report-target",
        "agent-report --db {small.duckdb} --utilization-target 75",
        ["--utilization-target", "75%", "0.75"],
    ),
    ("report-dir", "report --db {small.duckdb} -o {folder}", ["--output", "is a folder"]),
    ("erlang-aht", "erlang c --calls 100 --aht-s 0 --agents 10", ["--aht-s", "> 0"]),
    (
        "erlang-threshold",
        "erlang a --calls 100 --aht-s 180 --agents 10 --patience-s 60 --target 80/-1",
        ["--target", "threshold", "30m"],
    ),
    ("staff-column", "staff --input {plan_missing.csv}", ["aht_s", "column"]),
    ("staff-number", "staff --input {plan_text.csv}", ["calls", "numeric", "ten"]),
    ("staff-target", "staff --input {plan_ok.csv} --target 80", ["--target", "80/20"]),
    ("staff-latin1", "staff --input {latin1.csv}", ["UTF-8"]),
    (
        "simulate-patience",
        "simulate --calls 100 --aht-s 180 --agents 5 --patience-s -1",
        ["--patience-s", "> 0"],
    ),
    (
        "simulate-from-store-empty",
        "simulate --input {plan_ok.csv} --from-store --db {empty.duckdb}",
        ["too few stored contacts", "--from-store"],
    ),
    ("forecast-empty", "forecast --db {empty.duckdb}", ["--db", "no contacts", "ingest"]),
    ("backtest-short", "forecast backtest --series {ten.csv}", ["10", "need at least"]),
    ("backtest-dates", "forecast backtest --series {bad_dates.csv}", ["timestamp", "someday0"]),
    ("reforecast-none", "forecast reforecast --db {small.duckdb}", ["no forecast"]),
    ("plan-none", "plan --db {small.duckdb}", ["no forecast", "callscope forecast"]),
    ("plan-chart", "plan --db {small.duckdb} --chart {folder}/c.txt", ["--chart", ".png"]),
    ("ingest-binary", "ingest {binary.bin} --source asterisk --db {folder}/i.duckdb", ["UTF-8"]),
    (
        "ingest-latin1",
        "ingest {latin1.csv} --source csv --mapping " + str(MAPPING) + " --db {folder}/i.duckdb",
        ["not UTF-8", "re-save"],
    ),
    (
        "ingest-mapping-field",
        "ingest {ten.csv} --source csv --mapping {bad_map.toml} --db {folder}/i.duckdb",
        ["arrived_at", "not a canonical contacts field"],
    ),
    (
        "ingest-mapping-binary",
        "ingest {ten.csv} --source csv --mapping {binary.bin} --db {folder}/i.duckdb",
        ["mapping", "not UTF-8"],
    ),
    (
        "ingest-gzip",
        "ingest {contacts.csv.gz} --source amazon-connect --db {folder}/i.duckdb",
        ["not Amazon Connect contact records"],
    ),
    (
        "synth-out-file",
        "synth --source csv --output-dir {text.duckdb} --contacts 50",
        ["--output-dir", "file"],
    ),
]


@pytest.mark.parametrize(("argv", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_error(files: dict[str, Path], argv: str, words: list[str]) -> None:
    args = [re.sub(r"\{([^{}]+)\}", lambda m: str(files[m.group(1)]), a) for a in argv.split()]
    assert_user_error(run(*args), *words)


def test_bad_input_loses_nothing(files: dict[str, Path]) -> None:
    """A refused command leaves the store as it was and writes no half file."""
    before = files["small.duckdb"].read_bytes()
    out = files["folder"] / "report.html"
    p = run("report", "--db", str(files["small.duckdb"]), "--from", "2026-13-01", "-o", str(out))
    assert_user_error(p, "--from", "is not a day")
    assert not out.exists()
    assert files["small.duckdb"].read_bytes() == before
    p = run("demo", "--contacts", "0", "--db", str(files["folder"] / "demo.duckdb"))
    assert_user_error(p, "--contacts")
    assert not (files["folder"] / "demo.duckdb").exists()


@pytest.mark.parametrize(
    "argv",
    ["kpi", "agent-report", "forecast", "forecast reforecast", "plan", "staff", "rejects"],
)
def test_commands_that_need_data_never_make_an_empty_store(tmp_path: Path, argv: str) -> None:
    db = tmp_path / "typo.duckdb"
    p = run(*argv.split(), "--db", str(db))
    assert_user_error(p, "--db", "no store", "callscope ingest")
    assert not db.exists()


def test_xlsx_text_is_never_a_formula(tmp_path: Path) -> None:
    """A queue named like a formula stays text in an XLSX export (no injection)."""
    import pyarrow as pa
    from openpyxl import load_workbook

    from callscope.export.tables import write_table

    out = tmp_path / "x.xlsx"
    write_table(pa.table({"queue": ['=HYPERLINK("http://x")', "ok"], "n": [1, 2]}), "xlsx", out)
    ws = load_workbook(out)["data"]
    assert ws["A2"].data_type == "s" and ws["A2"].value == '=HYPERLINK("http://x")'
