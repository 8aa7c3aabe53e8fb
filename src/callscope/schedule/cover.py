"""Shift cover (tour scheduling): how many shifts of each template start when, and where
their breaks go, to meet a requirement per interval at the lowest cost.

The model (Dantzig's 1954 set-covering model of shift scheduling, with the breaks of
each shift placed explicitly, in the spirit of Bechtold & Jacobs 1990 and Aykin 1996):

* the horizon is ``days`` days of slots of ``slot_min`` minutes; ``r_t`` agents are
  required in slot ``t`` (any real number >= 0);
* a *pattern* ``p`` is one template, one start on one day and one length; ``x_p`` (whole)
  shifts work it; ``a_pt`` is the share of slot ``t`` it spans (1 for a slot it fills,
  0.5 for half a slot);
* each break ``b`` of the template starts at one of its offsets ``k``; ``y_pbk`` (whole)
  of the pattern's shifts take it there: ``sum_k y_pbk = x_p``; ``beta_bkt`` is the
  share of slot ``t`` the break takes;
* on the phones in slot ``t``: ``s_t = sum_p a_pt x_p - sum_pbk beta_bkt y_pbk``, and
  ``s_t + u_t - o_t = r_t`` with ``u_t, o_t >= 0`` the agents short and extra;
* limits: shifts of a template per day and in total at most ``max_per_day``,
  ``max_total``, and at most ``max_per_start`` working one pattern (one start and
  length on one day);
* minimise ``sum_p c_p x_p + w_u sum_t u_t + w_o sum_t o_t``.

Because shortfall is priced rather than forbidden, every requirement has a schedule:
when it cannot be met (a limit binds, the center is closed, no shift reaches that
hour), the result is the best partial schedule and :attr:`CoverResult.unmet` names the
slots left short. ``w_u`` defaults to one more than the dearest shift per agent-slot, so
a shift is added wherever one can close a gap; ``w_o`` defaults to 0 (extra agents
already cost their shifts).

The horizon wraps around (``cyclic``): a shift running past the last slot covers the
first ones, as the night shift of one week covers Monday's early hours in the next
(the schedule is one period of a repeating pattern). HiGHS solves the LP relaxation
(``lp_bound``, a lower bound on any schedule's objective) and then the MIP; ``gap`` is
``(objective - bound) / objective`` with HiGHS's proven bound.

>>> import numpy as np
>>> from callscope.schedule.templates import read_matrix
>>> rows = "\\n".join(f"{h},{int(h < 12)},{int(h >= 12)}" for h in range(24))
>>> shifts = read_matrix("Hour,am,pm\\n" + rows)
>>> r = solve_cover(np.array([2.0] * 12 + [3.0] * 12), shifts, Horizon(1, 60.0), costs=(5, 7))
>>> r.counts.tolist(), r.cost, r.status
([2, 3], 31.0, 'optimal')
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from callscope.errors import CallscopeError
from callscope.schedule.highs import solve_mip
from callscope.schedule.templates import DAY_NAMES, ShiftSet, ShiftTemplate

__all__ = [
    "CoverResult",
    "Horizon",
    "Pattern",
    "PlacedBreak",
    "PlacedShift",
    "build_patterns",
    "solve_cover",
]

_DAY = 1440.0
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Horizon:
    """``days`` days of slots of ``slot_min`` minutes, day 0 a ``first_weekday``
    (0 = Monday); ``closed`` marks slots the center is closed (templates with
    ``open_hours_only`` work none of them); ``cyclic``: the horizon wraps around."""

    days: int
    slot_min: float
    first_weekday: int = 0
    cyclic: bool = True
    closed: np.ndarray | None = None

    @property
    def slots(self) -> int:
        return int(round(self.days * _DAY / self.slot_min))


@dataclass(frozen=True, slots=True)
class Pattern:
    """One way to work a template: its start on ``day`` (minutes after the horizon's
    start), its length in minutes (breaks included) and the cost of one shift."""

    template: str
    template_index: int
    day: int
    start_min: float
    length_min: float
    cost: float

    def label(self, first_weekday: int = 0) -> str:
        """``early mon 06:00 8h``: template, weekday, start, length."""
        clock = self.start_min % _DAY
        wd = DAY_NAMES[(first_weekday + self.day) % 7]
        return f"{self.template} {wd} {int(clock // 60):02d}:{int(clock % 60):02d} {self.length_min / 60:g}h"


@dataclass(frozen=True, slots=True)
class PlacedBreak:
    """A break of one shift, in minutes after the horizon's start."""

    name: str
    start_min: float
    end_min: float
    paid: bool


