"""The queue kernel: a first-come-first-served multi-server queue with abandonment,
agent shifts and breaks, simulated call by call (numba).

Each *slot* is one unit of agent capacity (a voice agent has one, a chat agent
``max_chats``). An agent works in *windows* (logged in and not paused); a slot takes a
new contact only inside one of its agent's windows, though the contact may run past the
window's end (the break then starts late). Contacts are served in arrival order; each
goes to the slot that can start it first, the longest-idle one on ties (a binary heap
keyed by the slot's next possible start). A contact whose answer would come later than
``min(patience, max_wait)`` after its arrival leaves unanswered: *abandoned* when
patience ran out first, *timeout* when the queue's maximum wait did; when no agent will
log in again that day it leaves at once (*exit empty*).

Outcome codes are :attr:`~callscope.model.outcome.Outcome.code` values, shared with the
simulator's kernel (:mod:`callscope.queueing.sim_kernel`); ``OUTCOME_BY_CODE[code]`` is
the name. They are bound below as module-level ints, which numba compiles in as
constants (numba's on-disk cache is keyed by this file only: after renumbering
:class:`Outcome`, touch this file). The generator itself writes ``EXIT_BY_KEY`` and
``IVR_ONLY``.

Times are seconds (float64 holding whole seconds); the cost is
``O((n + windows) log slots)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from callscope.model.outcome import Outcome

__all__ = [
    "ABANDONED",
    "ANSWERED",
    "EXIT_BY_KEY",
    "EXIT_EMPTY",
    "IVR_ONLY",
    "TIMEOUT",
    "serve_queue",
]

ANSWERED: int = Outcome.ANSWERED.code
ABANDONED: int = Outcome.ABANDONED.code
TIMEOUT: int = Outcome.TIMEOUT.code
EXIT_EMPTY: int = Outcome.EXIT_EMPTY.code
EXIT_BY_KEY: int = Outcome.EXIT_BY_KEY.code
IVR_ONLY: int = Outcome.IVR_ONLY.code


@njit(cache=True)
def _next_start(s, x, slot_agent, ptr, win_ptr, win_start, win_end):  # pragma: no cover
    ag = slot_agent[s]
    w = ptr[s]
    end = win_ptr[ag + 1]
    while w < end and win_end[w] <= x:
        w += 1
    ptr[s] = w
    if w == end:
        return np.inf
    return max(x, win_start[w])


@njit(cache=True)
def _sift_down(keys, ids, size, i):  # pragma: no cover
    while True:
        left = 2 * i + 1
        if left >= size:
            return
        child = left
        right = left + 1
        if right < size and keys[right] < keys[left]:
            child = right
        if keys[child] < keys[i]:
            keys[i], keys[child] = keys[child], keys[i]
            ids[i], ids[child] = ids[child], ids[i]
            i = child
        else:
            return


@njit(cache=True)
def _sift_up(keys, ids, i):  # pragma: no cover
    while i > 0:
        parent = (i - 1) // 2
        if keys[i] < keys[parent]:
            keys[i], keys[parent] = keys[parent], keys[i]
            ids[i], ids[parent] = ids[parent], ids[i]
            i = parent
        else:
            return


@njit(cache=True)
def serve_queue(
    arrival,
    patience,
    max_wait,
    ring,
    talk,
    hold,
    acw,
    slot_agent,
    speed,
    win_ptr,
    win_start,
    win_end,
):  # pragma: no cover
    """Simulate one queue for one day.

    Parameters (arrays of contacts are sorted by ``arrival``):
        arrival, patience, ring: seconds; ``ring`` is the delay from the moment a slot
            is found to the answer (ringing, including agents who did not answer).
        talk, hold, acw: base durations (s), scaled by the answering agent's ``speed``
            and rounded to whole seconds.
        slot_agent: agent index of every slot. win_ptr: CSR offsets into the agents'
            windows ``[win_start, win_end)`` (sorted per agent, seconds).

    Returns ``(outcome, answer, leave, agent, talk, hold, acw, release)``: outcome codes
    ANSWERED/ABANDONED/TIMEOUT/EXIT_EMPTY, answer time (NaN if none), time the contact
    left the queue, answering agent (-1), scaled durations, and per window the time its
    agent actually became free (``>= win_end``: the last contact may overrun).
    """
    n = arrival.shape[0]
    n_slots = slot_agent.shape[0]
    outcome = np.zeros(n, np.int8)
    answer = np.full(n, np.nan)
    leave = np.zeros(n)
    agent = np.full(n, -1, np.int64)
    talk_o = np.zeros(n)
    hold_o = np.zeros(n)
    acw_o = np.zeros(n)
    release = win_end.copy()
    ptr = np.empty(n_slots, np.int64)
    for s in range(n_slots):
        ptr[s] = win_ptr[slot_agent[s]]
    keys = np.empty(n_slots)
    ids = np.empty(n_slots, np.int64)
    size = 0
    for s in range(n_slots):
        k = _next_start(s, -np.inf, slot_agent, ptr, win_ptr, win_start, win_end)
        if k < np.inf:
            keys[size] = k
            ids[size] = s
            _sift_up(keys, ids, size)
            size += 1
    for i in range(n):
        a = arrival[i]
        t = np.inf
        while size > 0:
            k = keys[0]
            if k >= a:
                t = k
                break
            k2 = _next_start(ids[0], a, slot_agent, ptr, win_ptr, win_start, win_end)
            if k2 == a:
                t = a
                break
            if k2 == np.inf:
                size -= 1
                keys[0] = keys[size]
                ids[0] = ids[size]
            else:
                keys[0] = k2
            _sift_down(keys, ids, size, 0)
        deadline = min(patience[i], max_wait)
        if size == 0:
            outcome[i] = EXIT_EMPTY
            leave[i] = a
            continue
        ans = t + ring[i]
        if ans - a > deadline:
            if patience[i] <= max_wait:
                outcome[i] = ABANDONED
                leave[i] = a + patience[i]
            else:
                outcome[i] = TIMEOUT
                leave[i] = a + max_wait
            continue
        s = ids[0]
        ag = slot_agent[s]
        sp = speed[ag]
        tk = max(1.0, np.floor(talk[i] * sp + 0.5))
        hd = np.floor(hold[i] * sp + 0.5)
        aw = np.floor(acw[i] * sp + 0.5)
        outcome[i] = ANSWERED
        answer[i] = ans
        leave[i] = ans
        agent[i] = ag
        talk_o[i] = tk
        hold_o[i] = hd
        acw_o[i] = aw
        busy_end = ans + tk + hd + aw
        w = ptr[s]
        if busy_end > release[w]:
            release[w] = busy_end
        k = _next_start(s, busy_end, slot_agent, ptr, win_ptr, win_start, win_end)
        if k == np.inf:
            size -= 1
            keys[0] = keys[size]
            ids[0] = ids[size]
        else:
            keys[0] = k
        _sift_down(keys, ids, size, 0)
    return outcome, answer, leave, agent, talk_o, hold_o, acw_o, release
