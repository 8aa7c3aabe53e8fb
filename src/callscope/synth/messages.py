"""Chat and e-mail turns.

Chat (per segment): the customer's opening message when the chat enters the queue,
then ``Poisson(talk / 100 s)`` more customer messages spread over the talk time. The
agent's first reply comes ``lognormal(median 10 s)`` after the answer (so the first
response time includes the queue wait); each later customer message gets a reply after
``lognormal(median 20 s)``, except 5 % that are never answered and 30 % of last
messages ("thanks, bye"). Unanswered chats leave one or two customer messages.
Characters are lognormal (customer median 55, agent median 110); the agent's compose
time is ``chars / typing speed`` with a typing speed of ``220 / agent speed`` chars/min.

E-mail: the customer's mail when it enters the queue (median 600 chars) and, if an
agent takes it, the reply when the handling ends (compose time = the handling time).
``contact_id`` of a message is the conversation id (``contacts.conversation_id``).
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callscope.synth.columns import fmt_int, join, timestamps
from callscope.synth.segments import Segments

__all__ = ["messages_table"]


def _lognormal_int(
    rng: np.random.Generator, median: float, sigma: float, n: int, lo: int = 1, hi: int = 5000
) -> np.ndarray:
    return np.clip(np.rint(rng.lognormal(math.log(median), sigma, n)), lo, hi)


def messages_table(
    s: Segments, rng: np.random.Generator, roster_speed: np.ndarray | None = None
) -> pa.Table:
    """Message rows (without the source columns) for one day's segments."""
    r = s.raw
    rows: list[np.ndarray] = []
    sender: list[np.ndarray] = []
    ts: list[np.ndarray] = []
    chars: list[np.ndarray] = []
    compose: list[np.ndarray] = []
    speed = roster_speed
    # -- chat, answered
    a = np.flatnonzero((s.channel == 1) & s.answered)
    talk = r["talk"][a]
    ans = r["answer"][a]
    k = 1 + np.minimum(rng.poisson(talk / 100.0), 39)
    rr = np.repeat(a, k)
    start = np.cumsum(k) - k
    j = np.arange(rr.shape[0]) - np.repeat(start, k)
    t_rel = rng.random(rr.shape[0]) * np.repeat(talk, k)
    t_rel = np.where(j == 0, 0.0, t_rel)
    order = np.lexsort((t_rel, rr))
    t_rel = t_rel[order]
    t_c = np.where(j == 0, np.repeat(r["entry"][a], k), np.repeat(ans, k) + np.floor(t_rel))
    rows.append(rr)
    sender.append(np.zeros(rr.shape[0], np.int8))
    ts.append(t_c)  # noqa: E702
    chars.append(_lognormal_int(rng, 55, 0.7, rr.shape[0], 1, 2000))
    compose.append(np.full(rr.shape[0], np.nan))
    delay = np.where(
        j == 0, _lognormal_int(rng, 10, 0.6, rr.shape[0]), _lognormal_int(rng, 20, 0.7, rr.shape[0])
    )
    t_a = np.where(j == 0, np.repeat(ans, k), t_c) + delay
    last = j == np.repeat(k - 1, k)
    drop = (
        ((j > 0) & (rng.random(rr.shape[0]) < 0.05))
        | (last & (j > 0) & (rng.random(rr.shape[0]) < 0.3))
        | (t_a > np.repeat(ans + talk, k))
    )
    keep = ~drop
    n_a = int(keep.sum())
    ag_chars = _lognormal_int(rng, 110, 0.6, n_a, 2, 3000)
    agent = r["agent"][rr[keep]]
    cpm = 220.0 / (speed[agent] if speed is not None else 1.0)
    rows.append(rr[keep])
    sender.append(np.ones(n_a, np.int8))
    ts.append(t_a[keep])  # noqa: E702
    chars.append(ag_chars)
    compose.append(np.round(ag_chars * 60.0 / cpm, 1))
    # -- chat, unanswered
    u = np.flatnonzero((s.channel == 1) & ~s.answered)
    two = rng.random(u.shape[0]) < 0.4
    wait = r["leave"][u] - r["entry"][u]
    second = np.floor(r["entry"][u] + wait * rng.uniform(0.3, 0.9, u.shape[0]))
    uu = np.concatenate([u, u[two]])
    rows.append(uu)
    sender.append(np.zeros(uu.shape[0], np.int8))  # noqa: E702
    ts.append(np.concatenate([r["entry"][u], second[two]]))
    chars.append(_lognormal_int(rng, 45, 0.7, uu.shape[0], 1, 2000))
    compose.append(np.full(uu.shape[0], np.nan))
    # -- e-mail
    e = np.flatnonzero(s.channel == 2)
    rows.append(e)
    sender.append(np.zeros(e.shape[0], np.int8))
    ts.append(r["entry"][e])  # noqa: E702
    chars.append(_lognormal_int(rng, 600, 0.8, e.shape[0], 20, 20000))
    compose.append(np.full(e.shape[0], np.nan))
    ea = e[s.answered[e]]
    rows.append(ea)
    sender.append(np.ones(ea.shape[0], np.int8))  # noqa: E702
    ts.append(r["answer"][ea] + r["talk"][ea])
    chars.append(_lognormal_int(rng, 900, 0.6, ea.shape[0], 20, 20000))
    compose.append(r["talk"][ea])

    row = np.concatenate(rows)
    snd = np.concatenate(sender)
    t = np.concatenate(ts)
    o = np.lexsort((snd, t, row))
    row, snd, t = row[o], snd[o], t[o]
    ch = np.concatenate(chars)[o]
    cp = np.concatenate(compose)[o]
    n = row.shape[0]
    first = np.ones(n, bool)
    first[1:] = row[1:] != row[:-1]
    starts = np.flatnonzero(first)
    seq = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    take = pa.array(row, pa.int64())
    agent_col = pc.take(s.agent_name, take)
    return pa.table(
        {
            "message_id": join(pc.take(s.contact_id, take), fmt_int(seq + 1), sep="-m"),
            "contact_id": pc.take(s.conversation_id, take),
            "channel": pc.take(s.channel_name, take),
            "sender": pa.array(np.where(snd == 1, "agent", "customer").astype(object), pa.string()),
            "agent": agent_col,
            "customer_key": pc.take(s.customer_key, take),
            "sent_ts": timestamps(s.base, t),
            "chars": pa.array(ch.astype(np.int32), pa.int32()),
            "compose_s": pa.array(np.nan_to_num(cp), pa.float64(), mask=np.isnan(cp)),
        }
    )