@dataclass(frozen=True, slots=True)
class PlacedShift:
    """One shift of the schedule (numbered from 1 in start order) with its breaks."""

    number: int
    pattern: int
    template: str
    day: int
    start_min: float
    end_min: float
    cost: float
    breaks: tuple[PlacedBreak, ...]


@dataclass(frozen=True)
class CoverResult:
    """A schedule and how good it is. Arrays are per pattern (``counts``) or per slot
    (``required``, ``scheduled`` on the phones, ``under``, ``over``); money in the
    units of the costs; weights per agent-hour."""

    patterns: tuple[Pattern, ...]
    counts: np.ndarray
    required: np.ndarray
    scheduled: np.ndarray
    under: np.ndarray
    over: np.ndarray
    cost: float  #: what the shifts cost
    objective: float  #: cost + weighted shortfall and excess
    lp_bound: float  #: the LP relaxation's optimum: no schedule's objective is lower
    bound: float  #: HiGHS's proven lower bound (>= lp_bound)
    gap: float  #: (objective - bound) / objective
    status: str
    seconds: float
    shifts: tuple[PlacedShift, ...]
    under_weight: float
    over_weight: float
    horizon: Horizon
    templates: tuple[str, ...] = ()  #: every template's name, in file order

    @property
    def unmet(self) -> np.ndarray:
        """Slots left short of the requirement."""
        return np.flatnonzero(self.under > _EPS)

    def counts_by_template(self) -> dict[str, int]:
        """Shifts per template (or coverage-matrix column), in file order (0 for a
        template no shift of which could be worked)."""
        out: dict[str, int] = dict.fromkeys(self.templates, 0)
        for p, n in zip(self.patterns, self.counts, strict=True):
            out[p.template] = out.get(p.template, 0) + int(n)
        return out


def _spread(a: float, b: float, slot: float, total: int, cyclic: bool) -> dict[int, float]:
    """Slot -> share of the slot that the span ``[a, b)`` minutes covers."""
    out: dict[int, float] = defaultdict(float)
    end = total * slot
    pieces = []
    if cyclic:
        a0 = a % end
        pieces.append((a0, min(a0 + (b - a), end)))
        rest = (b - a) - (end - a0)
        while rest > _EPS:
            pieces.append((0.0, min(rest, end)))
            rest -= end
    elif a < end:
        pieces.append((a, min(b, end)))
    for lo, hi in pieces:
        t = int(math.floor(lo / slot + 1e-9))
        while t < total and t * slot < hi - _EPS:
            share = (min(hi, (t + 1) * slot) - max(lo, t * slot)) / slot
            if share > _EPS:
                out[t] += share
            t += 1
    return out


def _work(t: ShiftTemplate, length: float) -> tuple[tuple[float, float], ...]:
    return t.work if t.work is not None else ((0.0, length),)


def build_patterns(
    shifts: ShiftSet, horizon: Horizon, costs: Sequence[float] | None = None
) -> list[Pattern]:
    """Every pattern the templates allow on the horizon: each start on each day the
    template works (and, with ``open_hours_only``, that works no closed slot), each
    length. ``costs`` (one per template) replaces the templates' own."""
    out = []
    total = horizon.slots
    for i, t in enumerate(shifts.templates):
        for day in range(horizon.days):
            if (horizon.first_weekday + day) % 7 not in t.days:
                continue
            for s in t.starts:
                for length in t.lengths:
                    start = day * _DAY + s
                    if t.open_hours_only and horizon.closed is not None:
                        touched = set()
                        for a, b in _work(t, length):
                            touched |= set(
                                _spread(
                                    start + a, start + b, horizon.slot_min, total, horizon.cyclic
                                )
                            )
                        if any(horizon.closed[k] for k in touched):
                            continue
                    cost = float(costs[i]) if costs is not None else t.shift_cost(length)
                    out.append(Pattern(t.name, i, day, start, length, cost))
    return out


