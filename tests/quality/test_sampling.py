"""Sampling plans: the quota per agent and month, reproducible with a seed, strata in
proportion, weighting toward low CSAT, never an evaluated contact, coverage."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qacenter import NOW

from callscope.errors import CallscopeError
from callscope.quality.sampling import STRATA, WEIGHTS, allocate, plan_sample, weighted_pick
from callscope.services import qa_stats as qs
from callscope.services import quality as q


def _cands(n_per_agent=300, agents=("A", "B"), month=1) -> pa.Table:
    rows = []
    for a in agents:
        for i in range(n_per_agent):
            rows.append(
                {
                    "contact_id": f"{a}{month}-{i:04d}",
                    "agent": a,
                    "queue": "Sales" if i % 3 else "Support",  # 2/3 Sales
                    "channel": "voice",
                    "ts": datetime(2025, month, 1 + i % 28, 9),
                    "handle_s": float(60 + i % 300),
                    "transferred": False,
                    "resolved": None,
                    "csat": float(1 + i % 5) if i % 2 else None,
                }
            )
    return pa.Table.from_pylist(rows)


def test_quota_per_agent_and_reproducible() -> None:
    c = _cands()
    a = plan_sample(c, per_agent=4, seed=7)
    b = plan_sample(c, per_agent=4, seed=7)
    assert a.picks.equals(b.picks)
    assert Counter(a.picks.column("agent").to_pylist()) == {"A": 4, "B": 4}
    other = plan_sample(c, per_agent=4, seed=8)
    assert not other.picks.equals(a.picks)
    # adding an agent changes nobody else's picks
    more = plan_sample(pa.concat_tables([c, _cands(agents=("C",))]), per_agent=4, seed=7)
    mine = [r for r in more.picks.to_pylist() if r["agent"] != "C"]
    assert mine == a.picks.to_pylist()


def test_strata_in_proportion() -> None:
    # 2/3 of each agent's contacts are Sales: 30 draws give 20 Sales, 10 Support exactly
    p = plan_sample(_cands(), per_agent=30, strata=("queue",), seed=1)
    for agent in ("A", "B"):
        got = Counter(r["queue"] for r in p.picks.to_pylist() if r["agent"] == agent)
        assert got == {"Sales": 20, "Support": 10}
    # small draws: the expected share still holds over many seeds (no stratum starved)
    support = sum(
        r["queue"] == "Support"
        for s in range(200)
        for r in plan_sample(
            _cands(60, ("A",)), per_agent=4, strata=("queue",), seed=s
        ).picks.to_pylist()
    )
    assert support / 800 == pytest.approx(1 / 3, abs=0.05)


def test_allocation_is_proportional_and_exact() -> None:
    rng = np.random.default_rng(0)
    assert allocate([50, 30, 20], 10, rng) == [5, 3, 2]
    assert allocate([1, 1], 5, rng) == [1, 1]  # never more than a stratum holds
    assert allocate([], 3, rng) == []
    means = np.mean([allocate([5, 3, 2], 1, np.random.default_rng(s)) for s in range(3000)], axis=0)
    assert means == pytest.approx([0.5, 0.3, 0.2], abs=0.03)


def test_weighted_pick_follows_the_weights() -> None:
    w = np.array([1.0, 4.0, 0.0])
    firsts = Counter(weighted_pick(w, 1, np.random.default_rng(s))[0] for s in range(4000))
    assert 2 not in firsts  # weight 0 is never drawn
    assert firsts[1] / 4000 == pytest.approx(0.8, abs=0.03)


def test_low_csat_weighting_draws_more_low_scores() -> None:
    def low_share(weight):
        picks = [
            r
            for s in range(60)
            for r in plan_sample(
                _cands(100, ("A",)), per_agent=10, strata=(), weight=weight, seed=s
            ).picks.to_pylist()
        ]
        surveyed = [r for r in picks if r["csat"] is not None]
        return sum(r["csat"] <= 2 for r in surveyed) / len(surveyed)

    assert low_share("low-csat") > low_share(None) + 0.1


def test_never_resamples_and_counts_evaluations_toward_the_quota() -> None:
    c = _cands(6, ("A",))
    evaluated = ["A1-0000", "A1-0001", "A1-0002"]
    evals = pa.Table.from_pylist(
        [{"agent": "A", "contact_ts": datetime(2025, 1, 1, 9)} for _ in evaluated]
    )
    p = plan_sample(c, evaluated=evaluated, evaluations=evals, per_agent=4, seed=0)
    picked = p.picks.column("contact_id").to_pylist()
    assert len(picked) == 1 and not set(picked) & set(evaluated)
    cov = p.coverage.to_pylist()[0]
    assert cov == {
        "agent": "A",
        "period": datetime(2025, 1, 1).date(),
        "answered": 6,
        "evaluated": 3,
        "sampled": 1,
        "quota": 4,
        "short": 0,
    }
    # two contacts only: the coverage says the agent is short of the quota
    few = plan_sample(_cands(2, ("B",)), per_agent=4)
    assert few.below_quota[0]["short"] == 2


def test_weeks_and_months_are_periods() -> None:
    c = pa.concat_tables([_cands(40, ("A",), 1), _cands(40, ("A",), 2)])
    assert plan_sample(c, per_agent=3).coverage.num_rows == 2
    weekly = plan_sample(c, per_agent=3, period="week")
    assert weekly.coverage.num_rows > 4
    assert all(d.weekday() == 0 for d in weekly.coverage.column("period").to_pylist())


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"strata": ("colour",)}, "unknown stratum 'colour'"),
        ({"weight": "angry"}, "unknown weighting 'angry'"),
        ({"period": "year"}, "unknown period 'year'"),
        ({"per_agent": 0}, "contacts per agent must be >= 1"),
    ],
)
def test_bad_plans(kw, words) -> None:
    with pytest.raises(CallscopeError, match=words):
        plan_sample(_cands(3), **kw)


def test_sample_from_the_store_skips_evaluated_contacts(center) -> None:
    plan = qs.sample(center, qs.SampleRequest(seed=3))
    assert Counter(plan.picks.column("agent").to_pylist()) == {"A1": 4, "A2": 4, "A3": 4}
    first = plan.picks.column("contact_id").to_pylist()[0]
    from callscope.quality.forms import default_form

    answers = {i.id: ("yes" if i.type == "yes_no" else 5) for i in default_form().items}
    q.evaluate(center, q.EvaluateRequest(first, answers, evaluator="eve"), NOW)
    again = qs.sample(center, qs.SampleRequest(seed=3))
    assert first not in again.picks.column("contact_id").to_pylist()
    cov = {r["agent"]: r for r in again.coverage.to_pylist()}
    agent = plan.picks.column("agent").to_pylist()[0]
    assert cov[agent]["evaluated"] == 1 and cov[agent]["sampled"] == 3
    assert sum(r["answered"] for r in cov.values()) == 180
    period = qs.sample(
        center, qs.SampleRequest(start=datetime(2025, 1, 6), end=datetime(2025, 1, 7))
    )
    assert period.coverage.column("answered").to_pylist() == [3, 3, 3]
    assert datetime(2025, 1, 6) + timedelta(days=1) > max(period.picks.column("ts").to_pylist())


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 12), min_size=1, max_size=4),
    per_agent=st.integers(1, 6),
    evaluated_every=st.integers(2, 5),
    strata=st.sampled_from([(), ("queue",), ("queue", "handle_band"), STRATA]),
    weight=st.sampled_from([None, *WEIGHTS]),
    seed=st.integers(0, 2**16),
)
def test_plan_invariants(sizes, per_agent, evaluated_every, strata, weight, seed) -> None:
    # agents with 0-12 contacts in January, every k-th already evaluated
    rows, evaluated = [], []
    for a, n in enumerate(sizes):
        for i in range(n):
            cid = f"a{a}-{i}"
            rows.append(
                {
                    "contact_id": cid,
                    "agent": f"a{a}",
                    "queue": "Sales" if i % 3 else "Support",
                    "channel": "voice",
                    "ts": datetime(2025, 1, 1 + i, 9),
                    "handle_s": float(30 * i),
                    "transferred": i % 4 == 0,
                    "resolved": None,
                    "csat": float(1 + i % 5) if i % 2 else None,
                }
            )
            if i % evaluated_every == 0:
                evaluated.append(cid)
    if not rows:
        return
    cands = pa.Table.from_pylist(rows)
    evals = pa.Table.from_pylist(
        [{"agent": c.split("-")[0], "contact_ts": datetime(2025, 1, 1)} for c in evaluated]
    )
    plan = plan_sample(
        cands,
        evaluated=evaluated,
        evaluations=evals,
        per_agent=per_agent,
        strata=strata,
        weight=weight,
        seed=seed,
    )
    picks = plan.picks.column("contact_id").to_pylist()
    assert len(picks) == len(set(picks))  # no contact twice
    assert not set(picks) & set(evaluated)  # never an evaluated contact
    for cov in plan.coverage.to_pylist():
        n = sizes[int(cov["agent"][1:])]
        done = sum(1 for c in evaluated if c.split("-")[0] == cov["agent"])
        need = max(0, per_agent - done)
        assert cov["evaluated"] == done and cov["answered"] == n
        # as many as the quota needs, or every contact left
        assert cov["sampled"] == min(need, n - done)
        assert cov["short"] == need - cov["sampled"]
    again = plan_sample(
        cands,
        evaluated=evaluated,
        evaluations=evals,
        per_agent=per_agent,
        strata=strata,
        weight=weight,
        seed=seed,
    )
    assert again.picks.equals(plan.picks)
