"""Named-agent rosters: who works which shift on which day, over weeks.

The model is that of the Employee Shift Scheduling Benchmark (Curtois & Qu, "Computational
results on new staff scheduling benchmark instances", 2014,
https://schedulingbenchmarks.org/nrp/), widened with what a contact center adds (skills,
availability per day and shift, rest between shifts from start times):

* a horizon of ``horizon`` days, day 0 a Monday (``first_weekday``), at most one shift
  per agent and day;
* shift types with a length in minutes, optionally a start (minutes after midnight), a
  required skill and a ``group`` (a family of shift types, e.g. the starts of one shift
  template: contracts and requests may name a group wherever they name a shift, and
  ``"*"`` names every shift); ``forbidden`` pairs ``(s, t)``: shift ``t`` cannot follow
  shift ``s`` on the next day (rest between shifts);
* per agent (hard): a :class:`Contract` (maximum shifts of each type, minimum and maximum
  paid minutes over the horizon, maximum and minimum consecutive working days, minimum
  consecutive days off, maximum working weekends, minimum rest in minutes), skills, days
  off (time off), and unavailable (day, shift) pairs;
* soft, weighted: shift-on requests (weight paid when the agent does not work that shift
  that day) and shift-off requests (weight paid when they do); cover per day and shift
  (``under_weight`` per missing agent, ``over_weight`` per agent beyond the requirement;
  several entries for one day and shift add up, e.g. a second, smaller requirement with
  its own under weight makes a deep shortfall dearer than a shallow one).

The objective is the benchmark's: the weights of unmet requests plus the cover shortfall
and excess times their weights (an integer; lower is better). Runs follow the
benchmark's validators: a run of shifts or of days off that touches the first or the
last day of the horizon is never too short; the maximum-consecutive rule applies to every
run. A weekend (Saturday and Sunday) is worked when either day is.

:func:`penalty` prices a roster and :func:`violations` lists the hard rules it breaks;
the solver (:mod:`.roster_cpsat`, :mod:`.roster_lns`) uses them to report what it found.

>>> p = RosterProblem(
...     horizon=2,
...     shifts=(ShiftType("D", 480),),
...     agents=(Agent("A", Contract(max_minutes=960)),),
...     cover=(Cover(0, "D", 1, 100, 1), Cover(1, "D", 2, 100, 1)),
... )
>>> r = Roster.from_names(p, {"A": ["D", "D"]})
>>> penalty(p, r).total, violations(p, r)
(100, [])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

__all__ = [
    "OFF",
    "Agent",
    "Contract",
    "Cover",
    "Penalty",
    "Roster",
    "RosterProblem",
    "ShiftRequest",
    "ShiftType",
    "penalty",
    "runs",
    "unmet_requests",
    "violations",
]

OFF = -1  #: the day-off code in :attr:`Roster.days`


@dataclass(frozen=True, slots=True)
class ShiftType:
    """A shift: ``id``, paid ``minutes``, optionally its start (minutes after midnight,
    used for the rest rule), the skill an agent needs to work it, the ``group`` it
    belongs to and ``length_minutes`` from start to end when that differs from the paid
    minutes (unpaid breaks; the rest rule counts from the end)."""

    id: str
    minutes: int
    start_minute: int | None = None
    skill: str | None = None
    group: str | None = None
    length_minutes: int | None = None

    @property
    def end_minute(self) -> int | None:
        """Minutes after the start day's midnight the shift ends (past 1440: the next
        day); ``None`` without a start."""
        if self.start_minute is None:
            return None
        return self.start_minute + (
            self.minutes if self.length_minutes is None else self.length_minutes
        )


@dataclass(frozen=True, slots=True)
class Contract:
    """An agent's hard limits over the horizon. ``None`` is "no limit".

    ``max_shifts`` maps a shift id (or a group, or ``"*"``) to the most shifts of that
    type (absent: no limit);
    minutes are paid minutes (the shift lengths) summed over the horizon; consecutive
    limits count days; ``max_weekends`` counts Saturday-Sunday pairs with any shift;
    ``min_rest_minutes`` forbids a shift starting less than that after the previous
    day's shift ended (needs shift start times)."""

    max_shifts: Mapping[str, int] = field(default_factory=dict)
    min_minutes: int = 0
    max_minutes: int | None = None
    max_consecutive_shifts: int | None = None
    min_consecutive_shifts: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None
    min_rest_minutes: int = 0


