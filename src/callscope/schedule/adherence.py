"""Adherence, conformance, shrinkage and exceptions of one agent against the schedule.

A pure function of one agent's scheduled activities and states (times in seconds on
any clock both use, e.g. POSIX seconds), so the same rules serve the history
(``callscope adherence``, every agent and day) and, run on the states so far, the live
view (:func:`live_status`).

**In adherence**, instant by instant (the rule of :mod:`callscope.kpi.workforce`):
during scheduled ``work`` the agent is logged in and not not-ready; during any other
scheduled activity (``break``, ``lunch``, ``training``, ``meeting``, ``absence``) the
agent is logged out or not-ready; outside the schedule, working (logged in, not
not-ready) is *working outside the shift*.

**Exceptions**: each maximal out-of-adherence span longer than the tolerance (a
setting, in minutes: Genesys Cloud's "adherence exception threshold") is an exception,
of one kind:

==========================  ============================================================
``late_start``              logged out from the start of the shift
``early_end``               logged out until the end of the shift
``long_break``              still away (logged out or not-ready) after a break, lunch or
                            other non-work activity ended
``unscheduled_aux``         not-ready during work (the reason is kept)
``logged_out``              logged out during work, mid-shift
``working_in_break``        working during a scheduled break, lunch, meeting ...
``working_outside_shift``   working when nothing is scheduled (counted when the setting
                            ``outside_shift_exception`` is on, as Genesys Cloud's
                            "Working Outside Shift Considered Exception")
==========================  ============================================================

A *shift* is a run of scheduled activities with no gap between them.

**Formulas** (Genesys Cloud, "How Genesys Cloud calculates adherence and conformance"):

* adherence = ``max(0, 1 - exception_s / (scheduled_s + outside_s))``, where
  ``exception_s`` is the time of the exceptions and ``outside_s`` the time worked
  outside the shift that counts as an exception (it is in the numerator and the
  denominator). Worked check: 60 min of work scheduled, the agent 10 min late and
  10 min on after the end: ``1 - (10 + 10) / (60 + 10) = 71.4 %``. With a tolerance of
  0 and no outside-shift exception this is the KPI engine's adherence, time adherent /
  scheduled time.
* conformance = ``worked_s / scheduled_work_s``, worked = logged in and not not-ready
  (the KPI engine's definition; above 1 with overtime).
* planned shrinkage = scheduled time not ``work`` / scheduled time; actual shrinkage =
  ``1 - worked_in_schedule_s / scheduled_s``, the share of the scheduled (paid) time
  the agent was not available for contacts.

>>> m = 60.0
>>> day = agent_day([("work", 0, 60 * m)], [("logged_in", None, 10 * m, 70 * m)])
>>> round(day[0].adherence, 4), [e.kind for e in day[0].exceptions]
(0.7143, ['late_start', 'working_outside_shift'])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "KINDS",
    "AdherenceDay",
    "AdherenceException",
    "LiveStatus",
    "Segment",
    "agent_day",
    "live_status",
    "timeline",
]

#: Exception kinds, in the order of the module docstring.
KINDS = (
    "late_start",
    "early_end",
    "long_break",
    "unscheduled_aux",
    "logged_out",
    "working_in_break",
    "working_outside_shift",
)
_DAY_S = 86400.0
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of time in which nothing changes: the scheduled ``activity`` (``None``
    off shift), whether the agent is ``logged_in`` and ``not_ready`` (with the
    ``reason``), and the verdict ``kind`` (``None``: in adherence, or off shift and not
    working)."""

    start: float
    end: float
    activity: str | None
    logged_in: bool
    not_ready: bool
    reason: str | None
    kind: str | None

    @property
    def working(self) -> bool:
        return self.logged_in and not self.not_ready


@dataclass(frozen=True, slots=True)
class AdherenceException:
    """One exception: its ``kind`` (:data:`KINDS`), span, the scheduled activity and
    the not-ready reason where there is one."""

    kind: str
    start: float
    end: float
    activity: str | None
    reason: str | None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class AdherenceDay:
    """One agent's day (``day``: days since the clock's epoch), seconds and ratios as in
    the module docstring (``None`` where the denominator is 0)."""

    day: int
    scheduled_s: float
    scheduled_work_s: float
    worked_s: float
    worked_in_schedule_s: float
    outside_s: float
    exception_s: float
    exceptions: tuple[AdherenceException, ...]

    @property
    def adherence(self) -> float | None:
        den = self.scheduled_s + self.outside_s
        return max(0.0, 1.0 - self.exception_s / den) if den > 0 else None

    @property
    def conformance(self) -> float | None:
        return self.worked_s / self.scheduled_work_s if self.scheduled_work_s > 0 else None

    @property
    def planned_shrinkage(self) -> float | None:
        if self.scheduled_s <= 0:
            return None
        return (self.scheduled_s - self.scheduled_work_s) / self.scheduled_s

    @property
    def actual_shrinkage(self) -> float | None:
        if self.scheduled_s <= 0:
            return None
        return 1.0 - self.worked_in_schedule_s / self.scheduled_s


