"""Shift templates: what shifts may be worked, read from a TOML file or a coverage matrix.

Two ways to say which shifts exist:

**A template file (TOML)**, one ``[[shift]]`` table per template; times of day are
``HH:MM``, durations take a unit (``8h``, ``8h30m``, ``15m``)::

    [weights]                  # optional: what a missing or an extra agent costs
    under = 500                # per agent-hour short of the requirement
    over = 0                   # per agent-hour above it

    [[shift]]
    name = "early"
    start = "06:00-09:00 every 30m"   # a grid; or one time "06:00"; or a list
    length = "8h30m"                  # start to end, breaks included; or a list
    days = "mon-fri"                  # default every day; "mon,wed,sat" also works
    cost_per_hour = 30                # per paid hour; or `cost = 252` per shift
    max_per_day = 40                  # optional limits on how many of this template:
    max_total = 150                   #   a day, in the whole horizon,
    max_per_start = 10                #   and starting at one time (desks, trainers)
    open_hours_only = true            # no work in hours the settings close (default)
    breaks = [
      { name = "break", length = "15m", paid = true,  window = "1h30m-2h30m" },
      { name = "lunch", length = "30m", paid = false, window = "3h30m-5h" },
    ]

    [[shift]]
    name = "night"
    start = "22:00"                   # runs past midnight into the next day
    length = "8h"
    cost = 300

A break's ``window`` gives its earliest and latest *start*, after the shift's start;
breaks are placed on a ``break_step`` grid (default 15 minutes) inside it. Windows
of one template come in order and do not overlap (each break's latest end is at or
before the next one's earliest start), so every shift can take its breaks in any
combination the solver picks. Paid breaks count in the cost per paid hour, unpaid ones
do not; no break counts as time on the phones.

**A coverage matrix (CSV)**, as in the textbook Anonymous Bank example: one row per
slot of the day in order (the first row is 00:00; 24 rows make hours, 48 half
hours), label columns (``Hour``, ``StartTime``, ``time`` ...) and one 0/1 column per
shift. A column's ones are the slots that shift works; a run that wraps from the last
rows to the first is a shift crossing midnight. Costs come from ``--costs`` (one per
shift column, in order), else the hours worked.

>>> t = read_templates('[[shift]]\\nname = "day"\\nstart = "08:00-10:00 every 1h"\\nlength = "8h"')
>>> t.templates[0].starts, t.templates[0].lengths, t.templates[0].days
((480.0, 540.0, 600.0), (480.0,), (0, 1, 2, 3, 4, 5, 6))
>>> m = read_matrix("Hour,S1,S2\\n" + "\\n".join(f"{h},{int(h < 8)},{int(h >= 20)}" for h in range(24)))
>>> [(s.name, s.starts, s.lengths) for s in m.templates]
[('S1', (0.0,), (480.0,)), ('S2', (1200.0,), (240.0,))]
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from dataclasses import dataclass, field

from callscope.errors import CallscopeError
from callscope.model.units import parse_duration_s

__all__ = [
    "DAY_NAMES",
    "BreakRule",
    "ShiftSet",
    "ShiftTemplate",
    "parse_costs",
    "read_matrix",
    "read_templates",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MIN = 1440.0
#: Header names of the label columns of a coverage matrix (lower case, no spaces).
_LABELS = {
    "hour",
    "hours",
    "starttime",
    "start_time",
    "start",
    "time",
    "interval",
    "interval_start",
    "period",
    "slot",
    "row",
}
_SHIFT_KEYS = (
    "name",
    "start",
    "length",
    "days",
    "cost",
    "cost_per_hour",
    "max_per_day",
    "max_per_start",
    "max_total",
    "open_hours_only",
    "breaks",
    "break_step",
)
_BREAK_KEYS = ("name", "length", "paid", "window")


@dataclass(frozen=True, slots=True)
class BreakRule:
    """One break every shift of a template takes: ``minutes`` long, starting between
    ``earliest_min`` and ``latest_min`` minutes after the shift's start, on a grid of
    ``step_min`` minutes; ``paid`` breaks are paid time (but still off the phones)."""

    name: str
    minutes: float
    paid: bool
    earliest_min: float
    latest_min: float
    step_min: float = 15.0

    def offsets(self) -> tuple[float, ...]:
        """Every start the break may take, minutes after the shift's start."""
        n = int(math.floor((self.latest_min - self.earliest_min) / self.step_min + 1e-9))
        return tuple(self.earliest_min + i * self.step_min for i in range(n + 1))


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """A kind of shift: its possible starts (minutes after midnight) and lengths
    (minutes, breaks included), the weekdays it may start on (0 = Monday), its cost
    (``cost`` per shift, else ``cost_per_hour`` per paid hour, else paid hours), limits
    and breaks. ``work`` is set for coverage-matrix columns: the minutes after the
    start worked, as ``(from, to)`` spans (a column with a gap is a split shift)."""

    name: str
    starts: tuple[float, ...]
    lengths: tuple[float, ...]
    days: tuple[int, ...] = tuple(range(7))
    cost: float | None = None
    cost_per_hour: float | None = None
    max_per_day: int | None = None
    max_per_start: int | None = None
    max_total: int | None = None
    open_hours_only: bool = True
    breaks: tuple[BreakRule, ...] = ()
    work: tuple[tuple[float, float], ...] | None = None

    def paid_minutes(self, length: float) -> float:
        """Paid minutes of one shift of ``length``: worked time plus paid breaks."""
        worked = (sum(b - a for a, b in self.work) if self.work is not None else length) - sum(
            b.minutes for b in self.breaks
        )
        return worked + sum(b.minutes for b in self.breaks if b.paid)

    def shift_cost(self, length: float) -> float:
        """The cost of one shift of ``length`` minutes."""
        if self.cost is not None:
            return self.cost
        rate = 1.0 if self.cost_per_hour is None else self.cost_per_hour
        return rate * self.paid_minutes(length) / 60.0


