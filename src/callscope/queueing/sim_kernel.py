"""The compiled discrete-event kernel of the contact-center simulator.

Calls (pre-drawn arrival time, queue, handle time and patience) are processed in time
order together with three kinds of scheduled events kept in one binary heap: service
completions, abandonments (a caller's patience runs out while still waiting) and
overflow checks (a caller has waited long enough to be offered to backup groups).
Agent schedules change at interval boundaries.

Routing:

* an arriving call goes to the longest-idle free agent of the first group (in group
  order) that has its queue as a primary skill; else it waits;
* ``delay[g, q]`` is 0 for a primary skill of group ``g``, the queue's overflow delay
  for a backup (overflow) skill, ``inf`` otherwise; a waiting call becomes eligible for
  backup groups once it has waited its queue's overflow delay;
* a freed agent takes the oldest eligible waiting call, preferring primary queues,
  then higher queue priority, then the longest wait (FCFS within a queue);
* at a boundary, agents beyond the group's count log out (after finishing the current
  call); new agents log in and take waiting calls; after the last interval, agents
  finish the backlog and log out.

Outcome codes are the :attr:`~callscope.model.outcome.Outcome.code` of
``answered``, ``abandoned`` and ``exit_empty`` (still waiting at the end of the run, when
no agent is left to serve it); ``OUTCOME_BY_CODE[code]`` is the name. They are bound
below as module-level ints, which numba compiles in as constants. (numba's on-disk cache
is keyed by this file only: after renumbering :class:`Outcome`, touch this file.)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from callscope.model.outcome import Outcome

__all__ = ["ABANDONED", "ANSWERED", "EXIT_EMPTY", "run"]

ANSWERED: int = Outcome.ANSWERED.code
ABANDONED: int = Outcome.ABANDONED.code
EXIT_EMPTY: int = Outcome.EXIT_EMPTY.code
_COMPLETE = 0
_ABANDON = 1
_OVERFLOW = 2


@njit(cache=True)
def _push(
    ht: np.ndarray, hk: np.ndarray, hi: np.ndarray, size: int, t: float, kind: int, ident: int
) -> int:
    i = size
    ht[i] = t
    hk[i] = kind
    hi[i] = ident
    while i > 0:
        p = (i - 1) >> 1
        if ht[p] <= ht[i]:
            break
        ht[p], ht[i] = ht[i], ht[p]
        hk[p], hk[i] = hk[i], hk[p]
        hi[p], hi[i] = hi[i], hi[p]
        i = p
    return size + 1


@njit(cache=True)
def _pop(ht: np.ndarray, hk: np.ndarray, hi: np.ndarray, size: int) -> int:
    size -= 1
    ht[0] = ht[size]
    hk[0] = hk[size]
    hi[0] = hi[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        c = left
        if left + 1 < size and ht[left + 1] < ht[left]:
            c = left + 1
        if ht[i] <= ht[c]:
            break
        ht[c], ht[i] = ht[i], ht[c]
        hk[c], hk[i] = hk[i], hk[c]
        hi[c], hi[i] = hi[i], hi[c]
        i = c
    return size


@njit(cache=True)
def _free_append(
    g: int,
    a: int,
    fhead: np.ndarray,
    ftail: np.ndarray,
    fnext: np.ndarray,
    fprev: np.ndarray,
    isfree: np.ndarray,
) -> None:
    fnext[a] = -1
    fprev[a] = ftail[g]
    if ftail[g] >= 0:
        fnext[ftail[g]] = a
    else:
        fhead[g] = a
    ftail[g] = a
    isfree[a] = True


@njit(cache=True)
def _free_remove(
    g: int,
    a: int,
    fhead: np.ndarray,
    ftail: np.ndarray,
    fnext: np.ndarray,
    fprev: np.ndarray,
    isfree: np.ndarray,
) -> None:
    if fprev[a] >= 0:
        fnext[fprev[a]] = fnext[a]
    else:
        fhead[g] = fnext[a]
    if fnext[a] >= 0:
        fprev[fnext[a]] = fprev[a]
    else:
        ftail[g] = fprev[a]
    fnext[a] = -1
    fprev[a] = -1
    isfree[a] = False


@njit(cache=True, inline="always")
def _log_out(
    a: int,
    now: float,
    login: np.ndarray,
    sess_open: np.ndarray,
    s_agent: np.ndarray,
    s_start: np.ndarray,
    s_end: np.ndarray,
    nsess: int,
) -> int:
    """Record agent ``a``'s logged-in session ``login[a] .. now``; the new session count."""
    s_agent[nsess] = a
    s_start[nsess] = login[a]
    s_end[nsess] = now
    sess_open[a] = False
    return nsess + 1


