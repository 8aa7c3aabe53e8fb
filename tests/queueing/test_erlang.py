"""Erlang B, C and A against published numbers, a brute-force birth-death chain and
theory's invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from callscope.queueing.erlang import erlang_a, erlang_b, erlang_c, loss_system


# -- published numbers -------------------------------------------------------------------
def test_erlang_b_textbook_values() -> None:
    # B(A=2, N=5) = 0.0367, B(10, 14) = 0.0568, B(5, 10) = 0.0184
    got = erlang_b([2, 10, 5], [5, 14, 10])
    np.testing.assert_allclose(got, [0.0367, 0.0568, 0.0184], atol=5e-5)


def test_erlang_c_textbook_example() -> None:
    # 100 calls / 30 min, AHT 180 s, 14 agents, T = 20 s
    m = erlang_c(100, 180, 14, interval_s=1800, threshold_s=20)
    assert float(m.p_wait) == pytest.approx(0.1741319, abs=5e-8)
    assert float(m.service_level) == pytest.approx(0.8883500, abs=5e-8)
    assert float(m.asa_s) == pytest.approx(7.836, abs=5e-4)
    assert float(m.occupancy) == pytest.approx(0.7143, abs=5e-5)
    assert bool(m.stable)


def test_erlang_c_360_calls() -> None:
    m = erlang_c(360, 240, [55, 54], interval_s=1800, threshold_s=20)
    assert m.p_wait[0] == pytest.approx(0.2387, abs=5e-5)
    assert m.service_level[0] == pytest.approx(0.8668, abs=5e-5)
    assert m.asa_s[0] == pytest.approx(8.184, abs=5e-4)
    assert m.service_level[1] == pytest.approx(0.817, abs=5e-4)


def test_erlang_a_mandelbaum_zeltyn() -> None:
    # 48 calls/min, mean service 1 min, 50 agents, mean patience 2 min:
    # P(abandon) 3.1 %, wait 3.7 s, occupancy 93 %, P(wait) 46.8 %
    m = erlang_a(48, 60, 50, 120, interval_s=60, threshold_s=20)
    assert float(m.p_abandon) == pytest.approx(0.031, abs=5e-4)
    assert float(m.occupancy) == pytest.approx(0.93, abs=5e-3)
    assert float(m.p_wait) == pytest.approx(0.468, abs=5e-4)
    # the published 3.7 s is the mean wait of all callers, E[W] = P(ab) / theta;
    # answered callers alone wait 3.62 s on average
    assert float(m.mean_wait_s) == pytest.approx(3.7, abs=0.05)
    assert float(m.mean_wait_s) == pytest.approx(float(m.p_abandon) * 120, rel=1e-12)
    assert float(m.asa_s) == pytest.approx(3.6159, abs=5e-4)
    # the same load under Erlang C waits far longer
    c = erlang_c(48, 60, 50, interval_s=60)
    assert float(c.asa_s) > 4 * float(m.asa_s)


# -- brute force: the birth-death chain and the virtual-wait density ----------------------
def _brute(lam: float, mu: float, th: float, n: int, t: float, k: int = 4000) -> dict:
    logp = [0.0]
    for j in range(1, k):
        logp.append(logp[-1] + math.log(lam / (min(j, n) * mu + max(j - n, 0) * th)))
    p = np.exp(np.array(logp) - max(logp))
    p /= p.sum()
    pw = p[n:].sum()
    log_pn1 = logp[n - 1] - max(logp) - math.log(np.exp(np.array(logp) - max(logp)).sum())

    def v(s: float) -> float:  # virtual-wait density, in log-space
        return math.exp(math.log(lam) + log_pn1 + lam / th * (1 - math.exp(-th * s)) - n * mu * s)

    # the density peaks where theta y e**-theta s = n mu: split the integrals there
    y, x = lam / th, n * mu / th
    mode = math.log(y / x) / th if y > x else 0.0

    def integral(f, a: float, b: float) -> float:  # noqa: ANN001
        cuts = [a] + [c for c in (mode - 5 / th, mode, mode + 5 / th) if a < c < b] + [b]
        return sum(quad(f, lo, hi, limit=500)[0] for lo, hi in zip(cuts, cuts[1:], strict=False))

    served_t = integral(lambda s: v(s) * math.exp(-th * s), 0, t)
    served = integral(lambda s: v(s) * math.exp(-th * s), 0, np.inf)
    w_served = integral(lambda s: s * v(s) * math.exp(-th * s), 0, np.inf)
    pab = pw - served
    pab_t = integral(lambda s: v(s) * (1 - math.exp(-th * s)), 0, t) + (
        1 - math.exp(-th * t)
    ) * integral(v, t, np.inf)
    occ = sum(p[j] * min(j, n) for j in range(k)) / n
    return {
        "p_wait": pw,
        "service_level": 1 - pw + served_t,
        "p_abandon": pab,
        "asa_s": w_served / (1 - pab),
        "p_abandon_within_t": pab_t,
        "occupancy": occ,
    }


@pytest.mark.parametrize(
    ("lam", "mu", "th", "n", "t"),
    [
        (0.8, 1 / 60, 1 / 120, 50, 20),  # the Mandelbaum-Zeltyn case
        (4.2 / 60, 1 / 120, 1 / 60, 12, 20),  # M/M/12+M of the simulator test
        (2.0, 1 / 300, 1 / 30, 500, 30),  # far above capacity
        (0.5, 1 / 100, 1 / 50, 3, 10),  # hopelessly overloaded
        (10.0, 1 / 100, 1 / 600, 500, 20),  # twice capacity, patient: the series' peak is
        # 3,000 terms out
    ],
)
def test_erlang_a_matches_birth_death_chain(
    lam: float, mu: float, th: float, n: int, t: float
) -> None:
    want = _brute(lam, mu, th, n, t, k=12_000)
    m = erlang_a(lam * 1800, 1 / mu, n, 1 / th, interval_s=1800, threshold_s=t)
    for k, v in want.items():
        assert float(getattr(m, k)) == pytest.approx(v, rel=1e-7, abs=1e-10), k


# -- size, fractions, overload ---------------------------------------------------------
def test_large_n_is_stable() -> None:
    b = erlang_b([99_000, 100_000, 110_000, 200_000, 50_000], 100_000)
    assert np.all(np.isfinite(b))
    # above capacity B -> 1 - n/r; far below it B -> 0
    assert b[3] == pytest.approx(0.500005, rel=1e-5)
    assert b[4] == 0.0
    # B(r, n) = r B(r, n-1) / (n + r B(r, n-1)) across the recursion
    r = 99_500.0
    b0, b1 = erlang_b(r, [99_999, 100_000])
    assert b1 == pytest.approx(r * b0 / (100_000 + r * b0), rel=1e-10)
    c = erlang_c(99_500 * 10, 180, 100_000, interval_s=1800)
    assert 0 < float(c.p_wait) < 0.2 and float(c.asa_s) < 1
    a = erlang_a(200_000 * 10, 180, 100_000, 600, interval_s=1800)
    assert float(a.p_abandon) == pytest.approx(0.5, abs=1e-4)  # 1 - n/r far above capacity
    assert float(a.occupancy) == pytest.approx(1.0, abs=1e-6)


def test_fractional_agents_interpolate() -> None:
    b = erlang_b(10, [13, 13.25, 13.5, 13.75, 14])
    assert np.all(np.diff(b) < 0)
    assert b[0] == pytest.approx(float(erlang_b(10, 13)))
    assert b[4] == pytest.approx(0.0568, abs=5e-5)
    c = erlang_c(100, 180, [13.0, 13.5, 14.0])
    assert c.service_level[0] < c.service_level[1] < c.service_level[2]


def test_erlang_c_unstable_is_flagged_not_raised() -> None:
    m = erlang_c(100, 180, [9, 10, 11])
    assert m.stable.tolist() == [False, False, True]
    assert np.isinf(m.asa_s[:2]).all() and (m.p_wait[:2] == 1).all()
    assert (m.service_level[:2] == 0).all() and np.isinf(m.queue_length[:2]).all()


def test_zero_calls_and_broadcasting() -> None:
    m = erlang_a(np.array([[0.0], [100.0]]), 180, np.array([5, 14]), 120)
    assert m.p_wait.shape == (2, 2)
    assert m.service_level[0].tolist() == [1.0, 1.0]
    loss = loss_system(100, 180, 14)
    assert float(loss.service_level) == pytest.approx(1 - float(loss.blocking))


def test_erlang_a_without_agents() -> None:
    m = erlang_a(100, 180, 0, 60, threshold_s=20)
    assert float(m.p_abandon) == 1.0 and float(m.service_level) == 0.0
    assert float(m.p_abandon_within_t) == pytest.approx(1 - math.exp(-20 / 60))


# -- properties -------------------------------------------------------------------------
loads = st.floats(0.5, 400.0)
ahts = st.floats(30.0, 900.0)


@settings(max_examples=60, deadline=None)
@given(load=loads, aht=ahts, patience=st.floats(10.0, 2000.0), t=st.floats(0.0, 120.0))
def test_service_level_rises_with_agents(
    load: float, aht: float, patience: float, t: float
) -> None:
    calls = load * 1800 / aht
    n = np.arange(max(1, int(load) - 5), int(load) + 40)
    a = erlang_a(calls, aht, n, patience, threshold_s=t)
    assert np.all(np.diff(a.service_level) >= -1e-12)
    assert np.all(np.diff(a.p_abandon) <= 1e-12)
    assert np.all(np.diff(a.asa_s) <= 1e-9)
    c = erlang_c(calls, aht, n, threshold_s=t)
    assert np.all(np.diff(c.service_level) >= -1e-12)
    assert np.all((a.service_level >= 0) & (a.service_level <= 1))


@settings(max_examples=40, deadline=None)
@given(load=loads, aht=ahts, extra=st.floats(1.0, 30.0), t=st.floats(0.0, 60.0))
def test_erlang_a_tends_to_erlang_c(load: float, aht: float, extra: float, t: float) -> None:
    calls = load * 1800 / aht
    n = load + extra  # 1 - rho >= 1/401: A is within 1e-5 of C at theta = 1e-10 mu
    c = erlang_c(calls, aht, n, threshold_s=t)
    a = erlang_a(calls, aht, n, aht * 1e10, threshold_s=t)
    assert float(a.p_wait) == pytest.approx(float(c.p_wait), rel=1e-4, abs=1e-9)
    assert float(a.service_level) == pytest.approx(float(c.service_level), rel=1e-4, abs=1e-9)
    assert float(a.asa_s) == pytest.approx(float(c.asa_s), rel=1e-3, abs=1e-6)
    inf = erlang_a(calls, aht, n, np.inf, threshold_s=t)
    assert float(inf.p_wait) == float(c.p_wait)


@settings(max_examples=40, deadline=None)
@given(load=st.floats(0.5, 5000.0))
def test_erlang_c_wait_vanishes_with_agents(load: float) -> None:
    n = load + np.array([1.0, 10.0, 100.0, 1000.0]) * math.sqrt(load) + 1
    c = erlang_c(load, 1800, n)
    assert np.all(np.diff(c.p_wait) <= 0) and c.p_wait[-1] < 1e-12
