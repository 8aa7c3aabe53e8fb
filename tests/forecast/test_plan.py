"""The capacity plan: agents that meet the target when fed back through Erlang."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from callscope.errors import CallscopeError
from callscope.forecast.plan import Scenario, capacity_plan, parse_what_if
from callscope.model.target import Target
from callscope.queueing.erlang import erlang_a


def erlang_c_sl(calls: float, aht_s: float, n: int, interval_s: float, t_s: float) -> float:
    """Textbook Erlang C service level (independent of callscope): Erlang B by the
    recursion B(k) = r B(k-1) / (k + r B(k-1)), C = B / (1 - rho (1 - B))."""
    r = calls * aht_s / interval_s
    if n <= r:
        return 0.0
    b = 1.0
    for k in range(1, n + 1):
        b = r * b / (k + r * b)
    c = b / (1 - (r / n) * (1 - b))
    return 1 - c * math.exp(-(n - r) * t_s / aht_s)


def _frame() -> pd.DataFrame:
    t = pd.date_range("2024-03-04 08:00", periods=20, freq="30min")
    calls = 40 + 60 * np.sin(np.linspace(0, np.pi, 20)) ** 2
    return pd.DataFrame(
        {
            "interval_start": t,
            "interval_s": 1800,
            "queue": "sales",
            "channel": "voice",
            "calls": calls,
            "aht_s": 240.0,
        }
    )


def _forecast() -> pa.Table:
    return pa.Table.from_pandas(_frame(), preserve_index=False)


def test_agents_meet_target_through_erlang_c() -> None:
    f = _frame()
    p = capacity_plan(_forecast(), target=Target(0.8, 20), shrinkage=0.3).intervals.to_pandas()
    for c, n in zip(f["calls"], p["agents"], strict=True):
        assert erlang_c_sl(c, 240, int(n), 1800, 20) >= 0.8
        assert erlang_c_sl(c, 240, int(n) - 1, 1800, 20) < 0.8  # and it is the smallest
    assert (p["scheduled_agents"] == np.ceil(p["agents"] / 0.7 - 1e-9)).all()
    assert p["met"].all()


def test_agents_meet_target_through_erlang_a_with_patience() -> None:
    f = _frame()
    p = capacity_plan(
        _forecast(), model="erlang-a", patience_s={"sales": 120.0}, target=Target(0.8, 20)
    ).intervals.to_pandas()
    sl = erlang_a(
        f["calls"].to_numpy(),
        240.0,
        p["agents"].to_numpy(),
        120.0,
        interval_s=1800.0,
        threshold_s=20.0,
    ).service_level
    sl_less = erlang_a(
        f["calls"].to_numpy(),
        240.0,
        p["agents"].to_numpy() - 1,
        120.0,
        interval_s=1800.0,
        threshold_s=20.0,
    ).service_level
    assert (sl >= 0.8).all() and (sl_less < 0.8).all()


def test_what_ifs_against_base() -> None:
    f = _forecast()
    sc = [
        parse_what_if("volume=+10%"),
        parse_what_if("aht=300"),
        parse_what_if("sl=90/20"),
        Scenario("calls -50%", volume_factor=0.5),
    ]
    cp = capacity_plan(f, target=Target(), shrinkage=0.25, scenarios=sc)
    s = cp.summary_table().to_pandas().set_index("scenario")
    assert s.loc["volume=+10%", "calls"] == pytest.approx(1.1 * s.loc["base", "calls"])
    for name in ("volume=+10%", "aht=300", "sl=90/20"):
        assert s.loc[name, "fte"] > s.loc["base", "fte"] and s.loc[name, "fte_vs_base"] > 0
    assert s.loc["calls -50%", "fte"] < s.loc["base", "fte"]
    # FTE = scheduled hours / (40 h x weeks); 20 half-hours are 10 h = 1/16.8 week
    rows = cp.intervals.to_pandas()
    base = rows[rows["scenario"] == "base"]
    hours = (base["scheduled_agents"] * 0.5).sum()
    assert s.loc["base", "fte"] == pytest.approx(hours / (40 * 10 / 168))
    assert s.loc["sl=90/20", "target"] == "90/20"


def test_bad_inputs() -> None:
    with pytest.raises(CallscopeError, match="what-if"):
        parse_what_if("volume")
    with pytest.raises(CallscopeError, match="target"):
        Target.parse("eighty")
    with pytest.raises(CallscopeError, match="shrinkage"):
        capacity_plan(_forecast(), target=Target(), shrinkage=1.0)


def test_pooled_queues_need_fewer_agents_than_apart() -> None:
    """Pooling two queues (one group of agents answers both) needs fewer agents than
    staffing each alone: the economy of scale of Erlang C."""
    f = _frame()
    two = pd.concat([f, f.assign(queue="service")], ignore_index=True)
    t = pa.Table.from_pandas(two, preserve_index=False)
    apart = capacity_plan(t, target=Target(0.8, 20), shrinkage=0.0)
    pooled = capacity_plan(
        t, target=Target(0.8, 20), shrinkage=0.0, pools={"all": ["sales", "service"]}
    )
    rows = pooled.intervals.to_pandas()
    assert set(rows["queue"]) == {"all"} and len(rows) == len(f)
    assert rows["calls"].sum() == pytest.approx(2 * f["calls"].sum())
    assert pooled.summary[0].agent_hours < apart.summary[0].agent_hours
    assert pooled.summary[0].intervals_met == 1.0
    # the pooled plan is the plan of one queue with twice the calls
    double = pa.Table.from_pandas(f.assign(calls=2 * f["calls"]), preserve_index=False)
    alone = capacity_plan(double, target=Target(0.8, 20), shrinkage=0.0).intervals
    assert rows["agents"].tolist() == alone.column("agents").to_pylist()
    with pytest.raises(CallscopeError, match="not in the input"):
        capacity_plan(t, target=Target(), pools={"x": ["sales", "nope"]})