def solve_cover(
    required: np.ndarray,
    shifts: ShiftSet,
    horizon: Horizon,
    *,
    costs: Sequence[float] | None = None,
    under_weight: float | None = None,
    over_weight: float | None = None,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-4,
    threads: int | None = None,
) -> CoverResult:
    """The cheapest schedule for ``required`` agents per slot (module docstring).
    ``under_weight`` and ``over_weight`` are per agent-hour (default: the shift set's,
    else see the module docstring)."""
    r = np.asarray(required, dtype=np.float64)
    total = horizon.slots
    if r.shape != (total,):
        raise CallscopeError(
            f"the requirement has {r.size} slots; the horizon has {total}", field="requirement"
        )
    if not (np.isfinite(r).all() and (r >= 0).all()):
        raise CallscopeError("required agents are numbers >= 0", field="requirement")
    if costs is not None and len(costs) != len(shifts.templates):
        raise CallscopeError(
            f"{len(costs)} costs for {len(shifts.templates)} shifts", field="costs"
        )
    patterns = build_patterns(shifts, horizon, costs)
    slot_h = horizon.slot_min / 60.0
    dearest = max((p.cost for p in patterns), default=0.0)
    wu_h = under_weight if under_weight is not None else shifts.under_weight
    wo_h = over_weight if over_weight is not None else shifts.over_weight
    wu = (dearest + 1.0) if wu_h is None else wu_h * slot_h  # per agent-slot
    wo = 0.0 if wo_h is None else wo_h * slot_h

    # columns: x_p, then y_pbk, then u_t, then o_t
    col_cost: list[float] = []
    col_upper: list[float] = []
    integer: list[bool] = []
    entries: list[dict[int, float]] = []  # row -> coefficient, per column
    breaks_of: list[list[tuple[int, int, float]]] = []  # per pattern: (rule, column, offset)
    n_rows = total
    link_rows = []
    for p in patterns:
        t = shifts.templates[p.template_index]
        col: dict[int, float] = defaultdict(float)
        for a, b in _work(t, p.length_min):
            for k, v in _spread(
                p.start_min + a, p.start_min + b, horizon.slot_min, total, horizon.cyclic
            ).items():
                col[k] += v
        lim = [v for v in (t.max_per_day, t.max_total, t.max_per_start) if v is not None]
        col_cost.append(p.cost)
        col_upper.append(float(min(lim)) if lim else math.inf)
        integer.append(True)
        entries.append(col)
        breaks_of.append([])
    for pi, p in enumerate(patterns):
        t = shifts.templates[p.template_index]
        for bi, rule in enumerate(t.breaks):
            row = n_rows
            n_rows += 1
            link_rows.append(row)
            entries[pi][row] = -1.0
            for off in rule.offsets():
                a = p.start_min + off
                col = {
                    k: -v
                    for k, v in _spread(
                        a, a + rule.minutes, horizon.slot_min, total, horizon.cyclic
                    ).items()
                }
                col[row] = 1.0
                breaks_of[pi].append((bi, len(entries), off))
                entries.append(col)
                col_cost.append(0.0)
                col_upper.append(math.inf)
                integer.append(True)
    limit_rows: list[float] = []
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pi, p in enumerate(patterns):
        t = shifts.templates[p.template_index]
        if t.max_per_day is not None:
            groups[(p.template_index, p.day)].append(pi)
        if t.max_total is not None:
            groups[(p.template_index, -1)].append(pi)
    for (ti, day), members in groups.items():
        t = shifts.templates[ti]
        cap = t.max_total if day < 0 else t.max_per_day
        row = n_rows
        n_rows += 1
        limit_rows.append(float(cap))  # type: ignore[arg-type]
        for pi in members:
            entries[pi][row] = 1.0
    first_u = len(entries)
    for k in range(total):
        entries.append({k: 1.0})
        col_cost.append(wu)
        col_upper.append(math.inf)
        integer.append(False)
    for k in range(total):
        entries.append({k: -1.0})
        col_cost.append(wo)
        col_upper.append(math.inf)
        integer.append(False)

    start = np.zeros(len(entries) + 1, dtype=np.int32)
    index: list[int] = []
    value: list[float] = []
    for j, col in enumerate(entries):
        for row in sorted(col):
            index.append(row)
            value.append(col[row])
        start[j + 1] = len(index)
    row_lower = np.concatenate([r, np.zeros(len(link_rows)), np.full(len(limit_rows), -np.inf)])
    row_upper = np.concatenate([r, np.zeros(len(link_rows)), np.array(limit_rows)])
    sol = solve_mip(
        np.array(col_cost),
        np.zeros(len(entries)),
        np.array(col_upper),
        row_lower,
        row_upper,
        start,
        np.array(index, dtype=np.int32),
        np.array(value),
        np.array(integer),
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        threads=threads,
    )
    if not np.isfinite(sol.objective):
        raise CallscopeError(
            f"HiGHS found no schedule within {time_limit_s:g} s ({sol.status}); allow more "
            "time or fewer shift starts",
            field="time_limit_s",
        )
    vals = np.rint(sol.values[:first_u])
    counts = vals[: len(patterns)].astype(np.int64)
    on_phones = np.zeros(total)
    for j in range(first_u):
        if vals[j]:
            for row, v in entries[j].items():
                if row < total:
                    on_phones[row] += v * vals[j]
    under = np.maximum(r - on_phones, 0.0)
    over = np.maximum(on_phones - r, 0.0)
    cost = float(sum(p.cost * n for p, n in zip(patterns, counts, strict=True)))
    objective = cost + wu * float(under.sum()) + wo * float(over.sum())
    bound = min(sol.bound, objective)
    gap = 0.0 if objective <= _EPS else max(objective - bound, 0.0) / abs(objective)
    return CoverResult(
        patterns=tuple(patterns),
        counts=counts,
        required=r,
        scheduled=on_phones,
        under=under,
        over=over,
        cost=cost,
        objective=objective,
        lp_bound=min(sol.lp_bound, objective),
        bound=bound,
        gap=gap,
        status=sol.status,
        seconds=sol.seconds,
        shifts=_place(patterns, counts, vals, breaks_of, shifts),
        under_weight=wu / slot_h,
        over_weight=wo / slot_h,
        horizon=horizon,
        templates=tuple(t.name for t in shifts.templates),
    )