@dataclass(frozen=True, slots=True)
class Agent:
    """A named agent: contract, skills, days off (hard time off: no shift) and
    ``unavailable`` (day, shift id) pairs they cannot work."""

    id: str
    contract: Contract
    skills: frozenset[str] = frozenset()
    days_off: frozenset[int] = frozenset()
    unavailable: frozenset[tuple[int, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class ShiftRequest:
    """A soft wish: ``on`` (work ``shift`` on ``day``; ``weight`` paid if not) or off
    (do not; ``weight`` paid if worked). ``shift`` is a shift id, a group (any shift of
    it) or ``"*"`` (any shift: an off request for ``"*"`` asks for the day off)."""

    agent: str
    day: int
    shift: str
    weight: int
    on: bool


@dataclass(frozen=True, slots=True)
class Cover:
    """Agents wanted on ``shift`` on ``day``: ``under_weight`` per agent short,
    ``over_weight`` per agent beyond ``requirement``."""

    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True)
class RosterProblem:
    """Everything a roster is judged by (see the module docstring)."""

    horizon: int
    shifts: tuple[ShiftType, ...]
    agents: tuple[Agent, ...]
    cover: tuple[Cover, ...] = ()
    requests: tuple[ShiftRequest, ...] = ()
    forbidden: frozenset[tuple[str, str]] = frozenset()
    first_weekday: int = 0  #: 0 = Monday (the benchmark's horizons all start on one)
    name: str = ""

    @property
    def shift_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.shifts)

    @cached_property
    def _named(self) -> dict[str, frozenset[int]]:
        out: dict[str, set[int]] = {"*": set(range(len(self.shifts)))}
        for i, s in enumerate(self.shifts):
            out.setdefault(s.id, set()).add(i)
            if s.group is not None:
                out.setdefault(s.group, set()).add(i)
        return {k: frozenset(v) for k, v in out.items()}

    def shift_set(self, name: str) -> frozenset[int]:
        """The shift indexes ``name`` stands for: a shift id, a group (every shift of
        it) or ``"*"`` (every shift); empty when it names none."""
        return self._named.get(name, frozenset())

    def shift_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.shifts)}

    def agent_index(self) -> dict[str, int]:
        return {a.id: i for i, a in enumerate(self.agents)}

    def weekends(self) -> list[tuple[int, ...]]:
        """The days of each weekend (Saturday, Sunday) inside the horizon; a weekend cut
        by the horizon keeps its day that is inside."""
        out: dict[int, list[int]] = {}
        for d in range(self.horizon):
            wd = (self.first_weekday + d) % 7
            if wd in (5, 6):
                week = (self.first_weekday + d) // 7
                out.setdefault(week, []).append(d)
        return [tuple(v) for _, v in sorted(out.items())]

    def successions(self) -> list[set[int]]:
        """For each shift index, the shift indexes that cannot follow it the next day
        for every agent (the ``forbidden`` pairs)."""
        idx = self.shift_index()
        out: list[set[int]] = [set() for _ in self.shifts]
        for a, b in self.forbidden:
            out[idx[a]].add(idx[b])
        return out

    def rest_forbidden(self, contract: Contract) -> set[tuple[int, int]]:
        """Pairs (s, t) of shift indexes where ``t`` on the next day starts less than
        ``contract.min_rest_minutes`` after ``s`` ended (shifts with start times)."""
        out: set[tuple[int, int]] = set()
        if contract.min_rest_minutes <= 0:
            return out
        for i, s in enumerate(self.shifts):
            for j, t in enumerate(self.shifts):
                end = s.end_minute
                if end is None or t.start_minute is None:
                    continue
                rest = 1440 + t.start_minute - end
                if rest < contract.min_rest_minutes:
                    out.add((i, j))
        return out

    def allowed(self, agent: Agent) -> list[list[bool]]:
        """``allowed[d][s]``: may ``agent`` work shift index ``s`` on day ``d``
        (days off, unavailability, skills and zero maxima)."""
        barred: set[int] = set()
        for key, cap in agent.contract.max_shifts.items():
            if cap <= 0:
                barred |= self.shift_set(key)
        out = []
        for d in range(self.horizon):
            row = []
            for i, s in enumerate(self.shifts):
                ok = (
                    d not in agent.days_off
                    and (d, s.id) not in agent.unavailable
                    and (s.skill is None or s.skill in agent.skills)
                    and i not in barred
                )
                row.append(ok)
            out.append(row)
        return out


@dataclass(frozen=True)
class Roster:
    """``days[e][d]``: the shift index agent ``e`` works on day ``d``, or :data:`OFF`."""

    days: tuple[tuple[int, ...], ...]

    @classmethod
    def from_names(
        cls, problem: RosterProblem, by_agent: Mapping[str, Sequence[str | None]]
    ) -> Roster:
        """A roster from agent id -> one shift id (or ``None``/``""`` for off) per day."""
        idx = problem.shift_index()
        rows = []
        for a in problem.agents:
            names = list(by_agent.get(a.id, [None] * problem.horizon))
            rows.append(tuple(idx[n] if n else OFF for n in names))
        return cls(tuple(rows))

    def rows(self, problem: RosterProblem) -> list[tuple[str, int, str]]:
        """(agent id, day, shift id) of every worked shift, by agent then day."""
        ids = problem.shift_ids
        return [
            (problem.agents[e].id, d, ids[s])
            for e, row in enumerate(self.days)
            for d, s in enumerate(row)
            if s != OFF
        ]

    def shifts_worked(self, e: int) -> int:
        return sum(1 for s in self.days[e] if s != OFF)