def _union(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted((a, b) for a, b in spans if b > a):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _at(spans: Sequence[tuple[float, float]], t: float) -> int:
    """Index of the span containing ``t`` (spans sorted, disjoint), else -1."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] <= t:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(spans) and spans[lo][0] <= t < spans[lo][1] else -1


def timeline(
    schedule: Iterable[tuple[str, float, float]],
    states: Iterable[tuple[str, str | None, float, float]],
    *,
    outside_shift_exception: bool = True,
    until: float | None = None,
) -> list[Segment]:
    """The agent's time cut where anything changes, each piece judged. ``schedule``:
    ``(activity, start, end)`` rows (not overlapping); ``states``: ``(state, reason,
    start, end)`` rows, ``state`` ``logged_in`` or ``not_ready`` (overlapping sessions
    are merged; not-ready counts inside a session only). With ``until``, time stops
    there (the live view): later pieces are left out, while late starts, early ends and
    long breaks are still judged against the whole schedule."""
    sched = sorted((float(a), float(b), str(act)) for act, a, b in schedule if b > a)
    st = list(states)
    logged = _union((float(a), float(b)) for s, _, a, b in st if s == "logged_in")
    nr_rows = sorted(
        (float(a), float(b), r) for s, r, a, b in st if s == "not_ready" and float(b) > float(a)
    )
    nr = _union((a, b) for a, b, _ in nr_rows)
    cuts = sorted(
        {x for a, b, _ in sched for x in (a, b)}
        | {x for a, b in logged for x in (a, b)}
        | {x for a, b in nr for x in (a, b)}
        | (set() if until is None else {float(until)})
    )
    if until is not None:
        cuts = [x for x in cuts if x <= until]
    sched_spans = [(a, b) for a, b, _ in sched]
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b - a <= _EPS:
            continue
        mid = (a + b) / 2
        i = _at(sched_spans, mid)
        activity = sched[i][2] if i >= 0 else None
        is_in = _at(logged, mid) >= 0
        is_nr = is_in and _at(nr, mid) >= 0
        reason = None
        if is_nr:
            reason = next((r for x, y, r in nr_rows if x <= mid < y), None)
        working = is_in and not is_nr
        if activity is None:
            kind = "working_outside_shift" if working and outside_shift_exception else None
        elif activity == "work":
            kind = None if working else ("unscheduled_aux" if is_in else "logged_out")
        else:
            kind = "working_in_break" if working else None
        out.append(Segment(a, b, activity, is_in, is_nr, reason, kind))
    return _classify(out, sched)


def _classify(segs: list[Segment], sched: list[tuple[float, float, str]]) -> list[Segment]:
    """Late start, early end and long break: an away span during work that touches the
    shift's start or end, or begins as a non-work activity ends."""
    shifts: list[list[float]] = []
    for a, b, _ in sched:
        if shifts and abs(a - shifts[-1][1]) <= _EPS:
            shifts[-1][1] = b
        else:
            shifts.append([a, b])
    starts = {a for a, _ in shifts}
    ends = {b for _, b in shifts}
    break_ends = {b for _, b, act in sched if act != "work"}
    out = list(segs)
    i = 0
    while i < len(out):
        s = out[i]
        if s.kind not in ("logged_out", "unscheduled_aux"):
            i += 1
            continue
        j = i
        while (
            j + 1 < len(out)
            and out[j + 1].kind in ("logged_out", "unscheduled_aux")
            and (abs(out[j + 1].start - out[j].end) <= _EPS)
        ):
            j += 1
        a, b = out[i].start, out[j].end
        new = None
        if any(abs(a - x) <= _EPS for x in break_ends):
            new = "long_break"
        elif s.kind == "logged_out" and any(abs(a - x) <= _EPS for x in starts):
            new = "late_start"
        elif out[j].kind == "logged_out" and any(abs(b - x) <= _EPS for x in ends):
            new = "early_end"
        if new is not None:
            for k in range(i, j + 1):
                if new == "early_end" and out[k].kind != "logged_out":
                    continue
                x = out[k]
                out[k] = Segment(
                    x.start, x.end, x.activity, x.logged_in, x.not_ready, x.reason, new
                )
        i = j + 1
    return out


def _exceptions(segs: Sequence[Segment], tolerance_s: float) -> list[AdherenceException]:
    """Maximal runs of one kind (and reason) longer than the tolerance."""
    out: list[AdherenceException] = []
    run: list[Segment] = []

    def flush() -> None:
        if run and run[-1].end - run[0].start > tolerance_s + _EPS:
            kind = run[0].kind or ""
            out.append(
                AdherenceException(kind, run[0].start, run[-1].end, run[0].activity, run[0].reason)
            )
        run.clear()

    for s in segs:
        if s.kind is None:
            flush()
            continue
        if run and (
            s.kind != run[-1].kind or s.reason != run[-1].reason or s.start - run[-1].end > _EPS
        ):
            flush()
        run.append(s)
    flush()
    return out


def _overlap(a: float, b: float, lo: float, hi: float) -> float:
    return max(0.0, min(b, hi) - max(a, lo))


def agent_day(
    schedule: Iterable[tuple[str, float, float]],
    states: Iterable[tuple[str, str | None, float, float]],
    *,
    tolerance_s: float = 0.0,
    outside_shift_exception: bool = True,
    day_s: float = _DAY_S,
) -> list[AdherenceDay]:
    """Adherence of one agent per calendar day (``day_s`` seconds from the clock's
    epoch), with the exceptions that start that day. Spans crossing midnight are split
    between the days, as the KPI engine splits them."""
    segs = timeline(schedule, states, outside_shift_exception=outside_shift_exception)
    exc = _exceptions(segs, tolerance_s)
    days: dict[int, list[float]] = {}
    for s in segs:
        d0, d1 = int(math.floor(s.start / day_s)), int(math.floor((s.end - _EPS) / day_s))
        for d in range(d0, d1 + 1):
            v = _overlap(s.start, s.end, d * day_s, (d + 1) * day_s)
            if v <= 0:
                continue
            acc = days.setdefault(d, [0.0] * 6)
            if s.activity is not None:
                acc[0] += v
                if s.activity == "work":
                    acc[1] += v
                if s.working:
                    acc[3] += v
            if s.working:
                acc[2] += v
    for e in exc:
        d0, d1 = int(math.floor(e.start / day_s)), int(math.floor((e.end - _EPS) / day_s))
        for d in range(d0, d1 + 1):
            v = _overlap(e.start, e.end, d * day_s, (d + 1) * day_s)
            acc = days.setdefault(d, [0.0] * 6)
            acc[5] += v
            if e.kind == "working_outside_shift":
                acc[4] += v
    return [
        AdherenceDay(
            day=d,
            scheduled_s=v[0],
            scheduled_work_s=v[1],
            worked_s=v[2],
            worked_in_schedule_s=v[3],
            outside_s=v[4],
            exception_s=v[5],
            exceptions=tuple(e for e in exc if int(math.floor(e.start / day_s)) == d),
        )
        for d, v in sorted(days.items())
    ]


@dataclass(frozen=True, slots=True)
class LiveStatus:
    """Where an agent stands at ``now``: in adherence or not, since when, and whether
    the current out-of-adherence span is already an exception (longer than the
    tolerance)."""

    now: float
    activity: str | None
    in_adherence: bool
    kind: str | None
    since: float | None
    exception: bool


def live_status(
    schedule: Iterable[tuple[str, float, float]],
    states: Iterable[tuple[str, str | None, float, float | None]],
    now: float,
    *,
    tolerance_s: float = 0.0,
    outside_shift_exception: bool = True,
) -> LiveStatus:
    """The same rules on the states so far: open states (``end`` ``None``) run to
    ``now``; the verdict is the one of the segment ending at ``now``."""
    closed = [
        (s, r, a, now if b is None else min(float(b), now))
        for s, r, a, b in states
        if float(a) < now
    ]
    sched = list(schedule)
    segs = timeline(sched, closed, outside_shift_exception=outside_shift_exception, until=now)
    act = next((str(k) for k, a, b in sched if a <= now < b), None)
    if not segs or segs[-1].kind is None:  # no piece before now: nothing scheduled yet
        return LiveStatus(now, act, True, None, None, False)
    last = segs[-1]
    i = len(segs) - 1
    while i > 0 and segs[i - 1].kind == last.kind and segs[i - 1].end >= segs[i].start - _EPS:
        i -= 1
    since = segs[i].start
    return LiveStatus(now, act, False, last.kind, since, now - since > tolerance_s + _EPS)
