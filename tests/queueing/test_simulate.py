"""The simulator against exact Erlang A and C, and a multi-skill center that must
conserve calls and respect skills, schedules and overflow."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from callscope.errors import CallscopeError
from callscope.model import AGENT_STATES, CONTACTS
from callscope.queueing.distributions import Distribution
from callscope.queueing.erlang import erlang_a, erlang_c
from callscope.queueing.simulate import AgentGroup, Center, Queue, simulate
from callscope.store import Store


def _replicate(patience: Distribution, reps: int = 12, hours: int = 30) -> dict:
    """Independent replications of M/M/12(+M): 4.2 calls/min, mean service 2 min."""
    center = Center(
        queues=(
            Queue(
                "q", calls=[252.0] * hours, handle=Distribution.exponential(120), patience=patience
            ),
        ),
        groups=(AgentGroup("g", agents=12, skills=("q",)),),
        interval_s=3600,
    )
    out: dict[str, list[float]] = {
        "p_abandon": [],
        "occupancy": [],
        "service_level": [],
        "asa_s": [],
    }
    for seed in range(reps):
        s = simulate(center, rng=np.random.default_rng(1000 + seed)).summary(
            threshold_s=20, warmup_s=3600
        )
        out["p_abandon"].append(float(s.p_abandon[0]))
        out["occupancy"].append(s.occupancy)
        out["service_level"].append(float(s.service_level[0]))
        out["asa_s"].append(float(s.asa_s[0]))
    return out


def _ci(x: list[float], level: float = 0.99) -> tuple[float, float]:
    a = np.asarray(x)
    half = stats.t.ppf(0.5 + level / 2, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size)
    return float(a.mean() - half), float(a.mean() + half)


def test_mm12_m_agrees_with_exact_erlang_a() -> None:
    exact = erlang_a(4.2, 120, 12, 60, interval_s=60, threshold_s=20)
    sim = _replicate(Distribution.exponential(60))
    for k in ("p_abandon", "occupancy", "service_level", "asa_s"):
        lo, hi = _ci(sim[k])
        assert lo <= float(getattr(exact, k)) <= hi, (k, lo, hi, float(getattr(exact, k)))
    # and the interval is tight enough to mean something
    lo, hi = _ci(sim["p_abandon"])
    assert hi - lo < 0.01


def test_infinite_patience_agrees_with_erlang_c() -> None:
    exact = erlang_c(4.2, 120, 12, interval_s=60, threshold_s=20)
    sim = _replicate(Distribution.never())
    assert max(sim["p_abandon"]) == 0.0
    for k in ("occupancy", "service_level", "asa_s"):
        lo, hi = _ci(sim[k])
        assert lo <= float(getattr(exact, k)) <= hi, (k, lo, hi, float(getattr(exact, k)))


def _multi_skill() -> Center:
    n = 8
    return Center(
        queues=(
            Queue(
                "sales",
                calls=np.linspace(100, 300, n),
                handle=Distribution.lognormal(240, 0.7),
                patience=Distribution.exponential(90),
                priority=1,
                overflow_after_s=30,
            ),
            Queue(
                "support",
                calls=[150.0] * n,
                handle=Distribution.empirical([120, 180, 300, 600, 900]),
                patience=Distribution.lognormal(120, 1.0),
                channel="chat",
            ),
        ),
        groups=(
            AgentGroup("sales", agents=[8, 10, 12, 14, 14, 12, 10, 8], skills=("sales",)),
            AgentGroup("support", agents=12, skills=("support",)),
            AgentGroup(
                "flex",
                agents=[2, 2, 4, 4, 0, 0, 3, 3],
                skills=("support",),
                overflow_skills=("sales",),
            ),
        ),
        interval_s=1800,
    )


def test_multi_skill_center_conserves_calls_and_respects_routing(tmp_path) -> None:  # noqa: ANN001
    center = _multi_skill()
    res = simulate(center, rng=7)
    assert res.calls > 2500  # 2,800 expected
    # every call ends exactly once, with a known outcome
    assert set(np.unique(res.outcome)) <= {1, 2, 3}
    ans = res.outcome == 1
    assert np.all(res.end_s >= res.arrival_s)
    assert np.all(res.answer_s[ans] >= res.arrival_s[ans])
    np.testing.assert_allclose(res.end_s[ans], res.answer_s[ans] + res.handle_s[ans])
    s = res.summary(until_s=np.inf)
    assert np.array_equal(s.offered, np.bincount(res.queue))
    assert (s.answered + s.abandoned).sum() + (res.outcome == 3).sum() == res.calls
    # skills: sales agents never take support calls; flex takes sales only after 30 s
    names = np.array(res.agent_names)
    group = np.array([n.rsplit("-", 1)[0] for n in names])
    g = group[res.agent[ans]]
    q = res.queue[ans]
    wait = (res.answer_s - res.arrival_s)[ans]
    assert not np.any((g == "sales") & (q == 1))
    assert not np.any((g == "support") & (q == 0))
    assert np.all(wait[(g == "flex") & (q == 0)] >= 30 - 1e-6)
    assert np.any((g == "flex") & (q == 0))
    # an agent serves one call at a time, inside a logged-in session
    for a in np.unique(res.agent[ans]):
        m = ans & (res.agent == a)
        st, en = res.answer_s[m], res.end_s[m]
        o = np.argsort(st)
        assert np.all(st[o][1:] >= en[o][:-1] - 1e-9)
        sess = res.session_agent == a
        inside = (st[:, None] >= res.session_start_s[sess] - 1e-9) & (
            en[:, None] <= res.session_end_s[sess] + 1e-9
        )
        assert inside.any(axis=1).all()
    # schedules: nobody of flex starts a call while flex has 0 agents on shift (2:00-3:00)
    flex = ans & (group[np.maximum(res.agent, 0)] == "flex")
    starts = res.answer_s[flex]
    assert not np.any((starts > 4 * 1800 + 1e-6) & (starts < 6 * 1800))
    # canonical tables that the store accepts
    contacts, states = res.contacts(), res.agent_states()
    assert contacts.schema.equals(CONTACTS.schema) and states.schema.equals(AGENT_STATES.schema)
    assert contacts.num_rows == res.calls
    store = Store(tmp_path / "sim.duckdb")
    with store.batch("sim", "sim", "sha") as b:
        assert b.append("contacts", contacts) == res.calls
        assert b.append("agent_states", states) == states.num_rows
    offered, answered = store.con.execute(
        "SELECT count(*), count(*) FILTER (WHERE outcome = 'answered') FROM contacts"
    ).fetchall()[0]
    assert (offered, answered) == (res.calls, int(ans.sum()))
    store.close()


def test_same_seed_same_result_and_validation() -> None:
    a = simulate(_multi_skill(), rng=11)
    b = simulate(_multi_skill(), rng=11)
    np.testing.assert_array_equal(a.end_s, b.end_s)
    with pytest.raises(CallscopeError, match="unknown skill"):
        simulate(
            Center(
                queues=(Queue("a", [1.0], Distribution.exponential(60)),),
                groups=(AgentGroup("g", 1, ("b",)),),
            )
        )
    with pytest.raises(CallscopeError, match="same"):
        simulate(
            Center(
                queues=(
                    Queue("a", [1.0], Distribution.exponential(60)),
                    Queue("b", [1.0, 2.0], Distribution.exponential(60)),
                ),
                groups=(),
            )
        )


def test_priority_queue_is_served_first() -> None:
    center = Center(
        queues=(
            Queue("vip", calls=[120.0] * 6, handle=Distribution.exponential(180), priority=5),
            Queue("std", calls=[120.0] * 6, handle=Distribution.exponential(180)),
        ),
        groups=(AgentGroup("all", agents=26, skills=("std", "vip")),),
        interval_s=1800,
    )
    s = simulate(center, rng=5).summary(warmup_s=1800)
    assert s.asa_s[0] * 3 < s.asa_s[1]  # vip waits far less on the same agents
    assert s.service_level[0] > s.service_level[1]


def test_the_kpi_engine_measures_a_simulated_center_like_the_simulator() -> None:
    kpi = pytest.importorskip("callscope.kpi")
    center = Center(
        queues=(
            Queue(
                "sales",
                calls=[252.0] * 8,
                handle=Distribution.exponential(120),
                patience=Distribution.exponential(60),
            ),
        ),
        groups=(AgentGroup("team", agents=12, skills=("sales",)),),
        interval_s=3600,
    )
    res = simulate(center, rng=3)
    store = Store(":memory:")
    with store.batch("sim", "sim", "sha") as b:
        b.append("contacts", res.contacts())
        b.append("agent_states", res.agent_states())
    row = kpi.compute_kpis(
        kpi.duckdb_source(store), ["queue"], kpi.KpiParams(abandon_rate_excludes_short=False)
    ).rows()[0]
    s = res.summary(until_s=np.inf)
    assert (row["offered"], row["answered"], row["abandoned"]) == (
        int(s.offered[0]),
        int(s.answered[0]),
        int(s.abandoned[0]),
    )
    assert row["service_level"] == pytest.approx(float(s.service_level[0]), rel=1e-12)
    assert row["asa_s"] == pytest.approx(float(s.asa_s[0]), rel=1e-9)
    assert row["abandon_rate"] == pytest.approx(float(s.p_abandon[0]), rel=1e-12)
    assert row["occupancy"] == pytest.approx(s.occupancy, rel=1e-9)
    store.close()
