"""Test data of the forecast tests: contacts with a known seasonal signal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from callscope.forecast.series import IntervalSeries, aggregate, read_series_csv
from callscope.model import CONTACTS

#: The known signal: calls per 30 minutes = BASE * WEEKDAY[w] * SHAPE[slot]; open
#: Monday-Friday 08:00-18:00 (slots 16..35), closed nights and weekends.
BASE = 40.0
WEEKDAY = np.array([1.3, 1.1, 1.0, 1.0, 0.8, 0.0, 0.0])
OPEN_SLOTS = np.arange(16, 36)
SHAPE = np.zeros(48)
SHAPE[OPEN_SLOTS] = 0.6 + 0.8 * np.sin(np.linspace(0, np.pi, OPEN_SLOTS.size)) ** 2
AHT_S = 240.0


def expected_calls(ts: np.ndarray) -> np.ndarray:
    """The true mean calls of 30-minute intervals starting at ``ts``."""
    us = ts.astype("datetime64[us]").astype(np.int64)
    day = us // 86_400_000_000
    slot = (us - day * 86_400_000_000) // 1_800_000_000
    return BASE * WEEKDAY[(day + 3) % 7] * SHAPE[slot]


def make_contacts(
    start: date, days: int, rng: np.random.Generator, queue: str = "sales", channel: str = "voice"
) -> pa.Table:
    """Offered contacts of the known signal, all answered, handle time ~ AHT_S."""
    t0 = np.datetime64(start, "us")
    slots = t0 + np.arange(days * 48) * np.timedelta64(1800, "s")
    lam = expected_calls(slots)
    n = rng.poisson(lam)
    arr = np.repeat(slots, n) + (rng.uniform(0, 1800, n.sum()) * 1e6).astype("timedelta64[us]")
    arr.sort()
    m = arr.size
    talk = rng.exponential(AHT_S - 30.0, m)
    wait = rng.exponential(15.0, m)
    ids = [f"{queue}-{channel}-{i}" for i in range(m)]
    entry = arr + (5e6 * np.ones(m)).astype("timedelta64[us]")
    answer = entry + (wait * 1e6).astype("timedelta64[us]")
    cols = {
        "contact_id": ids,
        "conversation_id": ids,
        "segment": np.ones(m, np.int16),
        "previous_contact_id": [None] * m,
        "channel": [channel] * m,
        "direction": ["inbound"] * m,
        "queue": [queue] * m,
        "skill": [None] * m,
        "priority": [None] * m,
        "customer_key": [None] * m,
        "arrival_ts": arr,
        "ivr_s": np.full(m, 5.0),
        "queue_entry_ts": entry,
        "answer_ts": answer,
        "end_ts": answer + (talk * 1e6).astype("timedelta64[us]"),
        "wait_s": wait,
        "talk_s": talk,
        "hold_s": np.zeros(m),
        "acw_s": np.full(m, 30.0),
        "agent": ["a1"] * m,
        "rings": np.ones(m, np.int16),
        "outcome": ["answered"] * m,
        "transferred": np.zeros(m, bool),
        "disposition": [None] * m,
        "resolved": [None] * m,
        "source_file": ["test"] * m,
        "source_line": np.arange(1, m + 1),
        "utc_offset_s": [None] * m,
    }
    return pa.table(
        {k: pa.array(v, CONTACTS.schema.field(k).type) for k, v in cols.items()},
        schema=CONTACTS.schema,
    )


def weinberg(data: Path) -> IntervalSeries:
    """Weinberg bank 2003 at 30 minutes (the open intervals only)."""
    ts, y = read_series_csv(data / "weinberg_bank" / "bank_calls_5min_2003.csv")
    return aggregate(ts, y, 1800)


def anonymous_bank(data: Path) -> IntervalSeries:
    """Anonymous Bank 1999 arrivals at 30 minutes."""
    df = pd.read_csv(data / "anonymous_bank" / "arrivals_6min_1999.csv")
    ts = pd.to_datetime(df["Date"]) + pd.to_timedelta((df["u"] - 1) * 6, unit="min")
    return aggregate(ts.to_numpy().astype("datetime64[us]"), df["calls"].to_numpy(float), 1800)
