"""A center's own roster: from a shift cover and the agents' contracts to a
:class:`~callscope.schedule.roster.RosterProblem`, and from its roster back to dated
shifts, breaks and coverage.

The two stages (the classic decomposition of tour scheduling into shift scheduling and
then rostering; Ernst et al., "Staff scheduling and rostering: a review", 2004):

1. the shift cover (:func:`callscope.schedule.cover.solve_cover`) says how many shifts of
   each template, start and length each day needs to meet the requirement per
   interval, and where their breaks go;
2. the roster says which agent works which of them. Its **shift types** are the
   (template, start, length) triples the cover uses on some day, named ``early@06:00``
   (``early@06:00/8h30m`` when the template has several lengths), grouped by template
   so contracts and requests can name a template. Its **cover** asks, per day and
   shift type, for the cover's count, ``under`` per missing agent-hour and ``over`` per
   extra one (the contracts file's weights, rounded to whole numbers per shift); a shift
   type a day has no pattern for (a weekday the template does not work, hours the
   center is closed) is worked by no one.

Contracts (:mod:`.roster_contracts`) become each agent's
:class:`~callscope.schedule.roster.Contract`: weekly hours scaled to the horizon and
counted in paid minutes, shift caps per template, consecutive-day rules, weekends, the
rest rule from shift start and end times (a night shift followed by an early one), days
off and time off as shifts the agent may not work (a shift that overlaps them, so a
night shift into a day off is out too), requests by template or ``"*"``.

:func:`fixed_cover` stands in for the first stage when the requirement already says
how many of each shift each day wants (``date,shift,required``).

:func:`unmeetable` says in words which agents' contracts no schedule can meet (each agent
alone: hard rules never involve two agents). :func:`roster_shifts` turns a roster into
dated shifts with the breaks the cover placed (the i-th agent on a shift type that day
takes the i-th placed shift's breaks), :func:`coverage` into agents on the phones per
interval against the requirement.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import numpy as np

from callscope.errors import CallscopeError
from callscope.schedule.cover import CoverResult, Horizon
from callscope.schedule.roster import (
    OFF,
    Agent,
    Contract,
    Cover,
    Roster,
    RosterProblem,
    ShiftRequest,
    ShiftType,
)
from callscope.schedule.roster_contracts import ContractFile, Terms
from callscope.schedule.templates import DAY_NAMES, ShiftSet, ShiftTemplate

__all__ = [
    "BuiltProblem",
    "DatedShift",
    "build_problem",
    "Kind",
    "cover_shortfall",
    "coverage",
    "each_alone",
    "fixed_cover",
    "main_cover",
    "roster_shifts",
    "unmeetable",
]

_DAY = 1440.0


@dataclass(frozen=True, slots=True)
class Kind:
    """A roster shift type: template, start (minutes after midnight), length (minutes,
    start to end), paid minutes."""

    template: int
    start: float
    length: float
    paid: float


@dataclass(frozen=True)
class BuiltProblem:
    """The roster problem and what maps it back to dates: ``kinds[s]`` is shift type
    ``s``; ``first`` the date of day 0; ``terms`` each agent's resolved terms;
    ``teams`` each agent's team."""

    problem: RosterProblem
    kinds: tuple[Kind, ...]
    first: date
    terms: tuple[Terms, ...]
    teams: tuple[str | None, ...]
    weeks: float

    def date(self, day: int) -> date:
        return self.first + timedelta(days=day)

    def start(self, day: int, s: int) -> datetime:
        return datetime.combine(self.date(day), time()) + timedelta(minutes=self.kinds[s].start)


def _end(t: ShiftTemplate, length: float) -> float:
    return t.work[-1][1] if t.work is not None else length


def _kind_key(
    p_template: int, p_start: float, p_day: int, length: float
) -> tuple[int, float, float]:
    return (p_template, round(p_start - p_day * _DAY, 6), length)


