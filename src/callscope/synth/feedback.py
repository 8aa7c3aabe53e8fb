"""Surveys after contacts: CSAT, NPS, resolution and the perceived time in queue.

A share of the contacts that an agent completed (``final`` segments) is answered by a
survey ``survey_rate`` (x1.5 on chat) some minutes after the contact. Answers come from
one latent satisfaction per response,

    z = 1.0 * resolved + 0.4 * agent quality - 0.45 * ln(1 + wait / scale) + N(0, 1),

(``scale`` 60 s for voice and chat, 1 h for e-mail, whose customers expect hours), so
scores fall with the wait and rise with resolution and the agent's quality:

* ``csat`` 1-5: thresholds -1.3, -0.6, 0.0, 1.0 on z (about 75 % score 4-5);
* ``nps`` 0-10: round(7.2 + 1.6 z + N(0, 1)) clipped (answered by 85 %);
* ``resolved`` 0/1: the contact's resolution, misreported 8 % of the time;
* ``time_in_queue`` 1-5: 5 minus the wait band (20 s, 60 s, 3 min, 10 min; for e-mail
  20 min, 1 h, 3 h, 10 h), +-1 noise (answered by 60 %).
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callscope.synth.columns import join, timestamps
from callscope.synth.config import SynthConfig
from callscope.synth.roster import Roster
from callscope.synth.segments import Segments

__all__ = ["surveys_table"]

_ITEMS = ("csat", "nps", "resolved", "time_in_queue")
_SCALE = ((1.0, 5.0), (0.0, 10.0), (0.0, 1.0), (1.0, 5.0))


def surveys_table(
    s: Segments, cfg: SynthConfig, roster: Roster, rng: np.random.Generator
) -> pa.Table:
    """Survey rows (without the source columns) for one day's segments."""
    r = s.raw
    rate = np.where(s.channel == 1, cfg.survey_rate * 1.5, cfg.survey_rate)
    pick_ = s.final & (rng.random(s.n) < np.minimum(rate, 1.0))
    idx = np.flatnonzero(pick_)
    m = idx.shape[0]
    wait = np.maximum(0.0, r["answer"][idx] - r["entry"][idx])
    resolved = s.resolved[idx] == 1.0
    quality = roster.quality[r["agent"][idx]]
    scale = np.where(s.channel[idx] == 2, 3600.0, 60.0)  # e-mail customers expect hours
    z = 1.0 * resolved + 0.4 * quality - 0.45 * np.log1p(wait / scale) + rng.normal(0, 1, m)
    csat = 1.0 + np.searchsorted(np.array([-1.3, -0.6, 0.0, 1.0]), z, side="right")
    nps = np.clip(np.rint(7.2 + 1.6 * z + rng.normal(0, 1, m)), 0, 10)
    res_item = np.where(rng.random(m) < 0.08, ~resolved, resolved).astype(np.float64)
    band = np.searchsorted(np.array([20.0, 60.0, 180.0, 600.0]), wait * 60.0 / scale, side="right")
    tiq = np.clip(5.0 - band + rng.integers(-1, 2, m) * (rng.random(m) < 0.3), 1, 5)
    answered_item = np.stack(
        [np.ones(m, bool), rng.random(m) < 0.85, np.ones(m, bool), rng.random(m) < 0.6]
    )
    scores = np.stack([csat, nps, res_item, tiq])
    submitted = (
        r["end"][idx]
        + np.nan_to_num(r["acw"][idx])
        + np.ceil(rng.lognormal(math.log(900.0), 1.0, m))
    )
    rows_item, rows_resp = np.nonzero(answered_item)
    o = np.lexsort((rows_item, rows_resp))
    rows_item, rows_resp = rows_item[o], rows_resp[o]
    src = idx[rows_resp]
    take = pa.array(src, pa.int64())
    cid = pc.take(s.contact_id, take)
    return pa.table(
        {
            "survey_id": join("S-", cid),
            "contact_id": cid,
            "customer_key": pc.take(s.customer_key, take),
            "agent": pc.take(s.agent_name, take),
            "queue": pc.take(s.queue_name, take),
            "channel": pc.take(s.channel_name, take),
            "submitted_ts": timestamps(s.base, submitted[rows_resp]),
            "item": pa.array(np.array(_ITEMS, dtype=object)[rows_item], pa.string()),
            "score": pa.array(scores[rows_item, rows_resp], pa.float64()),
            "scale_min": pa.array(np.array([a for a, _ in _SCALE])[rows_item], pa.float64()),
            "scale_max": pa.array(np.array([b for _, b in _SCALE])[rows_item], pa.float64()),
        }
    )
