"""The cost of an encrypted store: ingest and KPIs on a plain and an encrypted store of
the same data (issue 11, privacy: encryption at rest).

A synthetic center (``callscope synth``, about 200,000 contacts by default) is written
once as an Asterisk ``queue_log``; then, ``--runs`` times, interleaved, each case in a
fresh folder: ``callscope ingest`` of that log into a new store, and ``callscope kpi
--by queue,day`` on it (both whole commands, as a user runs them). The plain case runs
with the default settings, the encrypted one with ``privacy.encrypt = true``; both get
the same key in ``$CALLSCOPE_KEY``. The KPIs of the two must be identical; the table
gives median wall seconds and the encrypted/plain ratio.

Run::

    uv run --no-sync python benchmarks/encryption.py [--contacts 200000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

KEY = bytes(range(32)).hex()
CASES = {"plain": "", "encrypted": "[privacy]\nencrypt = true\n"}


def callscope(*args: str, cwd: Path) -> tuple[float, str]:
    """Run ``callscope ARGS`` in ``cwd``; its wall seconds and standard output."""
    env = {**os.environ, "CALLSCOPE_KEY": KEY}
    env.pop("CALLSCOPE_DB", None)
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "callscope", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"callscope {' '.join(args)} failed:\n{p.stderr}")
    return took, p.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--contacts", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="callscope-bench-enc-") as tmp:
        root = Path(tmp)
        callscope(
            "synth",
            "--contacts",
            str(args.contacts),
            "--days",
            str(args.days),
            "--source",
            "asterisk",
            "--output-dir",
            str(root / "src"),
            "--db",
            str(root / "unused.duckdb"),
            cwd=root,
        )
        logs = sorted((root / "src").rglob("*queue_log*"))
        if len(logs) != 1:
            raise SystemExit(f"expected one queue_log from synth, got {logs}")
        log = logs[0]
        log_bytes = log.stat().st_size
        times: dict[str, dict[str, list[float]]] = {c: {"ingest": [], "kpi": []} for c in CASES}
        sizes: dict[str, int] = {}
        outputs: dict[str, str] = {}
        for run in range(args.runs):
            for case, settings in CASES.items():
                d = root / f"{case}-{run}"
                d.mkdir()
                (d / "callscope.toml").write_text(settings)
                db = d / "c.duckdb"
                t, _ = callscope("ingest", str(log), "--source", "asterisk", "--db", str(db), cwd=d)
                times[case]["ingest"].append(t)
                t, out = callscope(
                    "kpi", "--by", "queue,day", "--format", "csv", "--db", str(db), cwd=d
                )
                times[case]["kpi"].append(t)
                sizes[case] = db.stat().st_size
                if outputs.setdefault(case, out) != out:
                    raise SystemExit(f"{case}: KPIs differ between runs")
        if outputs["plain"] != outputs["encrypted"]:
            raise SystemExit("the encrypted store's KPIs differ from the plain store's")

    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"{args.contacts:,} contacts requested over {args.days} days, {log_bytes:,}"
        f"-byte queue_log, {args.runs} runs, medians; KPIs identical"
    )
    print("| step | plain s | encrypted s | encrypted / plain |")
    print("|---|---:|---:|---:|")
    for step in ("ingest", "kpi"):
        p = statistics.median(times["plain"][step])
        e = statistics.median(times["encrypted"][step])
        print(f"| {step} | {p:.2f} | {e:.2f} | {e / p:.2f}x |")
    p = statistics.median(a + b for a, b in zip(*times["plain"].values(), strict=True))
    e = statistics.median(a + b for a, b in zip(*times["encrypted"].values(), strict=True))
    print(f"| ingest + kpi | {p:.2f} | {e:.2f} | {e / p:.2f}x |")
    print(f"store file: plain {sizes['plain']:,} bytes, encrypted {sizes['encrypted']:,} bytes")


if __name__ == "__main__":
    main()
