"""Staffing, shifts and breaks: the schedule of a day, and what the agents actually did.

* :func:`requirement`: agents needed per 15-minute interval by the square-root staffing
  rule ``N = staffing * (a + beta * sqrt(a)) / (1 - 0.10)`` with offered load
  ``a = lambda * E[busy] / concurrency`` (Erlangs), ``beta = 0.5`` (Halfin & Whitt 1981;
  with abandonment this lands near 80/20 for mid-size voice groups) and 10 % of the
  staffed time lost to breaks. E-mail has no abandonment and is staffed flat for
  throughput, ``N = 1.15 * daily load / open intervals + 0.5``: the morning backlog
  is worked off in the afternoon, so mails wait hours, as they do.
* :func:`plan_shifts`: the classic shift-scheduling integer program (Dantzig 1954):
  choose how many shifts start at each quarter hour, full (8.5 h with a 30-min lunch
  and two 15-min breaks), 6.5 h or part-time (4.5 h, one break), minimizing paid
  minutes subject to coverage >= requirement in every interval and at most 60 % of
  shifts shorter than full; solved by HiGHS (``scipy.optimize.milp``). The solve is
  bounded by a count of branch-and-bound nodes, never by a wall-clock limit, so the same
  configuration gives the same shifts on a fast, slow or loaded machine (the cover
  matrix has consecutive ones, so the LP relaxation is nearly integral and every
  instance of the default center solves at the root node). :func:`cover` is the greedy
  fallback ("start a shift wherever the coverage falls short"), used only when the
  node budget ends without a feasible plan.
* :func:`staff_day`: the day's schedule rows per agent (work, break, lunch, training,
  meeting, absence) and the *actual* availability windows, with the deviations a WFM
  analyst sees: planned absences, early and late logins, breaks that run over, early
  log-offs, unscheduled personal pauses and no-shows. The queue kernel then decides
  when each break really starts (an agent finishes the contact in hand first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from callscope.synth.config import SynthConfig

__all__ = [
    "ACTIVITIES",
    "FULL_SHIFT_MIN",
    "NODE_LIMIT",
    "PART_SHIFT_MIN",
    "REASONS",
    "QueueStaff",
    "cover",
    "plan_shifts",
    "requirement",
    "staff_day",
]

#: Schedule activities (codes are indices).
ACTIVITIES = ("work", "break", "lunch", "training", "meeting", "absence")
#: Not-ready reasons of the gap after a window (code 0: the agent logs off).
REASONS = ("", "break", "lunch", "training", "meeting", "personal")
FULL_SHIFT_MIN = 510
PART_SHIFT_MIN = 270
_SLOT = 15


def _interval_counts(config: SynthConfig, qi: int, day: date) -> np.ndarray:
    """Expected first-segment arrivals of queue ``qi`` per 15-min interval of ``day``."""
    from callscope.synth.profiles import daily_volume, intraday, open_mask

    q = config.queues[qi]
    volume = daily_volume(config, qi, day)
    if volume <= 0:
        return np.zeros(96)
    dens = intraday(q.channel) * open_mask(q, day.weekday())
    return volume * (dens / dens.sum()).reshape(96, _SLOT).sum(axis=1)


def requirement(config: SynthConfig, qi: int, day: date) -> np.ndarray:
    """Agents to schedule per 15-minute interval of ``day`` (length 96): the queue's
    own arrivals plus the expected transfers in (``0.9 * transfer_rate`` of each source
    queue's arrivals, split over its targets, while this queue is open)."""
    from callscope.synth.profiles import mean_busy_s, open_mask

    q = config.queues[qi]
    counts = _interval_counts(config, qi, day)
    is_open = open_mask(q, day.weekday()).reshape(96, _SLOT).any(axis=1)
    for si, src in enumerate(config.queues):
        if q.name in src.transfer_to:
            share = 0.9 * config.transfer_rate / len(src.transfer_to)
            counts = counts + share * _interval_counts(config, si, day) * is_open
    conc = float(np.mean(q.max_chats)) if q.channel == "chat" else 1.0
    a = counts / (_SLOT * 60) * mean_busy_s(q) / conc
    if q.channel == "email":
        # flat, through the open hours and the tail after closing (the backlog is
        # worked off before the agents leave)
        o, c = q.hours[day.weekday()]
        idx = np.arange(96) * _SLOT
        span = (idx >= round(o * 60)) & (idx < min(round(c * 60) + q.tail_min, 24 * 60))
        level = 1.15 * a.sum() / max(int((counts > 0).sum()), 1) + 0.5
        n = np.where(span & (a.sum() > 0), level, 0.0)
        counts = np.where(span, np.maximum(counts, 1e-9), 0.0)
    else:
        n = config.staffing * (a + 0.5 * np.sqrt(a)) / 0.90
    n = np.where(counts > 0, np.maximum(np.ceil(n), 1), 0)
    return n.astype(np.int64)


def cover(req: np.ndarray, open_min: int, close_min: int, tail_min: int) -> list[tuple[int, int]]:
    """Greedy shifts ``(start_min, length_min)`` covering ``req`` within the open hours
    plus ``tail_min`` after closing (agents stay to clear the queue)."""
    end_lim = min(close_min + tail_min, 24 * 60 - 1)
    cov = np.zeros(len(req) + 2, np.int64)
    out: list[tuple[int, int]] = []
    first = open_min // _SLOT
    last = math.ceil(end_lim / _SLOT)
    for i in range(first, min(last, len(req))):
        t = max(i * _SLOT, open_min)
        while cov[i] < req[i]:
            remaining = end_lim - t
            if remaining >= FULL_SHIFT_MIN:
                s, length = t, FULL_SHIFT_MIN
            elif remaining >= PART_SHIFT_MIN:
                s, length = t, PART_SHIFT_MIN
            else:
                s = max(open_min, end_lim - PART_SHIFT_MIN)
                length = end_lim - s
            out.append((s, length))
            lo = s // _SLOT
            hi = math.ceil((s + length) / _SLOT)
            cov[lo:hi] += 1
    return out


_LENGTHS = (FULL_SHIFT_MIN, 390, PART_SHIFT_MIN)
_MAX_SHORT = 0.6


#: Branch-and-bound nodes HiGHS may explore (a deterministic work budget; the default
#: center needs 1 per queue-day, the root).
NODE_LIMIT = 10_000


def plan_shifts(
    req: np.ndarray,
    open_min: int,
    close_min: int,
    tail_min: int,
    *,
    node_limit: int = NODE_LIMIT,
) -> list[tuple[int, int]]:
    """Shifts ``(start_min, length_min)`` covering ``req`` (agents per 15-min interval)
    at least cost in paid minutes, within the open hours plus ``tail_min``.

    A deterministic function of its arguments: the solver stops after ``node_limit``
    branch-and-bound nodes (keeping its best plan so far, else the greedy
    :func:`cover`), never after a number of seconds.
    """
    req_a = np.asarray(req, np.int64)
    if not np.any(req_a > 0):
        return []
    end_lim = min(close_min + tail_min, 24 * 60 - 1)
    first, last = open_min // _SLOT, min(math.ceil(end_lim / _SLOT), len(req_a))
    cand = set()
    for length in _LENGTHS:
        if end_lim - open_min < length:
            cand.add((open_min, end_lim - open_min))
            continue
        cand.update((t, length) for t in range(open_min, end_lim - length + 1, _SLOT))
    cands = sorted(cand)
    rows = np.arange(first, last)
    starts = np.array([c[0] for c in cands])
    lengths = np.array([c[1] for c in cands])
    cover_m = (
        (rows[:, None] * _SLOT >= starts[None, :])
        & (rows[:, None] * _SLOT < (starts + lengths)[None, :])
    ).astype(np.float64)
    cons = [LinearConstraint(cover_m, req_a[rows].astype(np.float64), np.inf)]
    if end_lim - open_min >= FULL_SHIFT_MIN:
        short = (lengths < FULL_SHIFT_MIN).astype(np.float64) - _MAX_SHORT
        cons.append(LinearConstraint(short[None, :], -np.inf, 0.0))
    res = milp(
        lengths.astype(np.float64),
        constraints=cons,
        integrality=np.ones(len(cands)),
        bounds=Bounds(0, np.inf),
        options={"node_limit": int(node_limit)},
    )
    if res.x is None or res.status not in (0, 1):  # 1: node budget spent, best plan kept
        return cover(req_a, open_min, close_min, tail_min)
    x = np.rint(res.x).astype(np.int64)
    return [cands[j] for j in np.flatnonzero(x) for _ in range(int(x[j]))]


def _breaks(length: int, rng: np.random.Generator) -> list[tuple[int, int, int]]:
    """Non-work activities of a shift: (activity code, start offset min, length min)."""
    if length >= FULL_SHIFT_MIN:
        acts = [
            (1, 105 + _SLOT * int(rng.integers(0, 4)), 15),
            (2, 225 + _SLOT * int(rng.integers(0, 4)), 30),
            (1, 375 + _SLOT * int(rng.integers(0, 4)), 15),
        ]
        u = rng.random()
        if u < 0.06:
            acts.append((3, 165, 60))
        elif u < 0.11:
            acts.append((4, 180, 30))
        return sorted(acts, key=lambda a: a[1])
    if length >= PART_SHIFT_MIN:
        return [(1, 105 + _SLOT * int(rng.integers(0, 4)), 15)]
    if length >= 180:
        return [(1, (length // 2) // _SLOT * _SLOT, 15)]
    return []


@dataclass(frozen=True, slots=True)
class QueueStaff:
    """One queue's staff on one day.

    ``agents``: global agent numbers (local index = position). Windows are CSR by local
    agent (``win_ptr``), seconds from midnight; ``win_gap`` is the reason code
    (:data:`REASONS`) of the not-ready gap after each window, 0 for the last one.
    Schedule rows: ``sched_agent`` (global), ``sched_activity`` (:data:`ACTIVITIES`),
    ``sched_start``/``sched_end`` (seconds from midnight).
    """

    agents: np.ndarray
    win_ptr: np.ndarray
    win_start: np.ndarray
    win_end: np.ndarray
    win_gap: np.ndarray
    sched_agent: np.ndarray
    sched_activity: np.ndarray
    sched_start: np.ndarray
    sched_end: np.ndarray


def _login_dev(rng: np.random.Generator) -> float:
    u = rng.random()
    if u < 0.30:
        return -float(rng.integers(0, 300))
    if u < 0.78:
        return float(np.floor(rng.exponential(90.0)))
    return float(np.floor(rng.lognormal(math.log(420.0), 0.6)))


def _overrun(rng: np.random.Generator) -> float:
    if rng.random() < 0.6:
        return float(rng.integers(-60, 61))
    return float(np.floor(rng.exponential(200.0)))


def staff_day(
    shifts: tuple[tuple[int, int], ...],
    agents: np.ndarray,
    no_show_rate: float,
    rng: np.random.Generator,
    absence_rate: float = 0.0,
) -> QueueStaff:
    """Schedule and actual windows of ``agents[k]`` working ``shifts[k]``.

    A share ``absence_rate`` of shifts is a planned absence (vacation: one ``absence``
    schedule row, no work), ``no_show_rate`` an unplanned one (work scheduled, never
    logged in).
    """
    sa: list[int] = []
    sact: list[int] = []
    ss: list[int] = []
    se: list[int] = []
    ptr = [0]
    ws: list[float] = []
    we: list[float] = []
    wg: list[int] = []
    for ag, (start, length) in zip(agents.tolist(), shifts, strict=True):
        if absence_rate and rng.random() < absence_rate:
            sa.append(ag)
            sact.append(5)
            ss.append(start * 60)  # noqa: E702
            se.append((start + length) * 60)
            ptr.append(len(ws))
            continue
        acts = _breaks(length, rng)
        t = start
        for code, off, dur in acts:
            if start + off > t:
                sa.append(ag)
                sact.append(0)
                ss.append(t * 60)
                se.append((start + off) * 60)  # noqa: E702
            sa.append(ag)
            sact.append(code)
            ss.append((start + off) * 60)  # noqa: E702
            se.append((start + off + dur) * 60)
            t = start + off + dur
        if start + length > t:
            sa.append(ag)
            sact.append(0)
            ss.append(t * 60)
            se.append((start + length) * 60)  # noqa: E702
        if rng.random() < no_show_rate:
            ptr.append(len(ws))
            continue
        # actual windows
        w_s: list[float] = [start * 60 + _login_dev(rng)]
        w_e: list[float] = []
        gaps: list[int] = []
        for code, off, dur in acts:
            w_e.append((start + off) * 60.0)
            gaps.append(code)
            w_s.append((start + off + dur) * 60.0 + _overrun(rng))
        end = (start + length) * 60.0
        end += -float(rng.integers(60, 900)) if rng.random() < 0.10 else float(rng.integers(0, 120))
        w_e.append(end)
        gaps.append(0)
        if rng.random() < 0.25:
            lengths = [e - s for s, e in zip(w_s, w_e, strict=True)]
            k = int(np.argmax(lengths))
            if lengths[k] > 2400:
                p = float(rng.integers(int(w_s[k]) + 600, int(w_e[k]) - 1200))
                d = float(rng.integers(180, 720))
                w_s.insert(k + 1, p + d)
                w_e.insert(k, p)
                gaps.insert(k, 5)
        for s_, e_, g in zip(w_s, w_e, gaps, strict=True):
            if e_ - s_ >= 60:
                ws.append(s_)
                we.append(e_)
                wg.append(g)  # noqa: E702
        if len(ws) > ptr[-1]:
            wg[-1] = 0
        ptr.append(len(ws))
    return QueueStaff(
        agents=np.asarray(agents, np.int64),
        win_ptr=np.array(ptr, np.int64),
        win_start=np.array(ws, np.float64),
        win_end=np.array(we, np.float64),
        win_gap=np.array(wg, np.int8),
        sched_agent=np.array(sa, np.int64),
        sched_activity=np.array(sact, np.int8),
        sched_start=np.array(ss, np.int64),
        sched_end=np.array(se, np.int64),
    )
