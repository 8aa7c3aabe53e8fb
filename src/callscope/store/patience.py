"""Read waits and abandons from the store's ``contacts`` to estimate patience per queue.

Counts only contacts that were offered to a queue and left it answered or abandoned
(``KPIS.md``: other outcomes are neither). ``wait_s`` is queue entry to answer or to
hang-up. The estimator itself is :func:`callscope.queueing.patience.estimate_patience`.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from callscope.queueing.patience import PatienceEstimate, estimate_patience
from callscope.store.sql import run
from callscope.store.store import Store

__all__ = ["handle_times", "queue_patience", "queue_waits"]


def queue_patience(
    store: Store,
    *,
    queues: list[str] | None = None,
    since: datetime | None = None,
    channel: str | None = None,
) -> PatienceEstimate:
    """Mean patience per queue from the stored contacts (optionally only some queues,
    contacts arriving at or after ``since``, one channel)."""
    where = [
        "queue IS NOT NULL",
        "queue_entry_ts IS NOT NULL",
        "wait_s IS NOT NULL",
        "outcome IN ('answered', 'abandoned')",
    ]
    params: list[object] = []
    if queues:
        where.append(f"queue IN ({', '.join('?' for _ in queues)})")
        params.extend(queues)
    if since is not None:
        where.append("arrival_ts >= ?")
        params.append(since)
    if channel is not None:
        where.append("channel = ?")
        params.append(channel)
    rows = run(
        store.con,
        f"""SELECT queue, sum(greatest(wait_s, 0)) AS total_wait_s,
                   count(*) FILTER (WHERE outcome = 'abandoned') AS abandons,
                   count(*) AS calls
            FROM contacts WHERE {" AND ".join(where)}
            GROUP BY queue ORDER BY queue""",
        params,
    ).fetchall()
    return estimate_patience(
        [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows], tuple(r[0] for r in rows)
    )


def queue_waits(store: Store, queue: str) -> tuple[np.ndarray, np.ndarray]:
    """Waits (seconds) of the queue's answered and abandoned contacts, and whether each
    abandoned: the censored sample :func:`~callscope.queueing.patience.kaplan_meier`
    turns into a patience distribution."""
    rows = run(
        store.con,
        """SELECT greatest(wait_s, 0), outcome = 'abandoned' FROM contacts
           WHERE queue = ? AND queue_entry_ts IS NOT NULL AND wait_s IS NOT NULL
             AND outcome IN ('answered', 'abandoned')""",
        [queue],
    ).fetchall()
    return (
        np.array([r[0] for r in rows], dtype=np.float64),
        np.array([r[1] for r in rows], dtype=bool),
    )


def handle_times(store: Store, queue: str) -> np.ndarray:
    """Handle times (talk + hold + after-call work, seconds) of the queue's answered
    contacts, for an empirical handle-time distribution."""
    rows = run(
        store.con,
        """SELECT coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(acw_s, 0)
           FROM contacts WHERE queue = ? AND outcome = 'answered'
             AND talk_s IS NOT NULL""",
        [queue],
    ).fetchall()
    return np.array([r[0] for r in rows], dtype=np.float64)