@njit(cache=True, inline="always")
def _free_group(q: int, primary: bool, delay: np.ndarray, fhead: np.ndarray) -> int:
    """The first group (in group order) with a free agent that has queue ``q`` as a
    primary skill (``primary``) or as a backup skill, or -1."""
    for g in range(fhead.size):
        if fhead[g] >= 0:
            d = delay[g, q]
            if d == 0.0 if primary else 0.0 < d < math.inf:
                return g
    return -1


@njit(cache=True)
def run(
    arrival: np.ndarray,
    queue: np.ndarray,
    handle: np.ndarray,
    patience: np.ndarray,
    qcalls: np.ndarray,
    qoff: np.ndarray,
    priority: np.ndarray,
    overflow_s: np.ndarray,
    delay: np.ndarray,
    group_of: np.ndarray,
    gfirst: np.ndarray,
    gsize: np.ndarray,
    schedule: np.ndarray,
    interval_s: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Simulate. ``arrival`` sorted ascending; ``qcalls[qoff[q]:qoff[q+1]]`` the calls of
    queue ``q`` in arrival order; ``schedule[g, i]`` agents of group ``g`` on shift in
    interval ``i``; agents ``gfirst[g] .. gfirst[g]+gsize[g]-1`` belong to group ``g``.

    Returns per call ``answer_t`` (nan), ``end_t``, ``agent`` (-1), ``outcome``, and the
    logged-in sessions ``(sess_agent, sess_start, sess_end, n_sessions)``.
    """
    ncalls = arrival.size
    nq = qoff.size - 1
    ng = gsize.size
    nagents = group_of.size
    nint = schedule.shape[1]
    answer = np.full(ncalls, np.nan)
    end = np.full(ncalls, np.nan)
    agent_of = np.full(ncalls, -1, dtype=np.int64)
    outcome = np.zeros(ncalls, dtype=np.int8)
    waiting = np.zeros(ncalls, dtype=np.bool_)
    head = np.zeros(nq, dtype=np.int64)
    tail = np.zeros(nq, dtype=np.int64)
    cap = 3 * ncalls + 16
    ht = np.empty(cap)
    hk = np.empty(cap, dtype=np.int8)
    hi = np.empty(cap, dtype=np.int64)
    hsize = 0
    busy = np.full(nagents, -1, dtype=np.int64)
    on = np.zeros(nagents, dtype=np.bool_)
    sess_open = np.zeros(nagents, dtype=np.bool_)
    login = np.zeros(nagents)
    isfree = np.zeros(nagents, dtype=np.bool_)
    fnext = np.full(nagents, -1, dtype=np.int64)
    fprev = np.full(nagents, -1, dtype=np.int64)
    fhead = np.full(ng, -1, dtype=np.int64)
    ftail = np.full(ng, -1, dtype=np.int64)
    scap = nagents * (nint + 1) + 1
    s_agent = np.empty(scap, dtype=np.int64)
    s_start = np.empty(scap)
    s_end = np.empty(scap)
    nsess = 0
    horizon = nint * interval_s
    nxt = 0  # next arrival
    bnd = 0  # next boundary index (0 .. nint, nint = horizon)
    now = 0.0
    while True:
        t_arr = arrival[nxt] if nxt < ncalls else math.inf
        t_evt = ht[0] if hsize > 0 else math.inf
        t_bnd = bnd * interval_s if bnd <= nint else math.inf
        if t_bnd <= t_arr and t_bnd <= t_evt:
            if t_bnd == math.inf:
                break
            now = t_bnd
            # agents off shift first, then on; at the horizon everyone stays to finish
            # the backlog (a freed agent with nothing to take then logs out)
            if bnd < nint:
                for g in range(ng):
                    want = schedule[g, bnd]
                    for j in range(gsize[g]):
                        a = gfirst[g] + j
                        if j >= want and on[a]:
                            on[a] = False
                            if busy[a] < 0:
                                if isfree[a]:
                                    _free_remove(g, a, fhead, ftail, fnext, fprev, isfree)
                                nsess = _log_out(
                                    a, now, login, sess_open, s_agent, s_start, s_end, nsess
                                )
                        elif j < want and not on[a]:
                            on[a] = True
                            if not sess_open[a]:
                                sess_open[a] = True
                                login[a] = now
                            if busy[a] < 0 and not isfree[a]:
                                _free_append(g, a, fhead, ftail, fnext, fprev, isfree)
            # free agents pull waiting calls
            for g in range(ng):
                a = fhead[g]
                while a >= 0:
                    nxt_a = fnext[a]
                    c = _pick(g, now, delay, priority, qcalls, qoff, head, tail, waiting, arrival)
                    if c < 0:
                        break
                    _free_remove(g, a, fhead, ftail, fnext, fprev, isfree)
                    hsize = _serve(
                        a,
                        c,
                        now,
                        answer,
                        agent_of,
                        outcome,
                        waiting,
                        busy,
                        handle,
                        ht,
                        hk,
                        hi,
                        hsize,
                    )
                    a = nxt_a
            bnd += 1
            continue
        if t_arr <= t_evt:
            now = t_arr
            c = nxt
            nxt += 1
            q = queue[c]
            tail[q] += 1
            waiting[c] = True
            primary = True
        else:
            now = t_evt
            kind = hk[0]
            ident = hi[0]
            hsize = _pop(ht, hk, hi, hsize)
            if kind == _COMPLETE:
                a = ident
                c = busy[a]
                end[c] = now
                busy[a] = -1
                g = group_of[a]
                nc = -1
                if on[a]:
                    nc = _pick(g, now, delay, priority, qcalls, qoff, head, tail, waiting, arrival)
                if nc >= 0:
                    hsize = _serve(
                        a,
                        nc,
                        now,
                        answer,
                        agent_of,
                        outcome,
                        waiting,
                        busy,
                        handle,
                        ht,
                        hk,
                        hi,
                        hsize,
                    )
                elif on[a] and bnd <= nint:
                    _free_append(g, a, fhead, ftail, fnext, fprev, isfree)
                else:
                    on[a] = False
                    nsess = _log_out(a, now, login, sess_open, s_agent, s_start, s_end, nsess)
                continue
            c = ident
            if not waiting[c]:
                continue
            if kind == _ABANDON:
                waiting[c] = False
                outcome[c] = ABANDONED
                end[c] = now
                continue
            q = queue[c]  # overflow check: offer the call to backup groups
            primary = False
        # a new call (primary groups) or an overflowing one (backup groups) takes the
        # longest-idle free agent of the first such group, else (new call) it waits
        g = _free_group(q, primary, delay, fhead)
        if g >= 0:
            a = fhead[g]
            _free_remove(g, a, fhead, ftail, fnext, fprev, isfree)
            hsize = _serve(
                a, c, now, answer, agent_of, outcome, waiting, busy, handle, ht, hk, hi, hsize
            )
        elif primary:
            if patience[c] < math.inf:
                hsize = _push(ht, hk, hi, hsize, now + patience[c], _ABANDON, c)
            if overflow_s[q] < math.inf:
                hsize = _push(ht, hk, hi, hsize, now + overflow_s[q], _OVERFLOW, c)
    final = max(now, horizon)
    for c in range(ncalls):
        if waiting[c]:
            waiting[c] = False
            outcome[c] = EXIT_EMPTY
            end[c] = final
    for a in range(nagents):
        if sess_open[a]:
            if isfree[a]:
                _free_remove(group_of[a], a, fhead, ftail, fnext, fprev, isfree)
            t_out = min(final, max(horizon, login[a]))
            nsess = _log_out(a, t_out, login, sess_open, s_agent, s_start, s_end, nsess)
    return answer, end, agent_of, outcome, s_agent, s_start, s_end, nsess


@njit(cache=True)
def _serve(
    a: int,
    c: int,
    now: float,
    answer: np.ndarray,
    agent_of: np.ndarray,
    outcome: np.ndarray,
    waiting: np.ndarray,
    busy: np.ndarray,
    handle: np.ndarray,
    ht: np.ndarray,
    hk: np.ndarray,
    hi: np.ndarray,
    hsize: int,
) -> int:
    waiting[c] = False
    answer[c] = now
    agent_of[c] = a
    outcome[c] = ANSWERED
    busy[a] = c
    return _push(ht, hk, hi, hsize, now + handle[c], _COMPLETE, a)


@njit(cache=True)
def _pick(
    g: int,
    now: float,
    delay: np.ndarray,
    priority: np.ndarray,
    qcalls: np.ndarray,
    qoff: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    waiting: np.ndarray,
    arrival: np.ndarray,
) -> int:
    """The waiting call group ``g`` should take next, or -1."""
    best = -1
    best_primary = False
    best_prio = 0
    best_arr = math.inf
    for q in range(qoff.size - 1):
        d = delay[g, q]
        if d == math.inf:
            continue
        base = qoff[q]
        h = head[q]
        while h < tail[q] and not waiting[qcalls[base + h]]:
            h += 1
        head[q] = h
        if h >= tail[q]:
            continue
        c = qcalls[base + h]
        if now - arrival[c] < d - 1e-9:
            continue
        primary = d == 0.0
        if (
            best < 0
            or (primary and not best_primary)
            or (
                primary == best_primary
                and (
                    priority[q] > best_prio or (priority[q] == best_prio and arrival[c] < best_arr)
                )
            )
        ):
            best = c
            best_primary = primary
            best_prio = priority[q]
            best_arr = arrival[c]
    return best