@dataclass(frozen=True, slots=True)
class ShiftSet:
    """The templates of a file, and the weights of missing and extra agent-hours
    (``None``: the defaults of :func:`callscope.schedule.cover.solve_cover`)."""

    templates: tuple[ShiftTemplate, ...]
    under_weight: float | None = None
    over_weight: float | None = None
    kind: str = "templates"  #: "templates" or "matrix"
    notes: tuple[str, ...] = field(default=())


# -- reading pieces ----------------------------------------------------------------------


def _err(where: str, msg: str) -> CallscopeError:
    return CallscopeError(f"{where}: {msg}", field="shifts")


def _clock(text: str, where: str) -> float:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not m or int(m.group(2)) > 59 or int(m.group(1)) > 24:
        raise _err(where, f"{text!r} is not a time of day; write HH:MM, e.g. 06:30")
    v = int(m.group(1)) * 60.0 + int(m.group(2))
    if v >= _DAY_MIN:
        raise _err(where, f"{text!r}: a start is before 24:00")
    return v


def _minutes(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, str):
        raise _err(where, f'{value!r}: write a duration with a unit, e.g. "8h" or "15m"')
    try:
        return parse_duration_s(value) / 60.0
    except CallscopeError as e:
        raise _err(where, str(e)) from None


def _starts(value: object, where: str) -> tuple[float, ...]:
    if isinstance(value, list):
        out = [_clock(str(v), where) for v in value]
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\S+)\s*-\s*(\S+)\s+every\s+(\S+)\s*", value)
        if m:
            a, b = _clock(m.group(1), where), _clock(m.group(2), where)
            step = _minutes(m.group(3), where)
            if step <= 0 or b < a:
                raise _err(where, f"{value!r}: write FROM-TO every STEP with FROM <= TO")
            out = [a + i * step for i in range(int(math.floor((b - a) / step + 1e-9)) + 1)]
        else:
            out = [_clock(value, where)]
    else:
        raise _err(where, 'start: write "06:00", ["06:00", "07:00"] or "06:00-09:00 every 30m"')
    return tuple(sorted(set(out)))


