"""Orders after chat inquiries.

An answered chat in a sales queue ends in an order with probability
``order_conversion * agent conversion`` (capped at 0.95); other chats with 4 %.
The order is placed minutes after the chat (lognormal, median 10 min), its value is
lognormal (median 60, log-sd 0.8, in ``currency``), it has ``1 + Poisson(0.8)`` items,
and 88 % are paid (lognormal delay, median 5 min); the rest never are (the unpaid-order
rate of ``KPIS.md``).
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callscope.synth.columns import floats, join, timestamps
from callscope.synth.config import SynthConfig
from callscope.synth.roster import Roster
from callscope.synth.segments import Segments

__all__ = ["orders_table"]


def orders_table(
    s: Segments, cfg: SynthConfig, roster: Roster, rng: np.random.Generator
) -> pa.Table:
    """Order rows (without the source columns) for one day's segments."""
    r = s.raw
    chat = s.final & (s.channel == 1)
    conv = roster.conversion[np.maximum(r["agent"], 0)]
    p = np.where(s.sales, np.minimum(cfg.order_conversion * conv, 0.95), 0.04)
    idx = np.flatnonzero(chat & (rng.random(s.n) < p))
    m = idx.shape[0]
    placed = r["end"][idx] + np.ceil(rng.lognormal(math.log(600.0), 1.0, m))
    paid = np.where(
        rng.random(m) < 0.88, placed + np.ceil(rng.lognormal(math.log(300.0), 1.5, m)), np.nan
    )
    take = pa.array(idx, pa.int64())
    return pa.table(
        {
            "order_id": join("O-", pc.take(s.contact_id, take)),
            "customer_key": pc.take(s.customer_key, take),
            "contact_id": pc.take(s.conversation_id, take),
            "agent": pc.take(s.agent_name, take),
            "placed_ts": timestamps(s.base, placed),
            "paid_ts": timestamps(s.base, paid),
            "amount": floats(np.round(rng.lognormal(math.log(60.0), 0.8, m), 2)),
            "items": pa.array(1 + rng.poisson(0.8, m), pa.int32()),
            "currency": pa.array([cfg.currency] * m, pa.string()),
        }
    )
