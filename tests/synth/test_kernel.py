"""The queue kernel against queueing theory and its own rules."""

from __future__ import annotations

import math

import numpy as np

from callscope.synth.kernel import ABANDONED, ANSWERED, EXIT_EMPTY, TIMEOUT, serve_queue


def _erlang_c(n: int, a: float) -> float:
    """P(wait) of M/M/n with offered load a (Erlang C)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def _run(arrival, service, n_agents, patience=None, max_wait=np.inf, windows=None):
    n = arrival.shape[0]
    patience = np.full(n, np.inf) if patience is None else patience
    z = np.zeros(n)
    if windows is None:
        windows = [[(0.0, 1e12)]] * n_agents
    ptr = np.concatenate([[0], np.cumsum([len(w) for w in windows])]).astype(np.int64)
    ws = np.array([s for w in windows for s, _ in w], float)
    we = np.array([e for w in windows for _, e in w], float)
    return serve_queue(
        arrival.astype(float),
        patience,
        float(max_wait),
        z,
        service,
        z,
        z,
        np.arange(n_agents, dtype=np.int64),
        np.ones(n_agents),
        ptr,
        ws,
        we,
    )


def test_mmn_wait_probability_matches_erlang_c() -> None:
    rng = np.random.default_rng(11)
    n, mean_s, agents, load = 150_000, 200.0, 20, 16.0
    arrival = np.cumsum(rng.exponential(mean_s / load, n))
    service = rng.exponential(mean_s, n)
    outcome, answer, *_ = _run(arrival, service, agents)
    assert (outcome == ANSWERED).all()
    wait = answer - arrival
    expected = _erlang_c(agents, load)  # 0.4499
    assert abs((wait > 0.6).mean() - expected) < 0.03
    asa = expected * mean_s / (agents - load)  # Erlang C ASA, 22.5 s
    assert abs(wait.mean() - asa) / asa < 0.15


def test_served_in_arrival_order_and_never_twice_at_once() -> None:
    rng = np.random.default_rng(2)
    arrival = np.sort(rng.integers(0, 20_000, 3000)).astype(float)
    service = rng.integers(60, 600, 3000).astype(float)
    outcome, answer, leave, agent, talk, *_ = _run(
        arrival, service, 5, patience=rng.exponential(300, 3000)
    )
    ok = outcome == ANSWERED
    assert np.all(np.diff(answer[ok]) >= 0)  # FCFS: answers in arrival order
    for a in range(5):
        m = ok & (agent == a)
        s, e = answer[m], answer[m] + talk[m]
        assert np.all(s[1:] >= e[:-1])
    ab = outcome == ABANDONED
    assert ab.any() and np.allclose(leave[ab] > arrival[ab], True)


def test_agents_only_start_contacts_inside_their_windows() -> None:
    rng = np.random.default_rng(5)
    arrival = np.sort(rng.integers(0, 30_000, 2000)).astype(float)
    service = rng.integers(30, 300, 2000).astype(float)
    windows = [[(0.0, 9000.0), (10_000.0, 30_000.0)], [(5000.0, 20_000.0)]]
    outcome, answer, leave, agent, talk, hold, acw, release = _run(
        arrival, service, 2, patience=np.full(2000, 1e9), windows=windows
    )
    ok = outcome == ANSWERED
    for a, spans in enumerate(windows):
        t = answer[ok & (agent == a)]
        inside = np.zeros(t.shape[0], bool)
        for s, e in spans:
            inside |= (t >= s) & (t < e)
        assert inside.all()
    # the break starts late when the last contact overran the window
    assert release[0] >= 9000.0


def test_no_agents_means_exit_empty_and_max_wait_means_timeout() -> None:
    arrival = np.array([10.0, 20.0])
    outcome, *_ = _run(arrival, np.array([5.0, 5.0]), 1, windows=[[(0.0, 5.0)]])
    assert list(outcome) == [EXIT_EMPTY, EXIT_EMPTY]
    arrival = np.array([0.0, 1.0])
    outcome, answer, leave, *_ = _run(arrival, np.array([1000.0, 5.0]), 1, max_wait=60)
    assert outcome[0] == ANSWERED and outcome[1] == TIMEOUT and leave[1] == 61.0


def _erlang_a_abandon(lam: float, mu: float, theta: float, n: int) -> float:
    """P(abandon) of M/M/n+M from its birth-death chain (Palm): theta * E[queue] / lam."""
    k = np.arange(n + 3000)
    death = np.minimum(k[1:], n) * mu + np.maximum(k[1:] - n, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    return float(theta * (np.maximum(k - n, 0) @ p) / lam)


def test_mmn_with_exponential_patience_matches_erlang_a() -> None:
    rng = np.random.default_rng(8)
    lam, mean_s, agents, mean_pat, n = 0.1, 200.0, 20, 120.0, 200_000
    arrival = np.cumsum(rng.exponential(1 / lam, n))
    outcome, *_ = _run(
        arrival, rng.exponential(mean_s, n), agents, patience=rng.exponential(mean_pat, n)
    )
    expected = _erlang_a_abandon(lam, 1 / mean_s, 1 / mean_pat, agents)  # about 0.10
    assert 0.08 < expected < 0.12
    assert abs(np.mean(outcome == ABANDONED) - expected) < 0.006


def test_outcome_codes_are_the_model_codes_shared_with_the_simulator() -> None:
    from callscope.model.outcome import OUTCOME_BY_CODE, Outcome
    from callscope.queueing import sim_kernel
    from callscope.synth import kernel

    for name in ("ANSWERED", "ABANDONED", "TIMEOUT", "EXIT_EMPTY", "EXIT_BY_KEY", "IVR_ONLY"):
        assert getattr(kernel, name) == Outcome[name].code, name
    for name in ("ANSWERED", "ABANDONED", "EXIT_EMPTY"):
        assert getattr(sim_kernel, name) == getattr(kernel, name), name
    # the compiled kernel (possibly from numba's cache) writes them: one agent with one
    # 10-minute window; the second caller times out, the third abandons, the fourth
    # comes after the window (exit empty)
    arrival = np.array([0.0, 1.0, 2.0, 700.0])
    patience = np.array([np.inf, np.inf, 30.0, np.inf])
    outcome, *_ = _run(arrival, np.full(4, 300.0), 1, patience, 60.0, [[(0.0, 600.0)]])
    assert [OUTCOME_BY_CODE[c] for c in outcome] == [
        "answered",
        "timeout",
        "abandoned",
        "exit_empty",
    ]
