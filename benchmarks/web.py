"""Benchmark: time to first byte of the web app's pages on a big store, with the KPI
queries behind them timed beside.

A synthetic center of N contacts (default 10 million, every table: contacts, agent
states, schedules, surveys ...) is generated once into a DuckDB store under
``/tmp/callscope-bench``; an admin user is added; then the command a user runs,
``callscope serve --db STORE``, is started as a subprocess on a free localhost port,
and an HTTP client signs in and asks for each page and its JSON twin:

* **first**: the first request of each URL after the server started: the page's KPIs
  are computed (the filter choices too, on the first page: they are kept a minute);
* **again**: the median of ``--repeat`` further requests of the same URL: the server
  keeps a computed view while the store is unchanged, so this is the kept answer.

Time to first byte is measured from sending the request to the first byte of the body
(the server renders the whole page before sending it, so this is the time the person
waits for anything). Beside it, the KPI queries the page runs are timed in a separate
process straight on the store (``callscope.kpi.compute_kpis`` for the groupings each
view computes), so the share of the page time that is the KPI engine is visible.

The goal (issue 12): under 1 s warm for the overview and service pages on 10 million
contacts. Run::

    .venv/bin/python benchmarks/web.py               # 10 million contacts
    .venv/bin/python benchmarks/web.py --quick       # 500 thousand
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

CACHE = Path("/tmp/callscope-bench")
ROOT = Path(__file__).resolve().parents[1]
CALLSCOPE = ROOT / ".venv" / "bin" / "callscope"
PASSWORD = "bench-password-not-secret"
URLS = (
    "/overview",
    "/api/v1/overview",
    "/service",
    "/api/v1/service",
    "/agents",
    "/overview?period=month",
    "/service?period=month",
)


def prepare(n: int) -> Path:
    """A store of ``n`` synthetic contacts (cached) with an admin user ``bench``."""
    from callscope.settings import load_settings
    from callscope.store import Store
    from callscope.synth import SynthConfig, write_store

    CACHE.mkdir(exist_ok=True)
    db = CACHE / f"web-{n}.duckdb"
    if not db.exists():
        days = max(14, n // 250_000)
        t0 = time.perf_counter()
        tmp = db.with_suffix(".partial")
        tmp.unlink(missing_ok=True)
        with Store(tmp) as store:
            write_store(SynthConfig().sized(n, days=days), store)
            rows = store.count("contacts")
        tmp.rename(db)
        print(f"generated {rows:,} contacts over {days} days in {time.perf_counter() - t0:.0f} s")
    from callscope.services.users import AddUserRequest, add_user, list_users

    settings = load_settings(db=db, env={}, cwd=CACHE)
    if not any(u.name == "bench" for u in list_users(settings)):
        add_user(settings, AddUserRequest("bench", "admin", PASSWORD), datetime.now())
    return db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ttfb(client, url: str) -> tuple[float, int, int]:
    """Seconds to the first body byte, the status and the body size."""
    t0 = time.perf_counter()
    with client.stream("GET", url) as r:
        chunks = r.iter_bytes()
        first = next(chunks, b"")
        t = time.perf_counter() - t0
        size = len(first) + sum(len(c) for c in chunks)
    return t, r.status_code, size


def measure_server(db: Path, repeat: int) -> dict[str, dict[str, float]]:
    import httpx

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLSCOPE_")}
    t_start = time.perf_counter()
    srv = subprocess.Popen(
        [str(CALLSCOPE), "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=CACHE,
    )
    base = f"http://127.0.0.1:{port}"
    out: dict[str, dict[str, float]] = {}
    try:
        with httpx.Client(base_url=base, timeout=300) as c:
            for _ in range(1200):
                try:
                    if c.get("/login").status_code == 200:
                        break
                except httpx.TransportError:
                    if srv.poll() is not None:
                        msg = srv.stderr.read().decode() if srv.stderr else ""
                        raise SystemExit(f"callscope serve ended: {msg}") from None
                    time.sleep(0.05)
            out["_start"] = {"s": time.perf_counter() - t_start}
            page = c.get("/login").text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert csrf, "no CSRF token on the sign-in page"
            r = c.post(
                "/login",
                data={"name": "bench", "password": PASSWORD, "csrf_token": csrf.group(1)},
            )
            assert r.status_code in (200, 303), r.text[:200]
            for url in URLS:
                cold, status, size = _ttfb(c, url)
                assert status == 200, (url, status)
                warm = [_ttfb(c, url)[0] for _ in range(repeat)]
                out[url] = {"cold": cold, "warm": statistics.median(warm), "bytes": size}
    finally:
        srv.terminate()
        srv.wait(timeout=30)
    return out


def measure_kpis(db: Path, repeat: int) -> dict[str, float]:
    """The KPI queries of the overview and service views, timed on the store (warm
    medians), for the default period (the last 7 days with data)."""
    from callscope.kpi.engine import compute_kpis, duckdb_source
    from callscope.services.dashboard import OVERVIEW_FAMILIES
    from callscope.services.kpi import KpiRequest, kpi_params
    from callscope.settings import load_settings
    from callscope.store import Store

    settings = load_settings(db=db, env={}, cwd=CACHE)
    params = kpi_params(settings, KpiRequest())
    with Store(db, read_only=True) as store:
        src = duckdb_source(store)
        c = src.table("contacts")
        last = src.to_arrow(c.aggregate(m=c.arrival_ts.max()))["m"][0].as_py()
        end = datetime.combine(last.date(), datetime.min.time()) + timedelta(days=1)
        start = end - timedelta(days=7)
        prev = start - timedelta(days=7)
        jobs = {
            "overview (queue + channel, this and previous period)": lambda: [
                compute_kpis(src, (k,), params, s, e, OVERVIEW_FAMILIES)
                for k in ("queue", "channel")
                for s, e in ((start, end), (prev, start))
            ],
            "service (day, interval, weekday x hour, interval x queue)": lambda: [
                compute_kpis(src, ("day",), params, start, end, only=["accessibility"]),
                compute_kpis(
                    src, ("interval_start",), params, start, end, ["accessibility", "states"]
                ),
                compute_kpis(src, ("weekday", "hour"), params, start, end, only=["accessibility"]),
                compute_kpis(
                    src,
                    ("interval_start", "queue"),
                    params,
                    start,
                    end,
                    only=["accessibility", "productivity"],
                ),
            ],
        }
        out = {}
        for name, job in jobs.items():
            job()  # warm up
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                job()
                times.append(time.perf_counter() - t0)
            out[name] = statistics.median(times)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="500 thousand contacts")
    ap.add_argument("--contacts", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--kpis-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    n = a.contacts or (500_000 if a.quick else 10_000_000)
    db = prepare(n)
    if a.kpis_only:
        print(json.dumps(measure_kpis(db, a.repeat)))
        return
    pages = measure_server(db, a.repeat)
    kp = subprocess.run(
        [sys.executable, __file__, "--contacts", str(n), "--repeat", str(a.repeat), "--kpis-only"],
        capture_output=True,
        text=True,
        check=True,
    )
    kpis = json.loads(kp.stdout.strip().splitlines()[-1])
    load = os.getloadavg()[0]
    print(f"\n{n:,} contacts, {a.repeat} warm requests per URL, load {load:.1f}")
    print(f"server up and answering after {pages.pop('_start')['s']:.1f} s")
    print(f"{'url':28} {'first s':>8} {'again s':>8} {'KB':>7}")
    for url, r in pages.items():
        print(f"{url:28} {r['cold']:8.2f} {r['warm']:8.2f} {r['bytes'] / 1024:7.0f}")
    print("\nKPI queries behind the pages, on the store directly (medians of warm runs, s)")
    for name, t in kpis.items():
        print(f"  {name:58} {t:6.2f}")
    kept = max(pages["/overview"]["warm"], pages["/service"]["warm"])
    first = max(pages["/overview"]["cold"], pages["/service"]["cold"])
    print(
        f"\ngoal: overview and service under 1 s warm: asked again (kept) {kept:.2f} s "
        f"({'met' if kept < 1 else 'missed'}); computed {first:.2f} s "
        f"({'met' if first < 1 else 'missed'})"
    )


if __name__ == "__main__":
    main()
