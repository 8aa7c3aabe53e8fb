"""Forecast accuracy on real call-center data: callscope vs seasonal naive vs statsforecast MSTL.

Reproduces both backtest tables of issue 6 in one run, on the same input:

* Weinberg bank 2003 (5-minute counts, 164 weekdays 07:00-21:00) at 30 minutes,
  one-week-ahead forecasts from the last 4 weekly origins;
* Anonymous Bank 1999 (6-minute counts, whole year, 24 h) at 30 minutes, one week ahead
  from the last 8 weekly origins.

"ours" is the model callscope chooses by backtest on the 4 weekly origins *before* the
evaluated ones. Peers: seasonal naive (same interval last week) and statsforecast MSTL
(daily + weekly seasonality, AutoETS trend); every forecast is clipped at 0. Also times
many series on 1 core vs all cores (statsforecast ``n_jobs``).

Run: ``uv run --no-sync python benchmarks/forecast.py [--quick] [--reps 3]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from callscope.forecast.backtest import backtest
from callscope.forecast.frame import cross_validate, long_frame
from callscope.forecast.models import DailyProfile, WeekMean
from callscope.forecast.series import IntervalSeries, aggregate, read_series_csv

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def weinberg() -> IntervalSeries:
    ts, y = read_series_csv(DATA / "weinberg_bank" / "bank_calls_5min_2003.csv")
    return aggregate(ts, y, 1800)


def anonymous_bank() -> IntervalSeries:
    df = pd.read_csv(DATA / "anonymous_bank" / "arrivals_6min_1999.csv")
    ts = pd.to_datetime(df["Date"]) + pd.to_timedelta((df["u"] - 1) * 6, unit="min")
    return aggregate(ts.to_numpy().astype("datetime64[us]"), df["calls"].to_numpy(float), 1800)


def run_dataset(
    name: str,
    series: IntervalSeries,
    origins: int,
    reps: int,
    target: float,
    models: list[str] | None,
) -> dict:
    runs = [backtest(series, origins=origins, models=models) for _ in range(reps)]
    r = runs[0]
    fit = {s.model: statistics.median(x.score(s.model).fit_s for x in runs) for s in r.scores}
    print(
        f"\n## {name}: {origins} weekly origins x {r.horizon_steps} intervals "
        f"(model chosen on {r.selection_origins} earlier origins), {reps} rep(s)\n"
    )
    print("| model | WAPE | MASE | bias | fit s / origin (median) | chosen |")
    print("|---|---:|---:|---:|---:|:-:|")
    for s in r.scores:
        print(
            f"| {s.model} | {s.wape * 100:.2f} % | {s.mase:.3f} | {s.bias * 100:+.2f} % | "
            f"{fit[s.model]:.4f} | {'yes' if s.chosen else ''} |"
        )
    ours = r.score(r.chosen)
    out = {"name": name, "chosen": r.chosen, "ours": ours.wape, "target": target}
    print(
        f"\nours ({r.chosen}) WAPE {ours.wape * 100:.2f} % (target <= {target * 100:.1f} %: "
        f"{'met' if ours.wape <= target else 'NOT met'})"
    )
    for peer in ("seasonal_naive", "mstl"):
        try:
            p = r.score(peer)
        except KeyError:
            continue
        print(
            f"  vs {peer}: WAPE {p.wape * 100:.2f} % -> ours/peer WAPE ratio "
            f"{ours.wape / p.wape:.3f}; fit time ratio ours/peer "
            f"{fit[r.chosen] / max(fit[peer], 1e-9):.3f}"
        )
        out[peer] = p.wape
    days = sorted({h.horizon_day for h in r.by_horizon})
    print("\nWAPE by open day after the origin:\n")
    print("| model | " + " | ".join(f"d{d}" for d in days) + " |")
    print("|---|" + "---:|" * len(days))
    for s in r.scores:
        vals = {h.horizon_day: h.wape for h in r.by_horizon if h.model == s.model}
        print(f"| {s.model} | " + " | ".join(f"{vals[d] * 100:.1f}" for d in days) + " |")
    return out


def run_scale(n_series: int, reps: int) -> None:
    """Many series: the same cross-validation on 1 process vs all cores."""
    base = weinberg()
    rng = np.random.default_rng(0)
    series = {
        f"s{i}": IntervalSeries(
            base.start, rng.poisson(base.y * rng.uniform(0.05, 1.0)).astype(float), 1800
        )
        for i in range(n_series)
    }
    df = long_frame(series)
    models = [DailyProfile(), DailyProfile("theta"), WeekMean(4)]
    cores = os.cpu_count() or 1
    times = {}
    for jobs in (1, cores):
        t = []
        for _ in range(reps):
            t0 = time.perf_counter()
            cross_validate(df, models, 145, 4, n_jobs=jobs, per_model=False)
            t.append(time.perf_counter() - t0)
        times[jobs] = statistics.median(t)
    print(f"\n## Scale: {n_series} series x 4 origins x 3 models (cross-validation)\n")
    print(
        f"n_jobs=1: {times[1]:.2f} s; n_jobs={cores}: {times[cores]:.2f} s; "
        f"speed-up {times[1] / times[cores]:.2f}x (median of {reps}; load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="Weinberg only, no MSTL, 1 rep")
    ap.add_argument("--reps", type=int, default=3, help="repetitions for timings")
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"data not found at {DATA}", file=sys.stderr)
        return 1
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"# Forecast benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"load average {load})"
    )
    if args.quick:
        run_dataset(
            "Weinberg bank 2003",
            weinberg(),
            4,
            1,
            0.075,
            ["ensemble", "daily_profile", "week_mean4", "seasonal_naive"],
        )
        run_scale(8, 1)
        return 0
    results = [
        run_dataset("Weinberg bank 2003", weinberg(), 4, args.reps, 0.075, None),
        run_dataset("Anonymous Bank 1999", anonymous_bank(), 8, args.reps, 0.19, None),
    ]
    run_scale(40, args.reps)
    ok = all(r["ours"] <= r["target"] for r in results)
    print("\nall targets met" if ok else "\nsome target NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
