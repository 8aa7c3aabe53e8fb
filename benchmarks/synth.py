"""Sample-data generator throughput, and its queue kernel against Ciw.

Measures, in one run:

1. generation: ``generate_days`` of ``--contacts`` contacts (default 1M over 28 days),
   contacts per second (median of ``--reps``);
2. the writers on that data: Asterisk ``queue_log``, Amazon Connect CTR JSON lines,
   contacts CSV (seconds, MB, rows per second);
3. ``write_store`` into a fresh DuckDB store (generation included), with peak RSS;
4. the FCFS queue kernel against Ciw 3 (the peer, a discrete-event simulator) on the
   same M/M/N+M queue: customers per second and the abandonment / ASA each produces
   (they must agree statistically; Erlang A gives the reference);
5. with ``--ten-million``: 10M contacts (91 days) straight into the store.

Run: ``uv run --no-sync python benchmarks/synth.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from callscope.store import Store
from callscope.synth import (
    SynthConfig,
    generate_days,
    write_amazon_connect,
    write_contacts_csv,
    write_queue_log,
    write_store,
)
from callscope.synth.kernel import ABANDONED, ANSWERED, serve_queue


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def bench_generation(cfg: SynthConfig, reps: int) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(reps):
        t = time.perf_counter()
        n = sum(d.contacts.num_rows for d in generate_days(cfg))
        times.append(time.perf_counter() - t)
    return statistics.median(times), n


def bench_writers(cfg: SynthConfig, tmp: Path) -> None:
    days = list(generate_days(cfg))
    for name, fn, path in (
        ("queue_log", write_queue_log, tmp / "queue_log"),
        ("amazon_connect", write_amazon_connect, tmp / "ctr.jsonl"),
        ("contacts_csv", write_contacts_csv, tmp / "contacts.csv"),
    ):
        t = time.perf_counter()
        rows = fn(days, path)
        el = time.perf_counter() - t
        mb = path.stat().st_size / 1e6
        print(
            f"  {name:15s} {rows:>10,} rows/lines  {el:6.1f} s  {mb:8.1f} MB  "
            f"{rows / el:>12,.0f} rows/s"
        )
        path.unlink()


def bench_store(cfg: SynthConfig, tmp: Path) -> None:
    path = tmp / "synth.duckdb"
    store = Store(path, memory_limit="4GB")
    t = time.perf_counter()
    loaded = write_store(cfg, store)
    el = time.perf_counter() - t
    store.close()
    print(
        f"  write_store: {loaded['contacts']:,} contacts, {loaded['messages']:,} messages, "
        f"{sum(loaded.values()):,} rows in {el:.1f} s = {loaded['contacts'] / el:,.0f} "
        f"contacts/s; store {path.stat().st_size / 1e6:.0f} MB; peak RSS {_rss_gb():.2f} GB"
    )
    path.unlink()


def erlang_a_abandon(lam: float, mu: float, theta: float, n: int) -> tuple[float, float]:
    """P(abandon) and mean wait of all callers in M/M/n+M (Palm), from the birth-death
    chain: birth lam, death min(k, n) mu + max(k - n, 0) theta; P(ab) = theta E[Q] / lam,
    E[W] = E[Q] / lam (Little)."""
    k = np.arange(n + 4000)
    death = np.minimum(k[1:], n) * mu + np.maximum(k[1:] - n, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    q = np.maximum(k - n, 0) @ p
    return theta * q / lam, q / lam


def bench_kernel_vs_ciw(n_ciw: int) -> None:
    """M/M/20+M: arrivals 1 per 10 s, mean service 200 s, mean patience 120 s."""
    import ciw  # bench-only peer

    lam, mean_s, servers, mean_pat = 0.1, 200.0, 20, 120.0
    horizon = n_ciw / lam
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=1 / mean_s)],
        number_of_servers=[servers],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / mean_pat)],
    )
    ciw.seed(3)
    sim = ciw.Simulation(net)
    t = time.perf_counter()
    sim.simulate_until_max_time(horizon)
    t_ciw = time.perf_counter() - t
    recs = [r for r in sim.get_all_records() if r.arrival_date > 0.05 * horizon]
    ab_ciw = np.mean([r.record_type == "renege" for r in recs])
    asa_ciw = np.mean([r.waiting_time for r in recs if r.record_type == "service"])

    rng = np.random.default_rng(3)
    n = 20 * n_ciw
    arrival = np.cumsum(rng.exponential(1 / lam, n))
    z = np.zeros(n)
    args = (
        arrival,
        rng.exponential(mean_pat, n),
        np.inf,
        z,
        rng.exponential(mean_s, n),
        z,
        z,
        np.arange(servers, dtype=np.int64),
        np.ones(servers),
        np.arange(servers + 1, dtype=np.int64),
        np.zeros(servers),
        np.full(servers, 1e15),
    )
    serve_queue(
        *(a[:100] if isinstance(a, np.ndarray) and a.shape[0] == n else a for a in args)
    )  # compile / load cache
    t = time.perf_counter()
    outcome, answer, *_ = serve_queue(*args)
    t_ours = time.perf_counter() - t
    warm = arrival > 0.05 * arrival[-1]
    ab = np.mean(outcome[warm] == ABANDONED)
    ok = warm & (outcome == ANSWERED)
    asa = np.mean(answer[ok] - arrival[ok])
    print(
        f"  Ciw 3.2.7:   {len(recs):>10,} customers in {t_ciw:6.2f} s = "
        f"{len(recs) / t_ciw:>12,.0f}/s; abandoned {ab_ciw:.4f}, ASA {asa_ciw:.1f} s"
    )
    print(
        f"  our kernel:  {n:>10,} customers in {t_ours:6.2f} s = {n / t_ours:>12,.0f}/s; "
        f"abandoned {ab:.4f}, ASA {asa:.1f} s"
    )
    p_ab, _ = erlang_a_abandon(lam, 1 / mean_s, 1 / mean_pat, servers)
    print(f"  Erlang A (exact):  abandoned {p_ab:.4f}")
    print(f"  speed ratio (ours / Ciw): {(n / t_ours) / (len(recs) / t_ciw):,.0f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--contacts", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument(
        "--ten-million",
        action="store_true",
        help="also generate 10M contacts (91 days) into a store",
    )
    args = ap.parse_args()
    n = 50_000 if args.quick else args.contacts
    reps = 1 if args.quick else args.reps
    cfg = SynthConfig(seed=1).sized(n, days=28)
    tmp = Path(tempfile.mkdtemp(prefix="synth-bench-", dir=os.environ.get("TMPDIR")))
    print(f"callscope synth benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cpus")
    serve_queue  # noqa: B018  (imported: numba cache loads here)
    bench_generation(SynthConfig(days=1, contacts_per_day=200), 1)  # warm-up, JIT cache
    el, rows = bench_generation(cfg, reps)
    print(
        f"generation: {rows:,} contacts (28 days) in {el:.1f} s (median of {reps}) = "
        f"{rows / el:,.0f} contacts/s"
    )
    print("writers:")
    bench_writers(cfg, tmp)
    print("store:")
    bench_store(cfg, tmp)
    print("queue kernel vs Ciw (M/M/20+M, a = 20 Erlangs, patience 120 s):")
    bench_kernel_vs_ciw(2_000 if args.quick else 20_000)
    if args.ten_million:
        print("10 million contacts into the store:")
        bench_store(SynthConfig(seed=1).sized(10_000_000, days=91), tmp)
    tmp.rmdir()


if __name__ == "__main__":
    main()
