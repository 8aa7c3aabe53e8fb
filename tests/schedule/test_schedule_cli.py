"""``callscope schedule cover`` end to end: the textbook example, JSON and file outputs,
the chart, and one-line errors for bad files and options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callscope.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out = capsys.readouterr()
    return int(e.value.code or 0), out.out, out.err


@pytest.fixture
def need_csv(tmp_path: Path, textbook_need: list[int]) -> Path:
    f = tmp_path / "need.csv"
    f.write_text(
        "interval_start,queue,agents\n"
        + "".join(f"1999-02-03 {h:02d}:00,bank,{v}\n" for h, v in enumerate(textbook_need))
    )
    return f


def test_textbook_cover_json(
    capsys: pytest.CaptureFixture[str],
    need_csv: Path,
    shifts_csv: Path,
    textbook_costs: tuple[int, ...],
) -> None:
    costs = ",".join(map(str, textbook_costs))
    rc, out, err = run(
        capsys, "schedule", "cover", "--requirement", str(need_csv), "--shifts", str(shifts_csv),
        "--costs", costs, "--format", "json",
    )  # fmt: skip
    assert rc == 0, err
    d = json.loads(out)
    assert d["cost"] == 6336.0 and d["lp_bound"] == 6336.0 and d["gap"] == 0.0
    assert list(d["counts"]) == [f"Shift{i}" for i in range(1, 9)]
    assert sum(d["counts"].values()) == d["shifts"]
    assert len(d["coverage"]) == 24 and d["unmet"] == []
    assert d["coverage"][13] == {
        "interval_start": "1999-02-03 13:00",
        "required": 16.0,
        "scheduled": 16.0,
    }
    assert all(c["scheduled"] >= c["required"] for c in d["coverage"])


def test_schedule_files_and_chart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, need_csv: Path, shifts_csv: Path
) -> None:
    import openpyxl

    base = ["schedule", "cover", "--requirement", str(need_csv), "--shifts", str(shifts_csv)]
    rc, out, err = run(capsys, *base, "--format", "csv")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == "shift,template,day,start,end,hours,paid_hours,cost,breaks"
    assert "no --costs: each shift costs its hours" in err
    xlsx, png = tmp_path / "s.xlsx", tmp_path / "c.png"
    rc, _, err = run(capsys, *base, "-o", str(xlsx), "--chart", str(png))
    assert rc == 0, err
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["schedule", "metadata"]
    rows = list(wb["schedule"].values)
    assert len(rows) == len(lines)  # the same shifts, one row each
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_templates_with_a_week_of_30_minute_intervals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    need = tmp_path / "week.csv"
    rows = ["interval_start,queue,scheduled_agents,interval_s"]
    for d in range(7):
        for k in range(48):
            v = 3 if 16 <= k < 42 and d < 5 else 0
            rows.append(f"2025-01-{6 + d:02d} {k // 2:02d}:{k % 2 * 30:02d},q,{v},1800")
    need.write_text("\n".join(rows) + "\n")
    shifts = tmp_path / "t.toml"
    shifts.write_text(
        """
[[shift]]
name = "day"
start = "08:00-12:00 every 30m"
length = "8h"
days = "mon-fri"
cost_per_hour = 20
breaks = [ { name = "lunch", length = "30m", window = "3h-5h" } ]
"""
    )
    rc, out, err = run(
        capsys, "schedule", "cover", "--requirement", str(need), "--shifts", str(shifts),
        "--format", "json",
    )  # fmt: skip
    assert rc == 0, err
    d = json.loads(out)
    assert len(d["coverage"]) == 336
    # 08:00-21:00 needs 3 on the phones on weekdays: more than 3 eight-hour shifts a day
    assert d["counts"]["day"] > 15 and {p["day"] for p in d["patterns"]} == {0, 1, 2, 3, 4}
    # the last start, 12:00, ends at 20:00: 20:00-21:00 is short every weekday, and named
    assert [u["interval_start"][-5:] for u in d["unmet"]] == ["20:00", "20:30"] * 5
    assert [u["short"] for u in d["unmet"]] == [3.0] * 10


ONES = "Hour,A\n" + "".join(f"{h},1\n" for h in range(24))
BAD_CASES = [
    # (what, requirement text, shifts name, shifts text, extra args, flag, words)
    ("missing column", "interval_start,queue\n09:00,q\n", "s.csv", ONES,
     [], "--requirement", "no column of agents"),
    ("empty requirement", "", "s.csv", None, [], "--requirement", "is empty"),
    ("empty shifts", "interval_start,agents\n09:00,1\n", "s.csv", "", [], "--shifts", "is empty"),
    ("not 0/1", "interval_start,agents\n09:00,1\n", "s.csv",
     "Hour,A,B\n" + "".join(f"{h},1,{2 if h == 5 else 0}\n" for h in range(24)),
     [], "--shifts", "column 'B', row 6: '2'"),
    ("rows not a day", "interval_start,agents\n09:00,1\n", "s.csv", "Hour,A\n1,1\n2,0\n3,1\n4,0\n5,1\n6,0\n7,1\n",
     [], "--shifts", "7 rows do not split a day"),
    ("costs count", "interval_start,agents\n09:00,1\n", "s.csv", ONES,
     ["--costs", "1,2"], "--costs", "2 costs for 1 shifts"),
    ("bad toml key", "interval_start,agents\n09:00,1\n", "s.toml",
     '[[shift]]\nname = "x"\nstart = "08:00"\nlength = "8h"\ncolour = "red"\n',
     [], "--shifts", "unknown key 'colour'"),
    ("overlapping breaks", "interval_start,agents\n09:00,1\n", "s.toml",
     '[[shift]]\nstart = "08:00"\nlength = "8h"\nbreaks = [{ length = "30m", window = "2h-4h" },'
     ' { length = "30m", window = "3h-5h" }]\n', [], "--shifts", "break windows overlap"),
    ("negative agents", "interval_start,agents\n09:00,-1\n", "s.csv", ONES,
     [], "--requirement", "agents are numbers >= 0"),
    ("bad time", "interval_start,agents\nnine,1\n", "s.csv", ONES,
     [], "--requirement", "'nine' is not a time"),
    ("zero time limit", "interval_start,agents\n09:00,1\n", "s.csv", ONES,
     ["--time-limit", "0s"], "--time-limit", "above 0 seconds"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_files_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: tuple
) -> None:
    _, req_text, name, shifts_text, extra, flag, words = case
    req = tmp_path / "req.csv"
    req.write_text(req_text)
    shifts = tmp_path / name
    shifts.write_text(shifts_text if shifts_text is not None else ONES)
    rc, out, err = run(
        capsys, "schedule", "cover", "--requirement", str(req), "--shifts", str(shifts), *extra
    )
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {flag}: "), err
    assert words in err, err


def test_unknown_option_and_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rc, _, err = run(capsys, "schedule", "cover", "--requirement", "x.csv", "--shift", "y")
    assert rc == 2 and err.startswith("error: ") and err.count("\n") == 1
    rc, _, err = run(
        capsys, "schedule", "cover", "--requirement", str(tmp_path / "no.csv"), "--shifts", "y.csv"
    )
    assert rc == 2 and err == "error: --shifts: y.csv does not exist\n"