@dataclass(frozen=True, slots=True)
class Penalty:
    """A roster's objective in its parts (benchmark weight units)."""

    requests: int  #: weights of unmet shift-on and met shift-off requests
    under: int  #: cover shortfall times the under weights
    over: int  #: cover excess times the over weights

    @property
    def total(self) -> int:
        return self.requests + self.under + self.over


def unmet_requests(problem: RosterProblem, roster: Roster) -> list[ShiftRequest]:
    """The requests ``roster`` does not meet: a shift-on request whose agent does not
    work that shift (or a shift of that group) that day, a shift-off request whose
    agent does."""
    aidx = problem.agent_index()
    out = []
    for r in problem.requests:
        worked = roster.days[aidx[r.agent]][r.day] in problem.shift_set(r.shift)
        if worked != r.on:
            out.append(r)
    return out


def penalty(problem: RosterProblem, roster: Roster) -> Penalty:
    """The benchmark objective of ``roster`` (Curtois & Qu 2014, section 2)."""
    sidx = problem.shift_index()
    req = sum(r.weight for r in unmet_requests(problem, roster))
    count: dict[tuple[int, int], int] = {}
    for row in roster.days:
        for d, s in enumerate(row):
            if s != OFF:
                count[d, s] = count.get((d, s), 0) + 1
    under = over = 0
    for c in problem.cover:
        n = count.get((c.day, sidx[c.shift]), 0)
        under += max(0, c.requirement - n) * c.under_weight
        over += max(0, n - c.requirement) * c.over_weight
    return Penalty(req, under, over)


def runs(worked: Sequence[bool]) -> list[tuple[bool, int, int]]:
    """Maximal runs of equal values: (value, first day, length).

    >>> runs([True, True, False, True])
    [(True, 0, 2), (False, 2, 1), (True, 3, 1)]
    """
    out: list[tuple[bool, int, int]] = []
    for d, w in enumerate(worked):
        if out and out[-1][0] == w:
            v, start, n = out[-1]
            out[-1] = (v, start, n + 1)
        else:
            out.append((w, d, 1))
    return out


def violations(problem: RosterProblem, roster: Roster) -> list[str]:
    """Every hard rule ``roster`` breaks, one line each (empty: feasible)."""
    out: list[str] = []
    H = problem.horizon
    ids = problem.shift_ids
    succ = problem.successions()
    if len(roster.days) != len(problem.agents):
        return [f"{len(roster.days)} agent rows for {len(problem.agents)} agents"]
    for e, a in enumerate(problem.agents):
        row = roster.days[e]
        c = a.contract
        if len(row) != H:
            out.append(f"{a.id}: {len(row)} days for a horizon of {H}")
            continue
        allowed = problem.allowed(a)
        rest = problem.rest_forbidden(c)
        for d, s in enumerate(row):
            if s == OFF:
                continue
            if not 0 <= s < len(ids):
                out.append(f"{a.id} day {d}: no shift index {s}")
            elif not allowed[d][s]:
                out.append(f"{a.id} day {d}: may not work {ids[s]}")
        for d in range(H - 1):
            s, t = row[d], row[d + 1]
            if s != OFF and t != OFF and (t in succ[s] or (s, t) in rest):
                out.append(f"{a.id} days {d}-{d + 1}: {ids[t]} cannot follow {ids[s]}")
        for key, cap in c.max_shifts.items():
            members = problem.shift_set(key)
            n = sum(1 for s in row if s in members)
            if n > cap:
                out.append(f"{a.id}: {n} {key} shifts, at most {cap}")
        minutes = sum(problem.shifts[s].minutes for s in row if s != OFF)
        if minutes < c.min_minutes or (c.max_minutes is not None and minutes > c.max_minutes):
            out.append(f"{a.id}: {minutes} min, allowed {c.min_minutes}-{c.max_minutes}")
        for on, start, n in runs([s != OFF for s in row]):
            inner = start > 0 and start + n < H
            if on and c.max_consecutive_shifts is not None and n > c.max_consecutive_shifts:
                out.append(f"{a.id}: {n} shifts in a row from day {start}")
            if on and inner and n < c.min_consecutive_shifts:
                out.append(f"{a.id}: only {n} shifts in a row from day {start}")
            if not on and inner and n < c.min_consecutive_days_off:
                out.append(f"{a.id}: only {n} days off in a row from day {start}")
        if c.max_weekends is not None:
            wk = sum(1 for days in problem.weekends() if any(row[d] != OFF for d in days))
            if wk > c.max_weekends:
                out.append(f"{a.id}: {wk} weekends, at most {c.max_weekends}")
    return out
