"""Benchmark of ``callscope roster build``: a synthetic center's own agents rostered
for its capacity plan, callscope's roster engine against a plain exact model.

The center is ``callscope synth --contacts 20000 --days 28 --seed 42`` (41 agents in 6
teams); ``callscope forecast --horizon DAYS`` then, inside ``roster build``, the
capacity plan of that forecast (base scenario, ``scheduled_agents``) is covered by two
templates (early 07:00-09:00 and late 12:00-14:00 starts every hour, 8h30m with a paid
15-minute break and an unpaid 30-minute lunch), 30 s for the shift cover. The agents
file (seeded): every seventh agent part-time (16-20 h a week), the rest 32-40 h, at
most one weekend, every fifth agent early shifts only, every eleventh agent never on
weekends, requests for days off and late shifts. The roster gets ``--time-limit``
seconds (callscope: column-generation bound, CP-SAT, LNS, 2 workers); the plain model
is the same compact CP-SAT model solved whole (2 workers, no warm start) for as long.
Both rosters are checked against the hard rules (:func:`violations`) and priced
(:func:`penalty`) outside the solvers.

Run::

    .venv/bin/python benchmarks/roster_build.py [--days 7,14] [--time-limit 60]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

SHIFTS = """
[[shift]]
name = "early"
start = "07:00-09:00 every 1h"
length = "8h30m"
breaks = [
  { name = "break", length = "15m", paid = true,  window = "1h30m-2h30m" },
  { name = "lunch", length = "30m", paid = false, window = "3h30m-5h" },
]

[[shift]]
name = "late"
start = "12:00-14:00 every 1h"
length = "8h30m"
breaks = [
  { name = "break", length = "15m", paid = true,  window = "1h30m-2h30m" },
  { name = "lunch", length = "30m", paid = false, window = "3h30m-5h" },
]
"""


def agents_csv(agents: list[tuple[str, str | None]], first: str, seed: int = 1) -> str:
    """The agents file described in the module docstring."""
    rng = random.Random(seed)
    y, m, d = (int(x) for x in first.split("-"))
    lines = [
        "agent,team,max_hours_per_week,min_hours_per_week,max_weekends,shifts,days_off,requests"
    ]
    for i, (a, team) in enumerate(agents):
        part = i % 7 == 3
        req = ""
        if i % 3 == 0:
            req = f"{y:04d}-{m:02d}-{d + rng.randrange(7):02d} off 5"
        elif i % 4 == 1:
            req = f"{y:04d}-{m:02d}-{d + rng.randrange(7):02d} late 3"
        lines.append(
            f"{a},{team or ''},{20 if part else ''},{16 if part else 32},1,"
            f"{'early' if i % 5 == 0 else ''},{'sat|sun' if i % 11 == 0 else ''},{req}"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", default="7,14", help="roster horizons in days, comma-separated")
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args()

    from callscope.schedule.roster import penalty, violations
    from callscope.schedule.roster_cpsat import RosterModel
    from callscope.services.common import open_store
    from callscope.services.forecasting import ForecastRequest, forecast
    from callscope.services.rostering import RosterBuildRequest, roster_build
    from callscope.services.sample import SynthRequest, synth
    from callscope.settings import load_settings
    from callscope.store.roster import read_agents

    print(
        f"roster build benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| days | agents | shift types | shifts wanted | callscope objective | bound | gap "
        "| seconds | plain CP-SAT objective | its bound | gap | seconds |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        settings = load_settings(None, db=d / "c.duckdb", env={}, cwd=d)
        synth(settings, SynthRequest(contacts=20_000, days=28, seed=42))
        (d / "shifts.toml").write_text(SHIFTS)
        with open_store(settings) as store:
            agents = read_agents(store)
        for days in [int(x) for x in args.days.split(",")]:
            f = forecast(settings, ForecastRequest(horizon_s=days * 86400.0), datetime.now(UTC))
            first = f.first.date().isoformat()
            (d / "agents.csv").write_text(agents_csv(agents, first))
            r = roster_build(
                settings,
                RosterBuildRequest(
                    shifts=d / "shifts.toml",
                    agents=d / "agents.csv",
                    time_limit_s=args.time_limit,
                    cover_time_limit_s=30.0,
                ),
            )
            p = r.problem
            assert p is not None
            t = time.perf_counter()
            plain = RosterModel(p).solve(args.time_limit, workers=2, seed=0)
            plain_s = time.perf_counter() - t
            if plain.roster is not None:
                assert violations(p, plain.roster) == []
                po = penalty(p, plain.roster).total
                plain_cols = f"{po:,} | {plain.bound:,.0f} | {100 * (po - plain.bound) / po:.2f} %"
            else:
                plain_cols = "none | - | -"
            wanted = sum(r.cover.column("required").to_pylist())
            print(
                f"| {days} | {len(p.agents)} | {len(p.shifts)} | {wanted} | {r.objective:,} "
                f"| {r.bound:,} ({r.bound_source}) | {100 * (r.gap or 0):.2f} % "
                f"| {r.seconds:.1f} + {r.cover_seconds:.1f} cover | {plain_cols} | {plain_s:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
