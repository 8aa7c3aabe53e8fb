"""An independent checker of rosters in the Employee Shift Scheduling Benchmark format.

Plain Python over the instance's text and the roster CSV (``employee,day,shift``), written
from the benchmark's description (Curtois & Qu 2014; https://schedulingbenchmarks.org/nrp/)
and sharing no code with callscope's reader, model or solver, so that a bug there cannot
hide here. Boundary convention of the common validators: a run of shifts or of days off
that touches the first or the last day is never too short; the maximum-consecutive rule
applies to every run. A weekend (days 5-6, 12-13, ...) counts when either day is worked.
"""

from __future__ import annotations

import csv
from pathlib import Path


def read_sections(text: str) -> dict[str, list[list[str]]]:
    """Section name -> rows of stripped cells (comments and blank lines dropped)."""
    out: dict[str, list[list[str]]] = {}
    name = None
    for raw in text.splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            name = line
            out[name] = []
        else:
            assert name is not None
            out[name].append([c.strip() for c in line.split(",")])
    return out


def read_roster_csv(path: Path) -> dict[tuple[str, int], str]:
    """(employee, day) -> shift id from a roster CSV; two shifts on one day is an error."""
    out: dict[tuple[str, int], str] = {}
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["employee", "day", "shift"], rows[0]
    for emp, day, shift in rows[1:]:
        key = (emp, int(day))
        assert key not in out, f"{emp} has two shifts on day {day}"
        out[key] = shift
    return out


def check(instance_text: str, roster: dict[tuple[str, int], str]) -> tuple[list[str], int]:
    """The hard rules ``roster`` breaks and its objective (unmet request weights plus
    cover shortfall and excess times their weights)."""
    sec = read_sections(instance_text)
    days = int(sec["SECTION_HORIZON"][0][0])
    length = {r[0]: int(r[1]) for r in sec["SECTION_SHIFTS"]}
    cannot_follow = {r[0]: {x for x in r[2].split("|") if x} for r in sec["SECTION_SHIFTS"]}
    bad: list[str] = []
    staff = sec["SECTION_STAFF"]
    names = {r[0] for r in staff}
    for (emp, day), shift in roster.items():
        if emp not in names:
            bad.append(f"unknown employee {emp}")
        if not 0 <= day < days:
            bad.append(f"{emp}: day {day} outside the horizon")
        if shift not in length:
            bad.append(f"{emp}: unknown shift {shift}")
    for r in staff:
        emp = r[0]
        plan = [roster.get((emp, d)) for d in range(days)]
        limits = dict(item.split("=") for item in r[1].split("|") if item)
        for shift, n in limits.items():
            if sum(1 for s in plan if s == shift) > int(n):
                bad.append(f"{emp}: too many {shift}")
        minutes = sum(length[s] for s in plan if s)
        if minutes > int(r[2]):
            bad.append(f"{emp}: {minutes} > max minutes {r[2]}")
        if minutes < int(r[3]):
            bad.append(f"{emp}: {minutes} < min minutes {r[3]}")
        max_on, min_on, min_off, max_wk = int(r[4]), int(r[5]), int(r[6]), int(r[7])
        d = 0
        while d < days:
            working = plan[d] is not None
            e = d
            while e + 1 < days and (plan[e + 1] is not None) == working:
                e += 1
            n = e - d + 1
            inner = d > 0 and e < days - 1
            if working and n > max_on:
                bad.append(f"{emp}: {n} shifts in a row from day {d}")
            if working and inner and n < min_on:
                bad.append(f"{emp}: {n} shifts in a row from day {d}, fewer than {min_on}")
            if not working and inner and n < min_off:
                bad.append(f"{emp}: {n} days off in a row from day {d}, fewer than {min_off}")
            d = e + 1
        weekends = sum(
            1
            for w in range(days // 7 + 1)
            if any(dd < days and plan[dd] is not None for dd in (7 * w + 5, 7 * w + 6))
        )
        if weekends > max_wk:
            bad.append(f"{emp}: {weekends} weekends > {max_wk}")
        for d in range(days - 1):
            a, b = plan[d], plan[d + 1]
            if a and b and b in cannot_follow.get(a, set()):
                bad.append(f"{emp}: {b} on day {d + 1} after {a}")
    for r in sec.get("SECTION_DAYS_OFF", []):
        for d in r[1:]:
            if d and (r[0], int(d)) in roster:
                bad.append(f"{r[0]}: works on day off {d}")
    objective = 0
    for r in sec.get("SECTION_SHIFT_ON_REQUESTS", []):
        if roster.get((r[0], int(r[1]))) != r[2]:
            objective += int(r[3])
    for r in sec.get("SECTION_SHIFT_OFF_REQUESTS", []):
        if roster.get((r[0], int(r[1]))) == r[2]:
            objective += int(r[3])
    on: dict[tuple[int, str], int] = {}
    for (_, day), shift in roster.items():
        on[day, shift] = on.get((day, shift), 0) + 1
    for r in sec["SECTION_COVER"]:
        n = on.get((int(r[0]), r[1]), 0)
        need = int(r[2])
        objective += max(0, need - n) * int(r[3]) + max(0, n - need) * int(r[4])
    return bad, objective


def check_files(instance: Path, roster_csv: Path) -> tuple[list[str], int]:
    """:func:`check` on files."""
    return check(Path(instance).read_text(), read_roster_csv(roster_csv))
