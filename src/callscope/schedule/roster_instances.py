"""Reader of the Employee Shift Scheduling Benchmark's text format (Curtois & Qu, 2014).

The format (https://schedulingbenchmarks.org/nrp/, described in each file's comments):
``#`` starts a comment, blank lines are ignored, and a line ``SECTION_<NAME>`` opens a
section whose rows are comma-separated:

=========================== =========================================================
``SECTION_HORIZON``         one number: days (day 0 is a Monday)
``SECTION_SHIFTS``          id, length in minutes, ids that cannot follow it (``|``)
``SECTION_STAFF``           id, max shifts per type (``D=14|E=0``), max total minutes,
                            min total minutes, max consecutive shifts, min consecutive
                            shifts, min consecutive days off, max weekends
``SECTION_DAYS_OFF``        employee id, day indexes (hard)
``SECTION_SHIFT_ON_REQUESTS``  employee id, day, shift id, weight (soft)
``SECTION_SHIFT_OFF_REQUESTS`` employee id, day, shift id, weight (soft)
``SECTION_COVER``           day, shift id, requirement, weight under, weight over
=========================== =========================================================

Every row is checked once, here: a mistake raises one
:class:`~callscope.errors.CallscopeError` naming the file, the line and the fix
(``Instance1.txt:12: unknown shift id 'X' (shifts: D)``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from callscope.errors import CallscopeError
from callscope.schedule.roster import (
    Agent,
    Contract,
    Cover,
    RosterProblem,
    ShiftRequest,
    ShiftType,
)

__all__ = ["SECTIONS", "parse_instance", "read_instance"]

#: section -> (columns, what they are); ``None`` columns: variable (days off)
SECTIONS: dict[str, tuple[int | None, str]] = {
    "SECTION_HORIZON": (1, "days"),
    "SECTION_SHIFTS": (3, "ShiftID, minutes, shifts that cannot follow (| separated)"),
    "SECTION_STAFF": (
        8,
        "ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
        "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends",
    ),
    "SECTION_DAYS_OFF": (None, "EmployeeID, day indexes"),
    "SECTION_SHIFT_ON_REQUESTS": (4, "EmployeeID, Day, ShiftID, Weight"),
    "SECTION_SHIFT_OFF_REQUESTS": (4, "EmployeeID, Day, ShiftID, Weight"),
    "SECTION_COVER": (5, "Day, ShiftID, Requirement, Weight for under, Weight for over"),
}
_REQUIRED = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER")


def read_instance(path: Path | str) -> RosterProblem:
    """The instance in the file ``path`` (see the module docstring)."""
    p = Path(path)
    if p.is_dir():
        raise CallscopeError(f"{p} is a folder; give an instance file", field="instance")
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CallscopeError(f"{p}: no such file", field="instance") from None
    except UnicodeDecodeError:
        raise CallscopeError(
            f"{p}: not a text file (the benchmark format is UTF-8 text)", field="instance"
        ) from None
    return parse_instance(text, name=p.name)


class _Line:
    """One data row: where it is, for errors."""

    __slots__ = ("cells", "name", "no")

    def __init__(self, name: str, no: int, cells: list[str]) -> None:
        self.name, self.no, self.cells = name, no, cells

    def fail(self, message: str) -> CallscopeError:
        return CallscopeError(f"{self.name}:{self.no}: {message}", field="instance")

    def int(self, i: int, what: str, *, low: int = 0) -> int:
        raw = self.cells[i]
        try:
            v = int(raw)
        except ValueError:
            raise self.fail(f"{what} must be a whole number; got {raw!r}") from None
        if v < low:
            raise self.fail(f"{what} must be >= {low}; got {v}")
        return v


def parse_instance(text: str, *, name: str = "<instance>") -> RosterProblem:
    """The instance written in ``text`` (``name`` is the file name used in errors)."""
    sections: dict[str, list[_Line]] = {}
    current: str | None = None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise CallscopeError(
                    f"{name}:{no}: unknown section {line!r} (sections: {', '.join(SECTIONS)})",
                    field="instance",
                )
            if line in sections:
                raise CallscopeError(f"{name}:{no}: {line} appears twice", field="instance")
            current = line
            sections[current] = []
            continue
        if current is None:
            raise CallscopeError(
                f"{name}:{no}: data before the first section; the file starts with SECTION_HORIZON",
                field="instance",
            )
        cells = [c.strip() for c in line.split(",")]
        want, what = SECTIONS[current]
        ln = _Line(name, no, cells)
        if want is not None and len(cells) != want:
            raise ln.fail(f"{current} rows have {want} columns ({what}); this one has {len(cells)}")
        if want is None and len(cells) < 1:
            raise ln.fail(f"{current} rows are: {what}")
        sections[current].append(ln)
    for sec in _REQUIRED:
        if sec not in sections:
            raise CallscopeError(
                f"{name}: no {sec} (the benchmark format needs {', '.join(_REQUIRED)})",
                field="instance",
            )

    rows = sections["SECTION_HORIZON"]
    if len(rows) != 1:
        where = rows[1] if len(rows) > 1 else None
        msg = "SECTION_HORIZON holds one number, the days"
        raise where.fail(msg) if where else CallscopeError(f"{name}: {msg}", field="instance")
    horizon = rows[0].int(0, "the horizon", low=1)

    shifts: list[ShiftType] = []
    follow: list[tuple[_Line, str, list[str]]] = []
    for ln in sections["SECTION_SHIFTS"]:
        sid = ln.cells[0]
        if not sid:
            raise ln.fail("empty shift id")
        if any(s.id == sid for s in shifts):
            raise ln.fail(f"shift {sid!r} defined twice")
        shifts.append(ShiftType(sid, ln.int(1, f"shift {sid} length (minutes)", low=1)))
        follow.append((ln, sid, [x.strip() for x in ln.cells[2].split("|") if x.strip()]))
    if not shifts:
        raise CallscopeError(f"{name}: SECTION_SHIFTS has no shift", field="instance")
    known = {s.id for s in shifts}

    def shift_id(ln: _Line, raw: str) -> str:
        if raw not in known:
            raise ln.fail(f"unknown shift id {raw!r} (shifts: {', '.join(sorted(known))})")
        return raw

    forbidden = set()
    for ln, sid, after in follow:
        for t in after:
            forbidden.add((sid, shift_id(ln, t)))

    staff: dict[str, tuple[_Line, Contract]] = {}
    for ln in sections["SECTION_STAFF"]:
        eid = ln.cells[0]
        if not eid:
            raise ln.fail("empty employee id")
        if eid in staff:
            raise ln.fail(f"employee {eid!r} defined twice")
        caps: dict[str, int] = {}
        for item in (x.strip() for x in ln.cells[1].split("|") if x.strip()):
            sid, sep, n = item.partition("=")
            if not sep:
                raise ln.fail(f"max shifts are written SHIFT=N joined by |; got {item!r}")
            try:
                caps[shift_id(ln, sid.strip())] = int(n)
            except ValueError:
                raise ln.fail(
                    f"max shifts of {sid.strip()} must be a whole number; got {n!r}"
                ) from None
        staff[eid] = (
            ln,
            Contract(
                max_shifts=caps,
                max_minutes=ln.int(2, "MaxTotalMinutes"),
                min_minutes=ln.int(3, "MinTotalMinutes"),
                max_consecutive_shifts=ln.int(4, "MaxConsecutiveShifts", low=1),
                min_consecutive_shifts=ln.int(5, "MinConsecutiveShifts", low=1),
                min_consecutive_days_off=ln.int(6, "MinConsecutiveDaysOff", low=1),
                max_weekends=ln.int(7, "MaxWeekends"),
            ),
        )
    if not staff:
        raise CallscopeError(f"{name}: SECTION_STAFF has no employee", field="instance")

    def employee(ln: _Line, raw: str) -> str:
        if raw not in staff:
            raise ln.fail(f"unknown employee id {raw!r} (not in SECTION_STAFF)")
        return raw

    def day(ln: _Line, i: int) -> int:
        d = ln.int(i, "the day")
        if d >= horizon:
            raise ln.fail(f"day {d} is outside the horizon (days 0-{horizon - 1})")
        return d

    days_off: dict[str, set[int]] = {e: set() for e in staff}
    for ln in sections.get("SECTION_DAYS_OFF", []):
        eid = employee(ln, ln.cells[0])
        days_off[eid].update(day(ln, i) for i in range(1, len(ln.cells)) if ln.cells[i])

    requests: list[ShiftRequest] = []
    for sec, on in (("SECTION_SHIFT_ON_REQUESTS", True), ("SECTION_SHIFT_OFF_REQUESTS", False)):
        for ln in sections.get(sec, []):
            requests.append(
                ShiftRequest(
                    employee(ln, ln.cells[0]),
                    day(ln, 1),
                    shift_id(ln, ln.cells[2]),
                    ln.int(3, "the weight"),
                    on,
                )
            )

    cover: list[Cover] = []
    seen: set[tuple[int, str]] = set()
    for ln in sections["SECTION_COVER"]:
        d, sid = day(ln, 0), shift_id(ln, ln.cells[1])
        if (d, sid) in seen:
            raise ln.fail(f"cover for day {d} shift {sid} given twice")
        seen.add((d, sid))
        cover.append(
            Cover(
                d,
                sid,
                ln.int(2, "the requirement"),
                ln.int(3, "the weight for under"),
                ln.int(4, "the weight for over"),
            )
        )

    make: Callable[[str], Agent] = lambda e: Agent(  # noqa: E731
        e, staff[e][1], days_off=frozenset(days_off[e])
    )
    return RosterProblem(
        horizon=horizon,
        shifts=tuple(shifts),
        agents=tuple(make(e) for e in staff),
        cover=tuple(cover),
        requests=tuple(requests),
        forbidden=frozenset(forbidden),
        name=name,
    )