def _place(
    patterns: Sequence[Pattern],
    counts: np.ndarray,
    vals: np.ndarray,
    breaks_of: Sequence[Sequence[tuple[int, int, float]]],
    shifts: ShiftSet,
) -> tuple[PlacedShift, ...]:
    """Individual shifts with their breaks: shift ``i`` of a pattern takes the ``i``-th
    earliest position the solver chose for each break (windows are ordered and apart,
    so one shift's breaks never overlap)."""
    out = []
    order = sorted(range(len(patterns)), key=lambda i: (patterns[i].start_min, i))
    number = 0
    for pi in order:
        n = int(counts[pi])
        if n <= 0:
            continue
        p = patterns[pi]
        t = shifts.templates[p.template_index]
        per_rule: dict[int, list[float]] = defaultdict(list)
        for bi, col, off in breaks_of[pi]:
            per_rule[bi].extend([off] * int(vals[col]))
        for i in range(n):
            number += 1
            brs = []
            for bi, rule in enumerate(t.breaks):
                offs = sorted(per_rule[bi])
                off = offs[i] if i < len(offs) else rule.earliest_min
                a = p.start_min + off
                brs.append(PlacedBreak(rule.name, a, a + rule.minutes, rule.paid))
            out.append(
                PlacedShift(
                    number=number,
                    pattern=pi,
                    template=p.template,
                    day=p.day,
                    start_min=p.start_min,
                    end_min=p.start_min + _work(t, p.length_min)[-1][1],
                    cost=p.cost,
                    breaks=tuple(brs),
                )
            )
    return tuple(out)
