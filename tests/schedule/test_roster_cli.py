"""``callscope roster solve`` through the real entry point: the JSON summary, the roster
CSV judged by the independent checker, and bad input as one ``error:`` line, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from checker import check_files

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "shift_scheduling"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callscope", "roster", "solve", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_solve_writes_the_roster_and_a_json_summary(tmp_path: Path) -> None:
    inst = DATA / "Instance1.txt"
    if not inst.is_file():
        pytest.skip("../shared/data is not beside the project")
    out = tmp_path / "roster.csv"
    p = run(str(inst), "--time-limit", "30", "--output", str(out), "--format", "json")
    assert p.returncode == 0, p.stderr
    summary = json.loads(p.stdout)
    assert {"objective", "bound", "gap", "seconds", "feasible"} <= summary.keys()
    assert summary["objective"] == 607 and summary["bound"] == 607
    assert summary["gap"] == 0.0 and summary["feasible"] is True
    bad, objective = check_files(inst, out)
    assert bad == [] and objective == 607
    assert out.read_text().splitlines()[0] == "employee,day,shift"


def test_table_output_names_every_agent(tmp_path: Path) -> None:
    inst = DATA / "Instance1.txt"
    if not inst.is_file():
        pytest.skip("../shared/data is not beside the project")
    p = run(str(inst), "--time-limit", "30")
    assert p.returncode == 0, p.stderr
    assert "607" in p.stdout
    for agent in "ABCDEFGH":
        assert f"\n│ {agent} " in p.stdout


@pytest.fixture
def bad(tmp_path: Path) -> dict[str, Path]:
    good = (
        "SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\n"
        "A,D=7,5000,0,7,1,1,2\nSECTION_COVER\n0,D,1,100,1\n"
    )
    files = {
        "no_cover.txt": good.split("SECTION_COVER")[0],
        "unknown_shift.txt": good.replace("0,D,1,100,1", "0,N,1,100,1"),
        "columns.txt": good.replace("0,D,1,100,1", "0,D,1,100"),
        "good.txt": good,
    }
    out = {}
    for name, text in files.items():
        out[name] = tmp_path / name
        out[name].write_text(text)
    (tmp_path / "folder").mkdir()
    out["folder"] = tmp_path / "folder"
    return out


@pytest.mark.parametrize(
    ("name", "extra", "expect"),
    [
        ("no_cover.txt", (), "error: FILE: no_cover.txt: no SECTION_COVER"),
        ("unknown_shift.txt", (), "error: FILE: unknown_shift.txt:8: unknown shift id 'N'"),
        ("columns.txt", (), "error: FILE: columns.txt:8: SECTION_COVER rows have 5 columns"),
        ("missing.txt", (), "error: FILE: "),
        ("good.txt", ("--time-limit", "0"), "error: --time-limit: must be > 0 seconds"),
        ("good.txt", ("--output", "FOLDER"), "error: --output: "),
    ],
)
def test_bad_input_is_one_line(
    bad: dict[str, Path], tmp_path: Path, name: str, extra: tuple[str, ...], expect: str
) -> None:
    path = bad.get(name, tmp_path / name)
    args = [str(bad["folder"]) if a == "FOLDER" else a for a in extra]
    p = run(str(path), *args)
    assert p.returncode == 2
    assert p.stderr.startswith(expect), p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and p.stdout == ""
