"""Benchmark of the queueing core against pyworkforce and ciw, on the same inputs.

(a) Erlang C staffing for a year of 15-minute intervals (35,040): callscope's one
    vectorized call vs pyworkforce's ``ErlangC(...).required_positions`` in a loop; same
    answers checked on every interval the peer ran.
(b) Erlang A staffing over the same year (target: under 1 s).
(c) The simulator vs ciw on M/M/12+M (4.2 calls/min, mean service 2 min, mean patience
    1 min): simulated calls per second, and P(abandon) of both with 95 % confidence
    intervals from independent replications, against the exact Erlang A value.

The year is the Anonymous Bank's real 1999 arrivals (6-minute counts, split evenly into
3-minute halves and summed to 15-minute intervals), at its own volume and scaled x25 (a
large center, where per-interval loops get slow). Run::

    uv run --no-sync python benchmarks/queueing.py [--quick] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from callscope.queueing.distributions import Distribution
from callscope.queueing.erlang import erlang_a
from callscope.queueing.simulate import AgentGroup, Center, Queue, simulate
from callscope.queueing.staffing import required_agents

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "anonymous_bank" / "arrivals_6min_1999.csv"
AHT_S = 200.0
SL, T_S, SHRINK, MAX_OCC = 0.8, 20.0, 0.3, 0.9
PATIENCE_S = 180.0


def year_15min() -> np.ndarray:
    """35,040 quarter-hour call counts of 1999 (real data)."""
    calls = np.loadtxt(DATA, delimiter=",", skiprows=1, usecols=0)
    assert calls.size == 87_600, calls.size
    halves = np.repeat(calls / 2.0, 2)  # 3-minute pieces
    return halves.reshape(-1, 5).sum(axis=1)


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench_staffing(
    calls: np.ndarray, label: str, sample: int, repeat: int, rng: np.random.Generator
) -> list[str]:
    from pyworkforce.queuing import ErlangC

    def ours() -> object:
        return required_agents(
            calls,
            AHT_S,
            900,
            sl_target=SL,
            sl_threshold_s=T_S,
            max_occupancy=MAX_OCC,
            shrinkage=SHRINK,
        )

    required_agents(calls[:10], AHT_S, 900)  # compile / load the cache outside the timing
    # a few-millisecond call is easily hit by a time slice of another process on a shared
    # machine: take the median of many more repetitions than for the slow peer
    t_ours, res = median_time(ours, max(25, 5 * repeat))
    pos = np.flatnonzero(calls > 0)  # pyworkforce refuses 0 transactions
    idx = pos if sample >= pos.size else np.sort(rng.choice(pos, sample, replace=False))

    def peer() -> list[dict]:
        return [
            ErlangC(
                transactions=float(calls[i]),
                aht=AHT_S / 60,
                asa=T_S / 60,
                interval=15,
                shrinkage=SHRINK,
            ).required_positions(SL, MAX_OCC)
            for i in idx
        ]

    t_peer_sample, peer_out = median_time(peer, max(1, repeat // 2))
    t_peer = t_peer_sample * pos.size / idx.size
    raw = np.array([p["raw_positions"] for p in peer_out])
    sched = np.array([p["positions"] for p in peer_out])
    same_raw = int((raw == res.agents[idx]).sum())
    same_sched = int((sched == res.scheduled_agents[idx]).sum())
    # pyworkforce starts its search at round(traffic + 1); where fewer agents suffice it
    # cannot find them: count those explainable differences
    start = np.round(calls[idx] * AHT_S / 900 + 1)
    explained = int(((raw != res.agents[idx]) & (raw == start) & (res.agents[idx] < start)).sum())
    # pyworkforce rounds e.g. 21 / (1 - 0.3) = 30.000000000000004 up to 31; callscope treats
    # it as 30 (a 1e-9 tolerance)
    float_up = int(
        (
            (sched != res.scheduled_agents[idx])
            & (raw == res.agents[idx])
            & (sched == np.ceil(raw / (1 - SHRINK)))
            & (res.scheduled_agents[idx] == np.round(raw / (1 - SHRINK)))
        ).sum()
    )
    extrap = "" if idx.size == pos.size else f" (timed {idx.size:,} intervals, extrapolated)"
    return [
        f"| (a) Erlang C staffing, {label} | {calls.size:,} intervals "
        f"(peer: {pos.size:,} non-zero{extrap}) | {t_ours * 1e3:.1f} ms | "
        f"{t_peer:.2f} s | {t_peer / t_ours:,.0f}x | agents equal on {same_raw:,}/{idx.size:,}"
        f" ({explained} differ only because the peer starts at round(A+1)); scheduled "
        f"equal on {same_sched:,}/{idx.size:,} (the other {float_up} are where the peer's "
        f"float division rounds a whole number up, e.g. 21/(1-0.3) -> 31) |",
    ]


def bench_erlang_a(calls: np.ndarray, label: str, repeat: int) -> list[str]:
    def ours() -> object:
        return required_agents(
            calls,
            AHT_S,
            900,
            model="erlang-a",
            sl_target=SL,
            sl_threshold_s=T_S,
            max_abandon=0.05,
            max_occupancy=MAX_OCC,
            patience_s=PATIENCE_S,
            shrinkage=SHRINK,
        )

    required_agents(calls[:10], AHT_S, 900, model="erlang-a", patience_s=PATIENCE_S)
    t, res = median_time(ours, repeat)
    c = required_agents(
        calls, AHT_S, 900, sl_target=SL, sl_threshold_s=T_S, max_occupancy=MAX_OCC, shrinkage=SHRINK
    )
    saved = int(c.agents.sum() - res.agents.sum())
    return [
        f"| (b) Erlang A staffing, {label} | {calls.size:,} intervals | {t * 1e3:.0f} ms "
        f"| — | target < 1 s: {'met' if t < 1 else 'MISSED'} | all targets met: "
        f"{bool(res.met.all())}; {saved:,} agent-intervals fewer than Erlang C "
        f"({saved / max(int(c.agents.sum()), 1):.1%}) |"
    ]


def ci95(x: list[float]) -> tuple[float, float]:
    from scipy import stats

    a = np.asarray(x)
    half = stats.t.ppf(0.975, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size)
    return float(a.mean()), float(half)


def bench_simulator(quick: bool, repeat: int) -> list[str]:
    import ciw

    lam, mu, theta, n = 4.2, 0.5, 1.0, 12  # per minute
    exact = float(erlang_a(lam, 60 / mu, n, 60 / theta, interval_s=60).p_abandon)
    warm = 60.0
    ciw_minutes = 600.0 if quick else 3000.0
    ciw_reps = 3 if quick else 5

    def run_ciw(seed: int) -> tuple[float, int, float]:
        net = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=lam)],
            service_distributions=[ciw.dists.Exponential(rate=mu)],
            number_of_servers=[n],
            reneging_time_distributions=[ciw.dists.Exponential(rate=theta)],
        )
        ciw.seed(seed)
        sim = ciw.Simulation(net)
        t = time.perf_counter()
        sim.simulate_until_max_time(ciw_minutes)
        el = time.perf_counter() - t
        recs = [r for r in sim.get_all_records() if r.arrival_date >= warm]
        ab = sum(r.record_type == "renege" for r in recs)
        return el, len(sim.get_all_records()), ab / len(recs)

    ciw_runs = [run_ciw(s) for s in range(ciw_reps)]
    ciw_rate = statistics.median(c / e for e, c, _ in ciw_runs)

    hours = 200 if quick else 2000
    center = Center(
        queues=(
            Queue(
                "q",
                calls=[lam * 60] * hours,
                handle=Distribution.exponential(60 / mu),
                patience=Distribution.exponential(60 / theta),
            ),
        ),
        groups=(AgentGroup("g", agents=n, skills=("q",)),),
        interval_s=3600,
    )
    simulate(center, rng=0)  # compile / load the cache
    ours_runs = []
    reps = max(repeat, 5)
    for s in range(reps):
        t = time.perf_counter()
        res = simulate(center, rng=np.random.default_rng(100 + s))
        el = time.perf_counter() - t
        ours_runs.append((el, res.calls, float(res.summary(warmup_s=warm * 60).p_abandon[0])))
    our_rate = statistics.median(c / e for e, c, _ in ours_runs)
    t0 = time.perf_counter()
    res.contacts()
    res.agent_states()
    table_s = time.perf_counter() - t0
    m_c, h_c = ci95([p for _, _, p in ciw_runs])
    m_o, h_o = ci95([p for _, _, p in ours_runs])
    ok_c = abs(m_c - exact) <= h_c
    ok_o = abs(m_o - exact) <= h_o
    return [
        f"| (c) simulator M/M/12+M | ours {reps} x {hours:,} h ({res.calls:,} calls each); "
        f"ciw {ciw_reps} x {ciw_minutes / 60:.0f} h | {our_rate:,.0f} calls/s | "
        f"{ciw_rate:,.0f} calls/s | {our_rate / ciw_rate:,.0f}x | P(abandon): exact "
        f"{exact:.4f}; ours {m_o:.4f} ± {h_o:.4f} ({'covers' if ok_o else 'MISSES'} exact); "
        f"ciw {m_c:.4f} ± {h_c:.4f} ({'covers' if ok_c else 'MISSES'} exact); canonical "
        f"tables for {res.calls:,} calls in {table_s:.2f} s (not in the rate) |",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--repeat", type=int, default=5, help="repetitions (median reported)")
    ap.add_argument("--output", type=Path, default=None, help="write the markdown here")
    args = ap.parse_args()
    repeat = 2 if args.quick else args.repeat
    rng = np.random.default_rng(0)
    year = year_15min()
    big = year * 25
    sample = 300 if args.quick else 3000
    rows = [
        "| benchmark | input | callscope | peer | ratio | answers |",
        "|---|---|---|---|---|---|",
    ]
    rows += bench_staffing(
        year,
        f"bank volume (mean traffic {(year * AHT_S / 900).mean():.1f} Erl)",
        sample * 20,
        repeat,
        rng,
    )
    rows += bench_staffing(
        big, f"bank x25 (mean traffic {(big * AHT_S / 900).mean():.0f} Erl)", sample, repeat, rng
    )
    rows += bench_erlang_a(year, "bank volume", repeat)
    rows += bench_erlang_a(big, "bank x25", repeat)
    rows += bench_simulator(args.quick, repeat)
    head = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"(2 cores / 24 GiB, shared and noisy), median of {repeat} repetitions; "
        f"`uv run --no-sync python benchmarks/queueing.py{' --quick' if args.quick else ''}`."
        f" Targets: SL {SL:.0%}/{T_S:.0f}s, max occupancy {MAX_OCC:.0%}, shrinkage "
        f"{SHRINK:.0%}, AHT {AHT_S:.0f} s; Erlang A also max abandonment 5 %, patience "
        f"{PATIENCE_S:.0f} s."
    )
    text = head + "\n\n" + "\n".join(rows) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text)


if __name__ == "__main__":
    main()
