"""Benchmark: the contact KPI suite on N synthetic contacts, ours vs pandas vs hand SQL.

Suite (the volume-heavy part of KPIS.md, everything computed from ``contacts``):
offered, answered, abandoned, short abandons, answered within T, SL (offered variant),
ASA, abandonment rate, average time to abandon, longest wait; handled, total/avg talk,
avg hold, avg ACW, AHT, total handle, transfer rate. Two groupings: 30-minute interval x
queue (queue side, bucket = queue entry) and agent x day (agent side, bucket = answer).

* ours  - ``callscope.kpi.compute_kpis`` on the DuckDB store (families accessibility +
          productivity), one Ibis query per grouping;
* floor - the same numbers in hand-written DuckDB SQL;
* peer  - a plain pandas implementation (reads the needed columns from Parquet).

Each engine runs in its own subprocess (peak RSS via ``resource.getrusage``), 3 times;
medians are printed with ratios. Run::

    uv run --no-sync python benchmarks/kpi.py            # 10 million contacts
    uv run --no-sync python benchmarks/kpi.py --quick    # 200 thousand
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

T, SHORT = 20.0, 5.0
CACHE = Path("/tmp/callscope-bench")

HAND_SQL = {
    "interval_queue": f"""
        SELECT time_bucket(INTERVAL 30 MINUTE, coalesce(queue_entry_ts, arrival_ts)) AS interval_start,
               queue,
               count(*) AS arrived,
               count(*) FILTER (WHERE outcome NOT IN ('ivr_only','blocked','phantom')) AS offered,
               count(*) FILTER (WHERE outcome = 'answered') AS answered,
               count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
               count(*) FILTER (WHERE outcome = 'abandoned' AND wait_s <= {SHORT}) AS short_abandoned,
               count(*) FILTER (WHERE outcome = 'timeout') AS timeout,
               count(*) FILTER (WHERE outcome = 'exit_by_key') AS exit_by_key,
               count(*) FILTER (WHERE outcome = 'exit_empty') AS exit_empty,
               count(*) FILTER (WHERE outcome = 'overflow') AS overflow,
               count(*) FILTER (WHERE outcome = 'transferred') AS transferred_out,
               count(*) FILTER (WHERE outcome = 'blocked') AS blocked,
               count(*) FILTER (WHERE outcome = 'ivr_only') AS ivr_only,
               count(*) FILTER (WHERE outcome = 'phantom') AS phantom,
               count(*) FILTER (WHERE outcome = 'answered' AND wait_s <= {T}) AS answered_within_t,
               avg(wait_s) FILTER (WHERE outcome = 'answered') AS asa_s,
               avg(wait_s) FILTER (WHERE outcome = 'abandoned' AND NOT coalesce(wait_s <= {SHORT}, false)) AS avg_time_to_abandon_s,
               max(wait_s) FILTER (WHERE outcome NOT IN ('ivr_only','blocked','phantom')) AS longest_wait_s
        FROM contacts WHERE direction = 'inbound' GROUP BY ALL""",
    "agent_day": """
        SELECT agent, CAST(coalesce(answer_ts, queue_entry_ts, arrival_ts) AS DATE) AS day,
               count(*) AS handled, coalesce(sum(talk_s), 0) AS total_talk_s,
               avg(talk_s) AS avg_talk_s, avg(hold_s) AS avg_hold_s, avg(acw_s) AS avg_acw_s,
               sum(coalesce(talk_s,0) + coalesce(hold_s,0) + coalesce(acw_s,0)) AS total_handle_s,
               count(*) FILTER (WHERE transferred) AS transferred
        FROM contacts WHERE outcome = 'answered' GROUP BY ALL""",
}


def _finish_sql(con, name: str, sql: str):
    if name == "interval_queue":
        return con.execute(f"""SELECT *, answered_within_t / nullif(offered, 0) AS service_level,
            (abandoned - short_abandoned) / nullif(offered - short_abandoned, 0) AS abandon_rate
            FROM ({sql})""").to_arrow_table()
    return con.execute(f"""SELECT *, coalesce(avg_talk_s,0)+coalesce(avg_hold_s,0)+coalesce(avg_acw_s,0) AS aht_s,
        transferred / handled AS transfer_rate FROM ({sql})""").to_arrow_table()


def run_ours(db: Path) -> dict:
    from callscope.kpi import KpiParams, compute_kpis, duckdb_source
    from callscope.store import Store

    store = Store(db, read_only=True)
    src = duckdb_source(store)
    out = {}
    for name, keys in (
        ("interval_queue", ("interval_start", "queue")),
        ("agent_day", ("agent", "day")),
    ):
        only = ("accessibility",) if name == "interval_queue" else ("productivity",)
        t0 = time.perf_counter()
        r = compute_kpis(src, keys, KpiParams(), only=only)
        out[name] = (time.perf_counter() - t0, r.table.num_rows)
    return out


def run_sql(db: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for name, sql in HAND_SQL.items():
        t0 = time.perf_counter()
        tab = _finish_sql(con, name, sql)
        tab = tab.read_all() if hasattr(tab, "read_all") else tab
        out[name] = (time.perf_counter() - t0, tab.num_rows)
    return out


def run_pandas(pq: Path) -> dict:
    import numpy as np
    import pandas as pd

    out = {}
    t0 = time.perf_counter()
    c = pd.read_parquet(
        pq,
        columns=[
            "direction",
            "outcome",
            "queue",
            "arrival_ts",
            "queue_entry_ts",
            "answer_ts",
            "wait_s",
        ],
    )
    c = c[c["direction"] == "inbound"]
    ts = c["queue_entry_ts"].fillna(c["arrival_ts"])
    off = ~c["outcome"].isin(["ivr_only", "blocked", "phantom"])
    ans = c["outcome"] == "answered"
    ab = c["outcome"] == "abandoned"
    short = ab & (c["wait_s"] <= SHORT)
    extra = {
        f"n_{o}": c["outcome"] == o
        for o in (
            "timeout",
            "exit_by_key",
            "exit_empty",
            "overflow",
            "transferred",
            "blocked",
            "ivr_only",
            "phantom",
        )
    }
    f = pd.DataFrame(
        {
            "interval_start": ts.dt.floor("30min"),
            "queue": c["queue"],
            **extra,
            "offered": off,
            "answered": ans,
            "abandoned": ab,
            "short_abandoned": short,
            "answered_within_t": ans & (c["wait_s"] <= T),
            "w_ans": c["wait_s"].where(ans),
            "w_ab": c["wait_s"].where(ab & ~short),
            "w_off": c["wait_s"].where(off),
        }
    )
    g = f.groupby(["interval_start", "queue"], dropna=False).agg(
        arrived=("offered", "size"),
        **{k: (k, "sum") for k in extra},
        offered=("offered", "sum"),
        answered=("answered", "sum"),
        abandoned=("abandoned", "sum"),
        short_abandoned=("short_abandoned", "sum"),
        answered_within_t=("answered_within_t", "sum"),
        asa_s=("w_ans", "mean"),
        avg_time_to_abandon_s=("w_ab", "mean"),
        longest_wait_s=("w_off", "max"),
    )
    g["service_level"] = g["answered_within_t"] / g["offered"].replace(0, np.nan)
    g["abandon_rate"] = (g["abandoned"] - g["short_abandoned"]) / (
        g["offered"] - g["short_abandoned"]
    ).replace(0, np.nan)
    out["interval_queue"] = (time.perf_counter() - t0, len(g))
    del c, f
    t0 = time.perf_counter()
    h = pd.read_parquet(
        pq,
        columns=[
            "outcome",
            "agent",
            "arrival_ts",
            "queue_entry_ts",
            "answer_ts",
            "talk_s",
            "hold_s",
            "acw_s",
            "transferred",
        ],
    )
    h = h[h["outcome"] == "answered"]
    day = h["answer_ts"].fillna(h["queue_entry_ts"]).fillna(h["arrival_ts"]).dt.date
    h = h.assign(
        day=day, handle=h["talk_s"].fillna(0) + h["hold_s"].fillna(0) + h["acw_s"].fillna(0)
    )
    g = h.groupby(["agent", "day"], dropna=False).agg(
        handled=("outcome", "size"),
        total_talk_s=("talk_s", "sum"),
        avg_talk_s=("talk_s", "mean"),
        avg_hold_s=("hold_s", "mean"),
        avg_acw_s=("acw_s", "mean"),
        total_handle_s=("handle", "sum"),
        transferred=("transferred", "sum"),
    )
    g["aht_s"] = g[["avg_talk_s", "avg_hold_s", "avg_acw_s"]].fillna(0).sum(axis=1)
    g["transfer_rate"] = g["transferred"] / g["handled"]
    out["agent_day"] = (time.perf_counter() - t0, len(g))
    return out


def _child(engine: str, path: str) -> None:
    """Run the suite twice in one process: ``cold`` (first call: imports, Ibis and
    DuckDB warm-up) and ``warm`` (steady state)."""
    fn = {"ours": run_ours, "sql": run_sql, "pandas": run_pandas}[engine]
    cold = fn(Path(path))
    warm = fn(Path(path))
    res = {
        "cold": cold,
        "warm": warm,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(res))


def prepare(n: int) -> tuple[Path, Path]:
    from callscope.store import Store
    from callscope.synth import SynthConfig, write_store

    CACHE.mkdir(exist_ok=True)
    db = CACHE / f"contacts-{n}.duckdb"
    pq = CACHE / f"contacts-{n}.parquet"
    if not pq.exists():
        days = max(7, n // 250_000)
        t0 = time.perf_counter()
        with Store(db) as store:
            write_store(SynthConfig().sized(n, days=days), store)
            store.con.execute(f"COPY contacts TO '{pq}' (FORMAT parquet)")
            rows = store.count("contacts")
        print(f"generated {rows:,} contacts over {days} days in {time.perf_counter() - t0:.0f} s")
    return db, pq


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="200 thousand contacts")
    ap.add_argument("--contacts", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        _child(*a.child)
        return
    n = a.contacts or (200_000 if a.quick else 10_000_000)
    db, pq = prepare(n)
    results: dict[str, list[dict]] = {"ours": [], "sql": [], "pandas": []}
    for _ in range(a.repeat):
        for engine in results:
            arg = pq if engine == "pandas" else db
            p = subprocess.run(
                [sys.executable, __file__, "--child", engine, str(arg)],
                capture_output=True,
                text=True,
                check=True,
            )
            results[engine].append(json.loads(p.stdout.strip().splitlines()[-1]))
    for phase in ("warm", "cold"):
        print(f"\n{n:,} contacts, {a.repeat} runs, {phase}, medians (s)")
        print(
            f"{'grouping':16} {'ours':>8} {'hand SQL':>9} {'pandas':>8} {'ours/SQL':>9} "
            f"{'pandas/ours':>12}"
        )
        for name in ("interval_queue", "agent_day"):
            med = {e: statistics.median(r[phase][name][0] for r in rs) for e, rs in results.items()}
            print(
                f"{name:16} {med['ours']:8.3f} {med['sql']:9.3f} {med['pandas']:8.3f} "
                f"{med['ours'] / med['sql']:9.2f} {med['pandas'] / med['ours']:12.1f}"
            )
        tot = {
            e: statistics.median(
                sum(r[phase][k][0] for k in ("interval_queue", "agent_day")) for r in rs
            )
            for e, rs in results.items()
        }
        print(
            f"{'both':16} {tot['ours']:8.3f} {tot['sql']:9.3f} {tot['pandas']:8.3f} "
            f"{tot['ours'] / tot['sql']:9.2f} {tot['pandas'] / tot['ours']:12.1f}"
        )
    print(
        "peak RSS (MB): "
        + ", ".join(f"{e} {max(r['peak_mb'] for r in rs):.0f}" for e, rs in results.items())
    )


if __name__ == "__main__":
    main()