def build_problem(
    cover: CoverResult,
    shifts: ShiftSet,
    first: date,
    agents: Sequence[tuple[str, str | None]],
    contracts: ContractFile,
    *,
    fte_hours_per_week: float,
    name: str = "",
) -> BuiltProblem:
    """The roster problem of ``agents`` ((id, team) pairs) for the shifts ``cover``
    chose over its horizon, day 0 being ``first`` (module docstring)."""
    from callscope.schedule.cover import build_patterns

    H = cover.horizon.days
    templates = shifts.templates
    counts: dict[tuple[int, float, float], dict[int, int]] = defaultdict(dict)
    for p, n in zip(cover.patterns, cover.counts, strict=True):
        key = _kind_key(p.template_index, p.start_min, p.day, p.length_min)
        if n > 0:
            counts[key][p.day] = counts[key].get(p.day, 0) + int(n)
    workable = {
        (p.day, _kind_key(p.template_index, p.start_min, p.day, p.length_min))
        for p in build_patterns(shifts, cover.horizon)
    }
    keys = sorted(counts, key=lambda k: (k[1], k[0], k[2]))
    kinds = tuple(Kind(k[0], k[1], k[2], templates[k[0]].paid_minutes(k[2])) for k in keys)
    several = {i for i, t in enumerate(templates) if len(t.lengths) > 1}
    types = []
    for k in kinds:
        t = templates[k.template]
        sid = f"{t.name}@{int(k.start // 60):02d}:{int(k.start % 60):02d}"
        if k.template in several:
            sid += f"/{_hm(k.length)}"
        types.append(
            ShiftType(
                sid,
                int(round(k.paid)),
                int(round(k.start)),
                group=t.name,
                length_minutes=int(round(_end(t, k.length))),
            )
        )
    w = contracts.weights
    closed: set[tuple[int, str]] = set()
    cov = []
    for key, st, k in zip(keys, types, kinds, strict=True):
        hours = _end(templates[k.template], k.length) / 60.0
        for d in range(H):
            if (d, key) not in workable:
                closed.add((d, st.id))
                continue
            under = max(1, int(round(w.under * hours)))
            need = counts[key].get(d, 0)
            cov.append(Cover(d, st.id, need, under, int(round(w.over * hours))))
            if need // 2 >= 1 and w.half > 0:  # the tier below half: a shortfall spreads
                cov.append(Cover(d, st.id, need // 2, max(1, int(round(w.half * hours))), 0))
    weeks = H / 7.0
    dates = [first + timedelta(days=d) for d in range(-1, H + 1)]
    out_agents, requests, terms_all, teams = [], [], [], []
    for aid, team in agents:
        terms = contracts.terms_for(aid, team, fte_hours_per_week=fte_hours_per_week)
        lo, hi = terms.minutes_between(weeks)
        caps = terms.shift_caps(weeks)
        if terms.shifts is not None:
            caps.update({t.name: 0 for t in templates if t.name not in terms.shifts})
        contract = Contract(
            max_shifts=caps,
            min_minutes=lo,
            max_minutes=hi,
            max_consecutive_shifts=terms.max_consecutive_days,
            min_consecutive_shifts=terms.min_consecutive_days,
            min_consecutive_days_off=terms.min_consecutive_days_off,
            max_weekends=terms.max_weekends,
            min_rest_minutes=int(math.ceil(terms.min_rest_minutes - 1e-9)),
        )
        off_dates = [x for x in dates if any(r.covers(x) for r in terms.days_off)]
        days_off = frozenset((x - first).days for x in off_dates if 0 <= (x - first).days < H)
        spans = [
            (datetime.combine(x, time()), datetime.combine(x, time()) + timedelta(days=1))
            for x in off_dates
        ] + list(terms.time_off)
        unavailable = set(closed)
        if spans:
            for d in range(H):
                for s, k in enumerate(kinds):
                    a = datetime.combine(first, time()) + timedelta(days=d, minutes=k.start)
                    b = a + timedelta(minutes=_end(templates[k.template], k.length))
                    if any(a < y and x < b for x, y in spans):
                        unavailable.add((d, types[s].id))
        out_agents.append(
            Agent(aid, contract, days_off=days_off, unavailable=frozenset(unavailable))
        )
        for r in terms.requests:
            d = (r.day - first).days
            if 0 <= d < H:
                requests.append(ShiftRequest(aid, d, r.shift, r.weight, not r.off))
        terms_all.append(terms)
        teams.append(team)
    problem = RosterProblem(
        horizon=H,
        shifts=tuple(types),
        agents=tuple(out_agents),
        cover=tuple(cov),
        requests=tuple(requests),
        first_weekday=first.weekday(),
        name=name,
    )
    return BuiltProblem(problem, kinds, first, tuple(terms_all), tuple(teams), weeks)


def _hm(minutes: float) -> str:
    h, m = divmod(int(round(minutes)), 60)
    return f"{h}h" + (f"{m}m" if m else "")


# -- a requirement per day and shift -----------------------------------------------------


def fixed_cover(
    shifts: ShiftSet,
    horizon: Horizon,
    wanted: Sequence[tuple[int, int, str, int]],
    where: str = "requirement",
) -> CoverResult:
    """A shift cover given, not solved: ``wanted`` holds ``(line, day, shift, count)``,
    ``shift`` a template name (when it has one start and one length) or
    ``TEMPLATE@HH:MM`` (one of its starts; the first length when it has several). The
    k-th shift of a kind on a day takes the k-th start of each break's window
    (staggered breaks); ``required`` and ``scheduled`` are the agents on the phones
    those shifts give, so the roster's coverage compares with them. A shift the
    templates do not have, or do not allow that day, is a :class:`CallscopeError`
    naming ``where`` and the line."""
    from callscope.schedule.cover import (
        PlacedBreak,
        PlacedShift,
        build_patterns,
    )

    patterns = build_patterns(shifts, horizon)
    names = [t.name for t in shifts.templates]
    index: dict[tuple[int, str], list[int]] = defaultdict(list)
    for k, p in enumerate(patterns):
        clock = p.start_min - p.day * _DAY
        index[p.day, p.template].append(k)
        index[p.day, f"{p.template}@{int(clock // 60):02d}:{int(clock % 60):02d}"].append(k)
    counts = np.zeros(len(patterns), dtype=np.int64)
    for line, day, name, n in wanted:
        tpl = name.split("@")[0]
        at = f"{where} line {line}"
        if tpl not in names:
            raise CallscopeError(
                f"{at}: no shift template {tpl!r} (templates: {', '.join(names)}); write "
                "a template name, or TEMPLATE@HH:MM for one of its starts",
                field="requirement",
            )
        ks = index.get((day, name), [])
        if not ks:
            wd = (horizon.first_weekday + day) % 7
            raise CallscopeError(
                f"{at}: {name!r} cannot be worked on day {day} ({DAY_NAMES[wd]}): not one of "
                f"its starts, or not its day or open hours",
                field="requirement",
            )
        lengths = {patterns[k].length_min for k in ks}
        starts = {patterns[k].start_min for k in ks}
        if "@" not in name and len(starts) > 1:
            sample = sorted(
                (patterns[k].start_min - day * _DAY for k in ks),
            )[0]
            raise CallscopeError(
                f"{at}: template {name!r} has {len(starts)} starts; name one, e.g. "
                f"{name}@{int(sample // 60):02d}:{int(sample % 60):02d}",
                field="requirement",
            )
        k = min(ks, key=lambda k: patterns[k].length_min) if len(lengths) > 1 else ks[0]
        counts[k] += n
    slots = horizon.slots
    on = np.zeros(slots)
    placed: list[PlacedShift] = []
    for k, p in enumerate(patterns):
        t = shifts.templates[p.template_index]
        for i in range(int(counts[k])):
            brs = []
            for rule in t.breaks:
                offs = rule.offsets()
                a = p.start_min + offs[i % len(offs)]
                brs.append(PlacedBreak(rule.name, a, a + rule.minutes, rule.paid))
            placed.append(
                PlacedShift(
                    len(placed) + 1,
                    k,
                    p.template,
                    p.day,
                    p.start_min,
                    p.start_min + _end(t, p.length_min),
                    p.cost,
                    tuple(brs),
                )
            )
            spans = [(p.start_min + a, p.start_min + b) for a, b in _work_spans(t, p.length_min)]
            for x, y in _minus(spans, [(b.start_min, b.end_min) for b in brs]):
                lo, hi = x / horizon.slot_min, y / horizon.slot_min
                j = int(math.floor(lo + 1e-9))
                while j < slots and j < hi - 1e-9:
                    on[j] += min(hi, j + 1) - max(lo, j)
                    j += 1
    cost = float(sum(p.cost * n for p, n in zip(patterns, counts, strict=True)))
    return CoverResult(
        patterns=tuple(patterns),
        counts=counts,
        required=on.copy(),
        scheduled=on,
        under=np.zeros(slots),
        over=np.zeros(slots),
        cost=cost,
        objective=cost,
        lp_bound=cost,
        bound=cost,
        gap=0.0,
        status="given",
        seconds=0.0,
        shifts=tuple(sorted(placed, key=lambda s: (s.start_min, s.number))),
        under_weight=0.0,
        over_weight=0.0,
        horizon=horizon,
        templates=tuple(names),
    )


def _work_spans(t: ShiftTemplate, length: float) -> tuple[tuple[float, float], ...]:
    return t.work if t.work is not None else ((0.0, length),)


def _minus(
    spans: Sequence[tuple[float, float]], holes: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    out = []
    for a, b in spans:
        cur = a
        for x, y in sorted(h for h in holes if h[0] < b and h[1] > a):
            if x > cur:
                out.append((cur, x))
            cur = max(cur, y)
        if cur < b:
            out.append((cur, b))
    return out


# -- contracts no schedule meets ---------------------------------------------------------


def unmeetable(problem: RosterProblem, seconds: float = 5.0) -> list[tuple[str, str]]:
    """``(agent, reason)`` for every agent no schedule of whom meets their hard rules
    (each agent alone; agents with the same rules are tried once). The reason names
    the first rule whose removal makes a schedule possible."""
    return each_alone(problem, seconds)[0]


def each_alone(
    problem: RosterProblem, seconds: float = 5.0
) -> tuple[list[tuple[str, str]], Roster | None]:
    """:func:`unmeetable`, and a roster of a schedule found for each agent alone
    (``None`` when an agent has none): hard rules never involve two agents, so it
    meets every contract, a fallback when the search finds nothing in time."""
    from callscope.schedule.roster_cpsat import RosterModel

    rows: dict[object, tuple[int, ...] | None] = {}

    def feasible(agent: Agent) -> bool | None:
        out = RosterModel(_alone(problem, agent)).solve(seconds, workers=1)
        if out.status == "INFEASIBLE":
            return False
        return True if out.roster is not None else None

    def first(agent: Agent, key: object) -> bool | None:
        out = RosterModel(_alone(problem, agent)).solve(seconds, workers=1)
        rows[key] = out.roster.days[0] if out.roster is not None else None
        if out.status == "INFEASIBLE":
            return False
        return True if out.roster is not None else None

    seen: dict[object, str | None] = {}
    found = []
    days = []
    for a in problem.agents:
        key = (repr(a.contract), a.days_off, a.unavailable, a.skills)
        if key not in seen:
            seen[key] = None if first(a, key) is not False else _why(problem, a, feasible)
        why = seen[key]
        if why is not None:
            found.append((a.id, why))
        days.append(rows.get(key))
    fallback = None
    if not found and all(d is not None for d in days):
        fallback = Roster(tuple(d for d in days if d is not None))
    return found, fallback


def _alone(problem: RosterProblem, agent: Agent) -> RosterProblem:
    return RosterProblem(
        horizon=problem.horizon,
        shifts=problem.shifts,
        agents=(agent,),
        forbidden=problem.forbidden,
        first_weekday=problem.first_weekday,
    )


def _why(problem: RosterProblem, a: Agent, feasible: Callable[[Agent], bool | None]) -> str:
    c = a.contract
    trials: list[tuple[str, Agent]] = []
    if c.min_minutes > 0:
        relaxed = replace(a, contract=replace(c, min_minutes=0))
        most = _most_minutes(problem, relaxed)
        fit = f"at most {most / 60:g} h fit" if most is not None else "no schedule fits"
        trials.append(
            (
                f"min_hours_per_week asks for {c.min_minutes / 60:g} paid hours in "
                f"{problem.horizon} days; {fit} (the shifts, days off, rest and day rules)",
                relaxed,
            )
        )
    if c.min_consecutive_shifts > 1:
        trials.append(
            (
                f"min_consecutive_days = {c.min_consecutive_shifts} cannot be met",
                replace(a, contract=replace(c, min_consecutive_shifts=1)),
            )
        )
    if c.min_consecutive_days_off > 1:
        trials.append(
            (
                f"min_consecutive_days_off = {c.min_consecutive_days_off} cannot be met",
                replace(a, contract=replace(c, min_consecutive_days_off=1)),
            )
        )
    for why, relaxed in trials:
        if feasible(relaxed) is not False:
            return why
    return "its rules together leave no schedule (hours, days off, rest, day rules)"


def _most_minutes(problem: RosterProblem, a: Agent) -> int | None:
    """The most paid minutes ``a`` can work over the horizon (``None``: unknown)."""
    from callscope.schedule.roster_cpsat import RosterModel

    rm = RosterModel(_alone(problem, a))
    rm.model.maximize(sum(problem.shifts[s].minutes * v for (_, _, s), v in rm.x.items()))
    out = rm.solve(5.0, workers=1)
    if out.roster is None or not out.optimal:
        return None
    return sum(problem.shifts[s].minutes for s in out.roster.days[0] if s != OFF)


# -- back to dates -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatedShift:
    """One rostered shift: agent, day index, shift type, start and end, paid minutes,
    and its activities ``(activity, start, end)`` in time order (``work`` around the
    breaks, each break by its template name)."""

    agent: str
    day: int
    shift: str
    template: str
    start: datetime
    end: datetime
    paid_minutes: float
    activities: tuple[tuple[str, datetime, datetime], ...]


def roster_shifts(
    built: BuiltProblem, roster: Roster, cover: CoverResult, shifts: ShiftSet
) -> list[DatedShift]:
    """Every worked shift of ``roster`` with its dates and breaks (module docstring);
    by agent, then day."""
    p = built.problem
    t0 = datetime.combine(built.first, time())
    placed: dict[tuple[int, int, float, float], list[tuple[tuple[str, float, float], ...]]]
    placed = defaultdict(list)
    for sh in cover.shifts:
        pat = cover.patterns[sh.pattern]
        key = (sh.day, pat.template_index, round(pat.start_min - sh.day * _DAY, 6), pat.length_min)
        placed[key].append(
            tuple((b.name, b.start_min - sh.start_min, b.end_min - sh.start_min) for b in sh.breaks)
        )
    taken: dict[tuple[int, int, float, float], int] = defaultdict(int)
    out = []
    for e, row in enumerate(roster.days):
        for d, s in enumerate(row):
            if s == OFF:
                continue
            k = built.kinds[s]
            t = shifts.templates[k.template]
            key = (d, k.template, k.start, k.length)
            i = taken[key]
            taken[key] += 1
            if i < len(placed[key]):
                brs = placed[key][i]
            else:  # more agents than the cover placed: each break at its earliest
                brs = tuple((b.name, b.earliest_min, b.earliest_min + b.minutes) for b in t.breaks)
            start = t0 + timedelta(days=d, minutes=k.start)
            work = t.work if t.work is not None else ((0.0, k.length),)
            pieces: list[tuple[float, float, str]] = []
            for a, b in work:
                cuts = sorted((x, y) for _, x, y in brs if x < b and y > a)
                cur = a
                for x, y in cuts:
                    if x > cur:
                        pieces.append((cur, x, "work"))
                    cur = max(cur, y)
                if cur < b:
                    pieces.append((cur, b, "work"))
            pieces += [(x, y, name) for name, x, y in brs]
            acts = tuple(
                (name, start + timedelta(minutes=x), start + timedelta(minutes=y))
                for x, y, name in sorted(pieces)
            )
            out.append(
                DatedShift(
                    agent=p.agents[e].id,
                    day=d,
                    shift=p.shifts[s].id,
                    template=t.name,
                    start=start,
                    end=start + timedelta(minutes=_end(t, k.length)),
                    paid_minutes=k.paid,
                    activities=acts,
                )
            )
    return out


def coverage(shifts: Sequence[DatedShift], first: date, slot_min: float, slots: int) -> np.ndarray:
    """Agents on the phones per slot of ``slot_min`` minutes from ``first`` 00:00
    (``work`` activities only; a part of a slot counts as that share of an agent)."""
    out = np.zeros(slots)
    t0 = datetime.combine(first, time())
    for sh in shifts:
        for act, a, b in sh.activities:
            if act != "work":
                continue
            lo = (a - t0).total_seconds() / 60.0
            hi = (b - t0).total_seconds() / 60.0
            k = int(math.floor(lo / slot_min + 1e-9))
            while k < slots and k * slot_min < hi - 1e-9:
                share = (min(hi, (k + 1) * slot_min) - max(lo, k * slot_min)) / slot_min
                if share > 0 and k >= 0:
                    out[k] += share
                k += 1
    return out


def main_cover(problem: RosterProblem) -> list[Cover]:
    """The cover's entry of each day and shift, by day then shift (a tier below half
    repeats a day and shift with a smaller requirement; the largest is the count
    wanted)."""
    sidx = problem.shift_index()
    best: dict[tuple[int, str], Cover] = {}
    for c in problem.cover:
        key = (c.day, c.shift)
        if key not in best or c.requirement > best[key].requirement:
            best[key] = c
    return sorted(best.values(), key=lambda c: (c.day, sidx[c.shift]))


def cover_shortfall(problem: RosterProblem, roster: Roster) -> list[tuple[int, str, int, int]]:
    """``(day, shift, required, rostered)`` of every day and shift the roster misses
    or exceeds (:func:`main_cover`), by day then shift."""
    count: dict[tuple[int, int], int] = defaultdict(int)
    for row in roster.days:
        for d, s in enumerate(row):
            if s != OFF:
                count[d, s] += 1
    sidx = problem.shift_index()
    out = []
    for c in main_cover(problem):
        n = count.get((c.day, sidx[c.shift]), 0)
        if n != c.requirement:
            out.append((c.day, c.shift, c.requirement, n))
    return out
