"""Arrival profiles: intraday shape, weekly shape and open hours of each queue.

The arrival process of a queue on a day is a nonhomogeneous Poisson process with rate
``lambda(t) = V_d * f_c(t) * open(t) / integral(f_c * open)`` where ``V_d`` is the day's
expected volume and ``f_c`` the intraday shape of the channel:

* voice: two peaks, mid-morning (10:30) and early afternoon (14:30), the classic bank
  and utility pattern (Brown et al. 2005, JASA; Weinberg, Brown & Stroud 2007, JASA);
* chat: a noon bump and a larger evening peak (19:30), when customers are home;
* e-mail: a broad office-hours hump with a morning maximum (overnight mail is read then).

Weekly factors (Monday..Sunday, relative to an average day): Monday is the busiest day
of voice and e-mail; chat is flatter across the week.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from callscope.synth.config import QueueSpec, SynthConfig

__all__ = [
    "MINUTES",
    "WEEKLY",
    "daily_volume",
    "expected_rows_per_unit",
    "intraday",
    "mean_busy_s",
    "open_mask",
]

#: Minutes in a day (the resolution of the intraday profiles).
MINUTES = 1440

#: Relative daily volume Monday..Sunday per channel.
WEEKLY: dict[str, tuple[float, ...]] = {
    "voice": (1.30, 1.10, 1.02, 1.00, 0.95, 0.48, 0.30),
    "chat": (1.10, 1.02, 1.00, 1.00, 0.98, 0.85, 0.80),
    "email": (1.40, 1.10, 1.00, 0.95, 0.90, 0.40, 0.30),
}


def _bump(h: np.ndarray, mu: float, sd: float) -> np.ndarray:
    return np.exp(-0.5 * ((h - mu) / sd) ** 2)


def intraday(channel: str) -> np.ndarray:
    """Unnormalized arrival intensity per minute of the day (length 1440)."""
    h = (np.arange(MINUTES) + 0.5) / 60.0
    if channel == "voice":
        return 0.08 + _bump(h, 10.5, 1.2) + 0.75 * _bump(h, 14.5, 1.3)
    if channel == "chat":
        return 0.10 + 0.45 * _bump(h, 12.5, 1.5) + _bump(h, 19.5, 2.0)
    return 0.15 + _bump(h, 9.5, 1.5) + 0.6 * _bump(h, 14.0, 2.5)


def open_mask(queue: QueueSpec, weekday: int) -> np.ndarray:
    """Boolean per minute: the queue accepts contacts (0 = Monday)."""
    o, c = queue.hours[weekday]
    m = np.arange(MINUTES)
    return (m >= round(o * 60)) & (m < round(c * 60))


def _week_norm(queue: QueueSpec) -> float:
    w = WEEKLY[queue.channel]
    return sum(w[d] for d in range(7) if queue.hours[d][1] > queue.hours[d][0]) / 7.0


def daily_volume(config: SynthConfig, qi: int, day: date) -> float:
    """Expected first-segment arrivals of queue ``qi`` on ``day`` (0 when closed).

    ``contacts_per_day * share_q * weekly_c[weekday] / mean over the week of
    (weekly_c * open)``, so that a full week averages ``contacts_per_day * share_q``.
    """
    q = config.queues[qi]
    wd = day.weekday()
    o, c = q.hours[wd]
    if c <= o:
        return 0.0
    norm = _week_norm(q)
    return config.contacts_per_day * config.volume_shares()[qi] * WEEKLY[q.channel][wd] / norm


def mean_busy_s(queue: QueueSpec) -> float:
    """Expected agent-busy seconds per answered contact: E[talk] + E[hold] + E[ACW] + ring.

    Lognormal mean = median * exp(sigma^2 / 2).
    """
    talk = queue.talk_median_s * math.exp(queue.talk_sigma**2 / 2)
    hold = queue.hold_prob * queue.hold_median_s * math.exp(0.7**2 / 2)
    acw = queue.acw_median_s * math.exp(queue.acw_sigma**2 / 2)
    ring = 5.0 if queue.channel == "voice" else 1.0
    return talk + hold + acw + ring


def expected_rows_per_unit(config: SynthConfig) -> float:
    """Expected ``contacts`` rows over ``config.days`` per unit of ``contacts_per_day``:
    first segments, plus IVR-only voice calls and incident bursts, plus transfer
    segments (about 90 % of contacts are answered)."""
    unit = replace(config, contacts_per_day=1.0)
    total = 0.0
    for d in range(config.days):
        day = config.start + timedelta(days=d)
        for qi, q in enumerate(config.queues):
            v = daily_volume(unit, qi, day)
            extra = 1.0
            if q.channel == "voice":
                extra += config.ivr_only_rate + 0.4 * config.incident_rate
            if q.transfer_to:
                extra += 0.9 * config.transfer_rate
            total += v * extra
    return total
