"""Ingest throughput: a generated Asterisk queue_log of N calls, and the same calls as CSV.

The floor is DuckDB's own ``read_csv`` of the CSV into a table of a fresh database file
(no validation, no line numbers, no rejects, no idempotency). Each case runs in its own
process (so peak memory is that case's own), ``--repeat`` times; medians are printed
with the ratio to the floor.

    uv run --no-sync python benchmarks/ingest.py                 # 1,000,000 calls
    uv run --no-sync python benchmarks/ingest.py --quick         # 50,000 calls
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
MAPPING = ROOT / "mappings" / "callscope_contacts.toml"


def _voice_calls(days):
    """The same days with only the calls a queue_log holds (voice, reached a queue)."""
    import dataclasses

    import pyarrow.compute as pc

    for day in days:
        keep = pc.and_(
            pc.equal(day.contacts["channel"], "voice"),
            pc.not_equal(day.contacts["outcome"], "ivr_only"),
        )
        yield dataclasses.replace(
            day, contacts=day.contacts.filter(keep), details=day.details.filter(keep)
        )


def generate(n_calls: int, seed: int) -> tuple[Path, Path]:
    """Write a synthetic center's voice calls as queue_log and as contacts CSV."""
    from callscope.synth import SynthConfig, generate_days, write_contacts_csv, write_queue_log

    WORK.mkdir(parents=True, exist_ok=True)
    ql, csv = WORK / f"queue_log_{n_calls}", WORK / f"contacts_{n_calls}.csv"
    if ql.exists() and csv.exists():
        return ql, csv
    probe = SynthConfig(seed=seed, start=date(2026, 1, 5)).sized(20_000, days=14)
    share = sum(d.contacts.num_rows for d in _voice_calls(generate_days(probe))) / sum(
        d.contacts.num_rows for d in generate_days(probe)
    )
    cfg = SynthConfig(seed=seed, start=date(2026, 1, 5)).sized(round(n_calls / share), days=56)
    t = time.perf_counter()
    write_queue_log(generate_days(cfg), ql)
    write_contacts_csv(_voice_calls(generate_days(cfg)), csv)
    print(
        f"generated in {time.perf_counter() - t:.1f} s: {ql.stat().st_size / 1e6:.0f} MB "
        f"queue_log, {csv.stat().st_size / 1e6:.0f} MB CSV",
        flush=True,
    )
    return ql, csv


def run_case(case: str, path: Path) -> dict[str, float]:
    """One measurement in this process (called in a child)."""
    db = WORK / f"bench_{case}.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    t = time.perf_counter()
    if case == "floor":
        import duckdb

        con = duckdb.connect(str(db))
        con.execute(f"CREATE TABLE contacts AS SELECT * FROM read_csv('{path}')")
        rows = con.execute("SELECT count(*) FROM contacts").fetchall()[0][0]
        con.close()
    else:
        from callscope.ingest import ingest_files
        from callscope.store import Store

        store = Store(db)
        fmt = "asterisk" if case == "queue_log" else "csv"
        s = ingest_files(store, [path], fmt, mapping=MAPPING if fmt == "csv" else None)
        rows = s.files[0].tables.get("contacts", 0)
        store.close()
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db.unlink(missing_ok=True)
    return {"seconds": secs, "rows": rows, "peak_mb": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="50,000 calls, one repetition")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.path))))
        return
    if args.quick:
        args.calls, args.repeat = 50_000, 1
    ql, csv = generate(args.calls, args.seed)
    cases = {"floor": csv, "csv": csv, "queue_log": ql}
    results: dict[str, list[dict[str, float]]] = {k: [] for k in cases}
    for _ in range(args.repeat):
        for case, path in cases.items():  # interleaved, so load noise hits all alike
            out = subprocess.run(
                [sys.executable, __file__, "--case", case, "--path", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            results[case].append(json.loads(out.stdout.strip().splitlines()[-1]))
    floor = statistics.median(r["seconds"] for r in results["floor"])
    print(
        f"\ningest benchmark, {date.today()}, {platform.machine()} {platform.processor() or ''}"
        f" ({args.repeat} runs, medians)"
    )
    print(f"{'case':<28}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'x floor':>9}{'peak MB':>9}")
    names = {
        "floor": "DuckDB read_csv (floor)",
        "csv": "callscope ingest csv",
        "queue_log": "callscope ingest asterisk",
    }
    for case, rs in results.items():
        med = statistics.median(r["seconds"] for r in rs)
        peak = max(r["peak_mb"] for r in rs)
        rows = rs[0]["rows"]
        print(
            f"{names[case]:<28}{rows:>12,.0f}{med:>10.2f}{rows / med:>12,.0f}"
            f"{med / floor:>9.2f}{peak:>9.0f}"
        )


if __name__ == "__main__":
    main()
