"""Patience estimation: the pure estimator and the store reader."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from callscope.model import CONTACTS
from callscope.queueing.patience import estimate_patience, kaplan_meier
from callscope.store import Store
from callscope.store.patience import handle_times, queue_patience, queue_waits


def test_estimator_is_total_wait_over_abandons() -> None:
    e = estimate_patience([5400.0, 100.0, 0.0], [45, 0, 0], groups=("a", "b", "c"))
    assert e.for_group("a") == 120.0
    assert math.isinf(e.for_group("b")) and math.isnan(e.for_group("c"))
    half = 1.959963984540054 / math.sqrt(45)
    assert e.lo_s[0] == pytest.approx(120 * math.exp(-half))
    assert e.hi_s[0] == pytest.approx(120 * math.exp(half))


def test_estimator_recovers_exponential_patience() -> None:
    # censored exponential patience: answered callers' waits are lower bounds
    rng = np.random.default_rng(3)
    patience = rng.exponential(90.0, 40_000)
    offered_wait = rng.exponential(60.0, 40_000)
    wait = np.minimum(patience, offered_wait)
    abandons = (patience < offered_wait).sum()
    e = estimate_patience(wait.sum(), abandons)
    assert e.lo_s[0] < 90.0 < e.hi_s[0]
    assert float(e.patience_s[0]) == pytest.approx(90.0, rel=0.03)


def _contacts(rows: list[tuple[str, str, float]]) -> pa.Table:
    t0 = datetime(2024, 3, 1, 9)
    n = len(rows)
    cols = {c.name: [None] * n for c in CONTACTS.columns}
    for i, (queue, outcome, wait) in enumerate(rows):
        ts = t0 + timedelta(minutes=i)
        cols["contact_id"][i] = cols["conversation_id"][i] = f"c{i}"
        cols["segment"][i] = 1
        cols["channel"][i] = "voice"
        cols["direction"][i] = "inbound"
        cols["queue"][i] = queue
        cols["arrival_ts"][i] = cols["queue_entry_ts"][i] = ts
        cols["wait_s"][i] = wait
        cols["outcome"][i] = outcome
        cols["transferred"][i] = False
        cols["source_file"][i] = "test"
        cols["source_line"][i] = i + 1
    return pa.Table.from_pydict(cols, schema=CONTACTS.schema)


def test_queue_patience_from_the_store(tmp_path) -> None:  # noqa: ANN001
    rows = [
        ("sales", "answered", 30.0),
        ("sales", "abandoned", 50.0),
        ("sales", "answered", 100.0),
        ("sales", "abandoned", 20.0),
        ("sales", "blocked", 999.0),  # not offered: ignored
        ("help", "answered", 10.0),
    ]
    store = Store(tmp_path / "s.duckdb")
    with store.batch("t.csv", "test", "sha") as b:
        b.append("contacts", _contacts(rows))
    e = queue_patience(store)
    assert e.groups == ("help", "sales")
    assert e.for_group("sales") == pytest.approx(200.0 / 2)  # (30+50+100+20) / 2
    assert math.isinf(e.for_group("help"))
    assert queue_patience(store, queues=["sales"]).groups == ("sales",)
    store.close()


def test_kaplan_meier_recovers_exponential_survival() -> None:
    rng = np.random.default_rng(9)
    patience = rng.exponential(90.0, 20_000)
    offered = rng.exponential(60.0, 20_000)
    curve = kaplan_meier(np.minimum(patience, offered), patience < offered)
    for t in (30.0, 90.0, 180.0):
        s = curve.survival[np.searchsorted(curve.times, t, side="right") - 1]
        assert s == pytest.approx(math.exp(-t / 90.0), abs=0.02)
    # sampling the curve reproduces it; callers beyond the last abandon never abandon
    d = curve.distribution()
    x = d.sample(np.random.default_rng(1), 50_000)
    assert np.mean(x > 90.0) == pytest.approx(
        curve.survival[np.searchsorted(curve.times, 90.0, side="right") - 1], abs=0.01
    )
    assert np.isinf(x).mean() == pytest.approx(curve.survival[-1], abs=0.005)


def test_store_waits_and_handle_times(tmp_path) -> None:  # noqa: ANN001
    rows = [("q", "answered", 30.0), ("q", "abandoned", 50.0), ("q", "answered", 10.0)]
    table = _contacts(rows)
    talk = pa.array([100.0, None, 200.0])
    table = table.set_column(table.schema.get_field_index("talk_s"), "talk_s", talk)
    acw = pa.array([10.0, None, None])
    table = table.set_column(table.schema.get_field_index("acw_s"), "acw_s", acw)
    store = Store(tmp_path / "w.duckdb")
    with store.batch("t", "t", "sha") as b:
        b.append("contacts", table)
    w, ab = queue_waits(store, "q")
    pairs = sorted(zip(w.tolist(), ab.tolist(), strict=True))
    assert pairs == [(10.0, False), (30.0, False), (50.0, True)]
    assert sorted(handle_times(store, "q").tolist()) == [110.0, 200.0]
    store.close()