def _days(value: object, where: str) -> tuple[int, ...]:
    if value is None:
        return tuple(range(7))
    parts = value if isinstance(value, list) else str(value).split(",")
    out: set[int] = set()
    for raw in parts:
        p = str(raw).strip().lower()[:7]
        if "-" in p:
            a, _, b = p.partition("-")
            a, b = a.strip()[:3], b.strip()[:3]
            if a not in DAY_NAMES or b not in DAY_NAMES:
                raise _err(where, f'days: {raw!r}; write e.g. "mon-fri" or "sat,sun"')
            i, j = DAY_NAMES.index(a), DAY_NAMES.index(b)
            out.update(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif p[:3] in DAY_NAMES:
            out.add(DAY_NAMES.index(p[:3]))
        else:
            raise _err(where, f'days: {raw!r}; write e.g. "mon-fri" or "sat,sun"')
    return tuple(sorted(out))


def _number(value: object, where: str, what: str, *, whole: bool = False) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _err(where, f"{what} = {value!r}: write a number >= 0")
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise _err(where, f"{what} = {value!r}: write a number >= 0")
    if whole and v != int(v):
        raise _err(where, f"{what} = {value!r}: write a whole number")
    return v


def _break(raw: object, where: str, step: float) -> BreakRule:
    if not isinstance(raw, dict):
        raise _err(where, 'each break is { name = "lunch", length = "30m", window = "3h-5h" }')
    for k in raw:
        if k not in _BREAK_KEYS:
            raise _err(where, f"unknown break key {k!r}; known: {', '.join(_BREAK_KEYS)}")
    name = str(raw.get("name", "break"))
    if "length" not in raw or "window" not in raw:
        raise _err(where, f"break {name!r} needs a length and a window (earliest-latest start)")
    minutes = _minutes(raw["length"], f"{where} break {name!r}")
    win = str(raw["window"])
    a, sep, b = win.partition("-")
    if not sep:
        raise _err(where, f"break {name!r}: window {win!r}; write EARLIEST-LATEST, e.g. 2h-3h")
    lo, hi = _minutes(a.strip(), where), _minutes(b.strip(), where)
    if hi < lo or minutes <= 0:
        raise _err(where, f"break {name!r}: the window opens before it closes; got {win!r}")
    paid = raw.get("paid", False)
    if not isinstance(paid, bool):
        raise _err(where, f"break {name!r}: paid = true or false")
    return BreakRule(name, minutes, paid, lo, hi, step)


def _template(raw: dict[str, object], i: int) -> ShiftTemplate:
    name = str(raw.get("name", f"shift{i + 1}"))
    where = f"shift {name!r}"
    for k in raw:
        if k not in _SHIFT_KEYS:
            raise _err(where, f"unknown key {k!r}; known: {', '.join(_SHIFT_KEYS)}")
    for k in ("start", "length"):
        if k not in raw:
            raise _err(where, f"needs a {k}")
    starts = _starts(raw["start"], where)
    lens = raw["length"] if isinstance(raw["length"], list) else [raw["length"]]
    lengths = tuple(sorted({_minutes(v, where) for v in lens}))
    if any(v <= 0 or v > _DAY_MIN for v in lengths):
        raise _err(where, "a shift length is above 0 and at most 24h")
    step = _minutes(raw["break_step"], where) if "break_step" in raw else 15.0
    if step <= 0:
        raise _err(where, "break_step is above 0")
    brs = raw.get("breaks", [])
    if not isinstance(brs, list):
        raise _err(where, "breaks = [ { name = ..., length = ..., window = ... }, ... ]")
    breaks = tuple(_break(b, where, step) for b in brs)
    for prev, nxt in zip(breaks, breaks[1:], strict=False):
        if prev.latest_min + prev.minutes > nxt.earliest_min:
            raise _err(
                where,
                f"break windows overlap: {prev.name!r} may end at "
                f"{(prev.latest_min + prev.minutes) / 60:g} h, after {nxt.name!r} may start "
                f"({nxt.earliest_min / 60:g} h); list breaks in order with windows apart",
            )
    for b in breaks:
        if b.latest_min + b.minutes > min(lengths):
            raise _err(where, f"break {b.name!r} may end after the shift ends; narrow its window")
        if b.earliest_min < 0:
            raise _err(where, f"break {b.name!r} starts before the shift")
    cost = _number(raw["cost"], where, "cost") if "cost" in raw else None
    rate = _number(raw["cost_per_hour"], where, "cost_per_hour") if "cost_per_hour" in raw else None
    if cost is not None and rate is not None:
        raise _err(where, "give cost (per shift) or cost_per_hour, not both")
    lim = {
        k: int(_number(raw[k], where, k, whole=True)) if k in raw else None
        for k in ("max_per_day", "max_total", "max_per_start")
    }
    only = raw.get("open_hours_only", True)
    if not isinstance(only, bool):
        raise _err(where, "open_hours_only = true or false")
    return ShiftTemplate(
        name=name,
        starts=starts,
        lengths=lengths,
        days=_days(raw.get("days"), where),
        cost=cost,
        cost_per_hour=rate,
        max_per_day=lim["max_per_day"],
        max_per_start=lim["max_per_start"],
        max_total=lim["max_total"],
        open_hours_only=only,
        breaks=breaks,
    )


def read_templates(text: str, where: str = "shifts") -> ShiftSet:
    """Templates from the TOML text of a template file (module docstring)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _err(where, f"not valid TOML: {e}") from None
    for k in data:
        if k not in ("shift", "weights"):
            raise _err(
                where, f"unknown key {k!r}; a template file has [[shift]] tables and [weights]"
            )
    shifts = data.get("shift")
    if not isinstance(shifts, list) or not shifts:
        raise _err(where, "no shifts: add [[shift]] tables (name, start, length ...)")
    templates = tuple(_template(s, i) for i, s in enumerate(shifts))
    names = [t.name for t in templates]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise _err(where, f"two shifts are named {dup[0]!r}; give each its own name")
    w = data.get("weights", {})
    if not isinstance(w, dict) or set(w) - {"under", "over"}:
        raise _err(where, "[weights] holds under and over (cost per agent-hour)")
    under = _number(w["under"], where, "weights.under") if "under" in w else None
    over = _number(w["over"], where, "weights.over") if "over" in w else None
    return ShiftSet(templates, under, over, "templates")


def read_matrix(text: str, where: str = "shifts") -> ShiftSet:
    """Shifts from a coverage matrix (module docstring): one row per slot of the day
    from 00:00, one 0/1 column per shift. Any line ends (LF, CRLF, CR)."""
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=None)) if r]
    if not rows or not any(c.strip() for c in rows[0]):
        raise _err(where, "the file is empty; give a header row and one row per slot of the day")
    header = [c.strip() for c in rows[0]]
    body = rows[1:]
    if not body:
        raise _err(where, "the matrix has a header but no rows; give one row per slot of the day")
    n = len(body)
    if 1440 % n:
        raise _err(
            where,
            f"{n} rows do not split a day evenly; give 24 rows (hours), 48 (half hours) or 96",
        )
    slot = _DAY_MIN / n
    cols = [i for i, h in enumerate(header) if h.lower().replace(" ", "") not in _LABELS]
    if not cols:
        raise _err(
            where,
            "no shift columns: after the label columns (Hour, StartTime), one 0/1 column per shift",
        )
    templates = []
    for i in cols:
        name = header[i] or f"shift{i + 1}"
        ones = []
        for r, row in enumerate(body):
            v = row[i].strip() if i < len(row) else ""
            if v not in ("0", "1"):
                raise _err(
                    where,
                    f"column {name!r}, row {r + 1}: {v!r}; a coverage matrix holds 0 or 1 "
                    "(1: the shift works that slot)",
                )
            ones.append(v == "1")
        if not any(ones):
            raise _err(where, f"column {name!r} works no slot (all 0)")
        work: tuple[tuple[float, float], ...]
        if all(ones):
            start, work = 0, ((0.0, _DAY_MIN),)
        else:
            # the shift starts at a slot worked right after one not worked (wrapping)
            start = next(s for s in range(n) if ones[s] and not ones[s - 1])
            spans: list[list[float]] = []
            for k in range(n):
                if ones[(start + k) % n]:
                    if spans and spans[-1][1] == k * slot:
                        spans[-1][1] = (k + 1) * slot
                    else:
                        spans.append([k * slot, (k + 1) * slot])
            work = tuple((a, b) for a, b in spans)
        length = work[-1][1]
        templates.append(
            ShiftTemplate(
                name=name,
                starts=(start * slot,),
                lengths=(length,),
                open_hours_only=False,
                work=work,
            )
        )
    names = [t.name for t in templates]
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise _err(where, f"two shift columns are named {dup[0]!r}")
    return ShiftSet(tuple(templates), kind="matrix")


def parse_costs(text: str, count: int) -> tuple[float, ...]:
    """``--costs 252,288,...``: one cost per shift (matrix column or template), in order."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise CallscopeError(
            f"{text!r}: write one number per shift, joined by commas, e.g. 252,288,180",
            field="costs",
        ) from None
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise CallscopeError("costs are numbers >= 0", field="costs")
    if len(values) != count:
        raise CallscopeError(
            f"{len(values)} costs for {count} shifts; give one cost per shift, in file order",
            field="costs",
        )
    return values
