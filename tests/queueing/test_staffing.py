"""The staffing planner: published staffing, minimality against a brute-force scan,
shrinkage, chat concurrency, the reverse question, input checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callscope.errors import CallscopeError
from callscope.queueing.erlang import erlang_a, erlang_c
from callscope.queueing.staffing import expected_service, required_agents


def test_textbook_staffing_with_shrinkage() -> None:
    # 14 agents meet 80/20, 20 are scheduled with 30 % shrinkage
    r = required_agents(100, 180, 1800, sl_target=0.8, sl_threshold_s=20, shrinkage=0.3)
    assert int(r.agents) == 14 and int(r.scheduled_agents) == 20
    assert float(r.service_level) == pytest.approx(0.88835, abs=5e-6)
    assert bool(r.met)


def test_360_calls_need_54_agents() -> None:
    # 54 agents give SL 0.817 >= 0.8; 53 do not
    r = required_agents(360, 240, 1800)
    assert int(r.agents) == 54
    assert float(r.service_level) == pytest.approx(0.817, abs=5e-4)
    assert float(erlang_c(360, 240, 53).service_level) < 0.8


def _ok(m, sl, asa, ab, occ) -> np.ndarray:  # noqa: ANN001
    return (
        (m.service_level >= sl)
        & (m.asa_s <= asa)
        & (m.p_abandon <= ab)
        & (m.occupancy <= occ)
        & m.stable
    )


@pytest.mark.parametrize("model", ["erlang-c", "erlang-a"])
def test_smallest_agents_meeting_every_target(model: str) -> None:
    rng = np.random.default_rng(5)
    calls = rng.uniform(0.5, 400, 200)
    aht = rng.uniform(60, 600, 200)
    patience = rng.uniform(20, 600, 200)
    sl, asa, ab, occ = 0.8, 15.0, 0.05, 0.9
    r = required_agents(
        calls,
        aht,
        900,
        model=model,
        sl_target=sl,
        sl_threshold_s=20,
        asa_target_s=asa,
        max_abandon=ab,
        max_occupancy=occ,
        patience_s=patience if model == "erlang-a" else None,
    )
    assert r.met.all()
    f = erlang_a if model == "erlang-a" else erlang_c

    def metrics(n: np.ndarray):  # noqa: ANN202
        if model == "erlang-a":
            return f(calls, aht, n, patience, interval_s=900, threshold_s=20)
        return f(calls, aht, n, interval_s=900, threshold_s=20)

    abandon_cap = ab if model == "erlang-a" else 1.0
    assert _ok(metrics(r.agents), sl, asa, abandon_cap, occ).all()
    assert not _ok(metrics(r.agents - 1), sl, asa, abandon_cap, occ).any()
    np.testing.assert_allclose(r.service_level, metrics(r.agents).service_level)


def test_each_target_alone_binds() -> None:
    base = dict(calls=300, aht_s=300, interval_s=1800, sl_target=None)
    n_occ = int(required_agents(**base, max_occupancy=0.85).agents)
    assert n_occ == int(np.ceil(50 / 0.85))
    n_asa = int(required_agents(**base, asa_target_s=10).agents)
    assert erlang_c(300, 300, n_asa).asa_s <= 10 < erlang_c(300, 300, n_asa - 1).asa_s
    n_ab = int(required_agents(**base, model="erlang-a", patience_s=180, max_abandon=0.02).agents)
    m = erlang_a(300, 300, [n_ab - 1, n_ab], 180)
    assert m.p_abandon[1] <= 0.02 < m.p_abandon[0]


def test_erlang_a_needs_fewer_agents_than_erlang_c() -> None:
    c = required_agents(48 * 30, 60, 1800)
    a = required_agents(48 * 30, 60, 1800, model="erlang-a", patience_s=120)
    assert int(a.agents) < int(c.agents)


def test_chat_concurrency_counts_slots() -> None:
    # 3 chats at once: 5 agents = 15 slots; the answer equals Erlang C on slots
    r = required_agents(30, 600, 1800, concurrency=3, sl_threshold_s=60)
    slots = required_agents(30, 600, 1800, sl_threshold_s=60)
    assert int(r.agents) == int(np.ceil(int(slots.agents) / 3))
    assert float(r.occupancy) == pytest.approx(10 / (3 * int(r.agents)))


def test_reverse_question_and_vectorised_shapes() -> None:
    e = expected_service([100, 360], [180, 240], [14, 55])
    np.testing.assert_allclose(e.service_level, [0.88835, 0.8668], atol=5e-5)
    # 20 scheduled with 30 % shrinkage = 14 on the phones
    e = expected_service(100, 180, 20, shrinkage=0.3)
    assert float(e.agents) == pytest.approx(14) and float(e.service_level) == pytest.approx(
        0.88835, abs=5e-6
    )
    grid = required_agents(np.full((4, 96), 200.0), 300, 900)
    assert grid.agents.shape == (4, 96) and len(grid) == 384
    zero = required_agents([0.0, 10.0], 300, 900)
    assert zero.agents.tolist()[0] == 0


def test_bad_inputs_raise_callscope_errors() -> None:
    with pytest.raises(CallscopeError, match="patience_s"):
        required_agents(100, 180, model="erlang-a")
    with pytest.raises(CallscopeError, match="unknown queueing model"):
        required_agents(100, 180, model="erlang-x")
    with pytest.raises(CallscopeError, match="sl_target"):
        required_agents(100, 180, sl_target=1.0)
    with pytest.raises(CallscopeError, match="aht_s"):
        required_agents(100, 0)
    with pytest.raises(CallscopeError, match="calls"):
        required_agents([100, np.nan], 180)


def test_shrinkage_rounding_is_exact_for_whole_numbers() -> None:
    from callscope.queueing.staffing import _scheduled

    # 21 / (1 - 0.3) is 30.000000000000004 in floating point; 30 agents suffice
    got = _scheduled(np.array([21, 14, 10]), np.array([0.3]))
    assert got.tolist() == [30, 20, 15]


def test_plan_applies_concurrency_to_chat_rows_only() -> None:
    import pyarrow as pa

    from callscope.model.target import Target
    from callscope.queueing.plan import plan_intervals

    t = pa.table(
        {
            "interval_start": ["08:00", "08:00"],
            "queue": ["q", "q"],
            "channel": ["voice", "chat"],
            "calls": [30, 30],
            "aht_s": [600, 600],
        }
    )
    out = plan_intervals(t, target=Target(0.8, 60), concurrency={"voice": 3, "chat": 3})
    one = int(required_agents(30, 600, 1800, sl_threshold_s=60).agents)
    assert out.column("agents").to_pylist() == [one, int(np.ceil(one / 3))]
    assert out.column("channel").to_pylist() == ["voice", "chat"]


@settings(max_examples=40, deadline=None)
@given(
    calls=st.floats(1.0, 3000.0),
    extra=st.floats(0.0, 500.0),
    aht=st.floats(30.0, 900.0),
    patience=st.floats(10.0, 1000.0),
)
def test_more_calls_never_need_fewer_agents(
    calls: float, extra: float, aht: float, patience: float
) -> None:
    for model, p in (("erlang-c", None), ("erlang-a", patience)):
        r = required_agents(
            [calls, calls + extra],
            aht,
            1800,
            model=model,
            patience_s=p,
            asa_target_s=30,
            max_occupancy=0.95,
        )
        assert r.agents[0] <= r.agents[1]
        assert r.met.all()


def test_vectorized_erlang_c_search_equals_the_point_search() -> None:
    """The NumPy Erlang C search (every interval at once, recursion from zero or from the
    incomplete gamma above 20,000 Erlangs) finds the same agents and metrics as the
    scalar galloping search of queueing.kernels, on loads from 0.01 to 50,000 Erlangs,
    with SL, ASA and occupancy targets and chat concurrency."""
    from callscope.queueing.staffing import _search

    rng = np.random.default_rng(7)
    n = 3000
    aht = rng.uniform(30, 900, n)
    erlangs = np.exp(rng.uniform(np.log(0.01), np.log(50_000), n))
    calls = erlangs * 1800 / aht
    sl = rng.choice([0.5, 0.8, 0.95, np.nan], n)
    t = rng.choice([5.0, 20.0, 60.0, 3600.0], n)
    asa = rng.choice([np.nan, 10.0, 60.0], n)
    occ = rng.choice([np.nan, 0.85, 0.95], n)
    k = rng.choice([1.0, 1.0, 2.0, 3.0], n)
    ours = required_agents(
        calls, aht, 1800, sl_target=sl, sl_threshold_s=t, asa_target_s=asa,
        max_occupancy=occ, concurrency=k,
    )  # fmt: skip
    lam, mu = calls / 1800, 1 / aht
    agents, res, met = _search(n, 1, lam, mu, np.zeros(n), t, sl, asa, np.full(n, np.nan), occ, k)
    assert met.all() and ours.met.all()
    assert (ours.agents == agents).all()
    np.testing.assert_allclose(ours.service_level, res[:, 1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.asa_s, res[:, 2], rtol=1e-7, atol=1e-9)
    assert (ours.occupancy[occ == occ] <= occ[occ == occ] + 1e-12).all()
