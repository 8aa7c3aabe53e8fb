"""A simulated center built from a staffing plan: same center from a table or a mapping,
call-weighted means, one error per bad input naming the column and row."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from callscope.errors import CallscopeError
from callscope.queueing.distributions import Distribution
from callscope.queueing.sim_plan import center_from_plan
from callscope.queueing.simulate import Center, simulate


def _plan() -> dict[str, list[object]]:
    # rows out of order, a queue missing one interval
    return {
        "interval_start": [
            "2025-01-06 09:30",
            "2025-01-06 09:00",
            "2025-01-06 09:00",
            "2025-01-06 10:00",
            "2025-01-06 10:00",
        ],
        "queue": ["sales", "sales", "support", "sales", "support"],
        "calls": [120.0, 40.0, 30.0, 0.0, 50.0],
        "aht_s": [200.0, 400.0, 300.0, 900.0, 100.0],
        "agents": [14, 8, 5, 2, 6],
        "patience_s": [60.0, 120.0, math.inf, 90.0, 30.0],
    }


def _same(a: Center, b: Center) -> bool:
    """Centers are equal (their calls and agents are arrays)."""

    def plain(c: Center) -> object:
        return (
            [(q.name, q.calls.tolist(), q.handle, q.patience) for q in c.queues],
            [(g.name, g.agents.tolist(), g.skills) for g in c.groups],
            c.interval_s,
            c.start,
        )

    return plain(a) == plain(b)


def test_center_from_a_plan() -> None:
    c = center_from_plan(_plan(), interval_s=900)
    assert [q.name for q in c.queues] == ["sales", "support"]
    assert [g.name for g in c.groups] == ["sales", "support"]
    assert all(g.skills == (g.name,) for g in c.groups)
    assert c.interval_s == 900 and c.n_intervals == 3
    assert c.start.isoformat() == "2025-01-06T09:00:00"
    sales, support = c.queues
    np.testing.assert_array_equal(sales.calls, [40, 120, 0])
    np.testing.assert_array_equal(support.calls, [30, 0, 50])
    np.testing.assert_array_equal(c.groups[0].agents, [8, 14, 2])
    np.testing.assert_array_equal(c.groups[1].agents, [5, 0, 6])
    # call-weighted means; the 0-call row does not count
    assert sales.handle == Distribution.exponential((40 * 400 + 120 * 200) / 160)
    assert sales.patience == Distribution.exponential((40 * 120 + 120 * 60) / 160)
    assert support.patience == Distribution.never()  # one row never abandons
    # an Arrow table gives the same center; so does a CSV read as text
    assert _same(center_from_plan(pa.table(_plan()), interval_s=900), c)
    text = {k: [str(v) for v in col] for k, col in _plan().items()}
    assert _same(center_from_plan(text, interval_s=900), c)
    # and it runs
    s = simulate(c, rng=1).summary()
    np.testing.assert_array_equal(s.offered, s.answered + s.abandoned + s.exit_empty)


def test_options_and_overrides() -> None:
    plan = _plan()
    del plan["patience_s"]
    c = center_from_plan(plan, handle="lognormal", handle_cv=0.5, patience_s=75)
    assert c.interval_s == 1800
    assert c.queues[0].handle.kind == "lognormal" and c.queues[0].handle.cv == 0.5
    assert c.queues[1].patience == Distribution.exponential(75)
    assert center_from_plan(plan).queues[0].patience == Distribution.never()
    emp = (Distribution.empirical([100, 200]), Distribution.fixed(40))
    c = center_from_plan(plan, distributions={"support": emp})
    assert (c.queues[1].handle, c.queues[1].patience) == emp
    assert c.queues[0].handle.kind == "exponential"
    plan["interval_s"] = [900] * 5
    assert center_from_plan(plan, interval_s=1800).interval_s == 900
    # a queue without calls gets the plain mean of its AHT
    quiet = {**_plan(), "calls": [0.0] * 5}
    assert center_from_plan(quiet).queues[0].handle.mean == pytest.approx((200 + 400 + 900) / 3)
    # timestamps as interval_start
    ts = pa.table(_plan()).set_column(
        0, "interval_start", pa.array(np.array(_plan()["interval_start"], "datetime64[s]"))
    )
    assert _same(center_from_plan(ts, interval_s=900), center_from_plan(_plan(), interval_s=900))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agents": None}, "no column 'agents'"),
        ({"calls": [1, 2, "x", 4, 5]}, "column 'calls' must be numeric; row 3"),
        ({"aht_s": [1, 2, "", 4, 5]}, "column 'aht_s' has an empty value in row 3"),
        ({"aht_s": [1, 2, 0, 4, 5]}, "column 'aht_s' must be > 0; row 3"),
        ({"agents": [1, -2, 0, 4, 5]}, "column 'agents' must be >= 0; row 2"),
        ({"calls": [1, 2, 3, float("nan"), 5]}, "column 'calls' has an empty value in row 4"),
        ({"patience_s": [1, 2, 3, 4, 0]}, "column 'patience_s' must be > 0"),
        ({"interval_s": [900, 900, 1800, 900, 900]}, "'interval_s' has 2 different values"),
        ({"queue": ["sales", "sales", "support", "sales", None]}, "'queue' has an empty value"),
        ({"queue": ["sales"] * 5}, "row 3 plans queue 'sales' at 2025-01-06 09:00 a second"),
    ],
)
def test_bad_plans_name_the_column(change: dict[str, object], message: str) -> None:
    plan: dict[str, object] = {**_plan(), **change}
    plan = {k: v for k, v in plan.items() if v is not None}
    with pytest.raises(CallscopeError, match=message) as e:
        center_from_plan(plan)  # type: ignore[arg-type]
    assert e.value.field == "input"


def test_docstring_example() -> None:
    import doctest

    from callscope.queueing import sim_plan

    res = doctest.testmod(sim_plan)
    assert res.attempted > 0 and res.failed == 0


def test_bad_options() -> None:
    for kwargs, field in (
        ({"handle": "gamma"}, "handle"),
        ({"handle_cv": 0.0}, "handle_cv"),
        ({"patience_s": -1.0}, "patience_s"),
        ({"interval_s": 0.0}, "interval_s"),
    ):
        with pytest.raises(CallscopeError) as e:
            center_from_plan(_plan(), **kwargs)  # type: ignore[arg-type]
        assert e.value.field == field
    with pytest.raises(CallscopeError, match="no rows"):
        center_from_plan({k: [] for k in _plan()})
