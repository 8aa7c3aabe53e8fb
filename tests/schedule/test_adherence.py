"""Adherence, conformance, shrinkage and exceptions: Genesys Cloud's worked example,
each exception kind by hand, the tolerance, the KPI engine's adherence on the same
data, the live view and ``callscope adherence``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import callscope.cli  # noqa: F401  (registers every command)
from callscope.cli.app import app
from callscope.model import TABLES
from callscope.schedule.adherence import agent_day, live_status, timeline
from callscope.store import Store

M = 60.0  # seconds per minute
T0 = datetime(2024, 3, 4, 9, 0)  # a Monday


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def secs(minutes: float) -> float:
    return (at(minutes) - datetime(1970, 1, 1)).total_seconds()


def test_genesys_worked_example_71_4_percent() -> None:
    """Genesys Cloud ("How Genesys Cloud calculates adherence and conformance"): 60 min
    of on-queue work scheduled; the agent arrives 10 min late, works the remaining 50
    and stays 10 min more. With working outside the shift counted as an exception:
    1 - (10 + 10) / (60 + 10) = 71.4 %. Without: 1 - 10 / 60 = 83.3 %."""
    sched = [("work", secs(0), secs(60))]
    states = [("logged_in", None, secs(10), secs(70))]
    (day,) = agent_day(sched, states, tolerance_s=5 * M)
    assert day.adherence == pytest.approx(1 - 20 / 70)
    assert round(day.adherence * 100, 1) == 71.4
    assert [(e.kind, e.seconds / M) for e in day.exceptions] == [
        ("late_start", 10.0),
        ("working_outside_shift", 10.0),
    ]
    assert day.conformance == pytest.approx(60 / 60)  # 60 min worked for 60 scheduled
    (off,) = agent_day(sched, states, outside_shift_exception=False)
    assert off.adherence == pytest.approx(1 - 10 / 60)


def test_every_exception_kind_by_hand() -> None:
    """09:00-17:00: work 09-11, break 11:00-11:15, work 11:15-13, lunch 13-13:30,
    work 13:30-16, meeting 16-16:30, work 16:30-17.
    Actual: logged in 09:07 (late start 7 min), not ready 'coffee' 10:00-10:20 (20 min
    unscheduled aux), break taken 11:00-11:25 as not ready (10 min long break), logged
    out 12:00-12:10 (logged out 10 min), lunch 13:00-13:30 worked through (working in
    break 30 min), meeting 16:00-16:30 logged out (adherent), back 16:30, logged out
    16:50 (early end 10 min), and a 3-minute not-ready at 14:00 (under the 5-minute
    tolerance: no exception).
    Out of adherence 7 + 20 + 10 + 10 + 30 + 10 = 87 min (+3 within tolerance) of
    480 scheduled: adherence 1 - 87/480. Worked (logged in, not not-ready): logged in
    09:07-12:00 (173 min), 12:10-16:00 (230) and 16:30-16:50 (20) = 423 min, less not
    ready 20 + 25 + 3 = 48 -> 375 min for 405 scheduled work (480 - 75): conformance 375/405; all
    of it inside the schedule -> actual shrinkage 1 - 375/480; planned shrinkage
    (15 + 30 + 30) / 480."""
    sched = [
        ("work", secs(0), secs(120)),
        ("break", secs(120), secs(135)),
        ("work", secs(135), secs(240)),
        ("lunch", secs(240), secs(270)),
        ("work", secs(270), secs(420)),
        ("meeting", secs(420), secs(450)),
        ("work", secs(450), secs(480)),
    ]
    states = [
        ("logged_in", None, secs(7), secs(180)),
        ("logged_in", None, secs(190), secs(420)),
        ("logged_in", None, secs(450), secs(470)),
        ("not_ready", "coffee", secs(60), secs(80)),
        ("not_ready", "break", secs(120), secs(145)),
        ("not_ready", "personal", secs(300), secs(303)),
    ]
    (day,) = agent_day(sched, states, tolerance_s=5 * M)
    got = [(e.kind, e.seconds / M, e.reason) for e in day.exceptions]
    assert got == [
        ("late_start", 7.0, None),
        ("unscheduled_aux", 20.0, "coffee"),
        ("long_break", 10.0, "break"),
        ("logged_out", 10.0, None),
        ("working_in_break", 30.0, None),
        ("early_end", 10.0, None),
    ]
    assert day.exception_s == pytest.approx(87 * M)
    assert day.adherence == pytest.approx(1 - 87 / 480)
    assert day.worked_s == pytest.approx(375 * M)
    assert day.conformance == pytest.approx(375 / 405)
    assert day.planned_shrinkage == pytest.approx(75 / 480)
    assert day.actual_shrinkage == pytest.approx(1 - 375 / 480)
    # with no tolerance the 3-minute aux is an exception too
    (strict,) = agent_day(sched, states, tolerance_s=0.0)
    assert strict.exception_s == pytest.approx(90 * M)


def test_a_night_shift_is_split_between_the_days() -> None:
    sched = [("work", secs(13 * 60), secs(21 * 60))]  # 22:00 to 06:00
    states = [("logged_in", None, secs(13 * 60), secs(20 * 60))]  # leaves at 05:00
    d1, d2 = agent_day(sched, states, tolerance_s=0)
    assert d1.scheduled_s == pytest.approx(120 * M) and d2.scheduled_s == pytest.approx(360 * M)
    assert d1.adherence == pytest.approx(1.0) and d2.adherence == pytest.approx(300 / 360)
    assert d2.exceptions[0].kind == "early_end"


def _store(
    path: Path, schedules: list[dict], states: list[dict], agents: list[dict] | None = None
) -> Store:
    store = Store(path)

    def table(name: str, rows: list[dict]) -> pa.Table:
        spec = TABLES[name]
        full = []
        for i, r in enumerate(rows):
            row = {"source_file": "test", "source_line": i + 1, **r}
            if name == "agent_states":
                row.setdefault("duration_s", (row["end_ts"] - row["start_ts"]).total_seconds())
            full.append({c: row.get(c) for c in spec.names})
        return pa.Table.from_pylist(full, schema=spec.schema)

    with store.batch("test", "test", f"sha-{path.name}") as b:
        b.append("schedules", table("schedules", schedules))
        b.append("agent_states", table("agent_states", states))
        if agents:
            b.append("agents", table("agents", agents))
    return store


def _random_day(rng: np.random.Generator, agent: str) -> tuple[list[dict], list[dict]]:
    start = float(rng.integers(0, 8)) * 30
    acts, t = [], start
    for act, length in (("work", 120), ("break", 15), ("work", 105), ("lunch", 30), ("work", 210)):
        acts.append({"agent": agent, "activity": act, "start_ts": at(t), "end_ts": at(t + length)})
        t += length
    a = start + float(rng.integers(-20, 30))
    b = t + float(rng.integers(-40, 40))
    states = [{"agent": agent, "state": "logged_in", "start_ts": at(a), "end_ts": at(b)}]
    for _ in range(3):
        x = float(rng.uniform(a, b - 20))
        y = min(x + float(rng.uniform(2, 40)), b)
        states.append(
            {
                "agent": agent,
                "state": "not_ready",
                "reason": "aux",
                "start_ts": at(x),
                "end_ts": at(y),
            }
        )
    return acts, states


def test_same_adherence_conformance_and_shrinkage_as_the_kpi_engine(tmp_path: Path) -> None:
    """With no tolerance and outside-shift work not counted, adherence is time adherent
    / scheduled time, the KPI engine's definition (kpi/workforce.py); conformance and
    planned shrinkage are its conformance and shrinkage. Random days of 12 agents."""
    from callscope.kpi import KpiParams, compute_kpis, duckdb_source

    rng = np.random.default_rng(3)
    schedules, states = [], []
    for i in range(12):
        s, st = _random_day(rng, f"a{i}")
        schedules += s
        states += st
    store = _store(tmp_path / "k.duckdb", schedules, states)
    try:
        rows = compute_kpis(duckdb_source(store), ("agent",), KpiParams()).rows()
    finally:
        store.close()
    kpi = {r["agent"]: r for r in rows}

    def rows_of(agent: str, items: list[dict], *keys: str) -> list[tuple]:
        out = []
        for r in items:
            if r["agent"] == agent:
                a, b = (
                    (r[k] - datetime(1970, 1, 1)).total_seconds() for k in ("start_ts", "end_ts")
                )
                out.append((*(r.get(k) for k in keys), a, b))
        return out

    for agent, want in kpi.items():
        (d,) = agent_day(
            rows_of(agent, schedules, "activity"),
            rows_of(agent, states, "state", "reason"),
            tolerance_s=0,
            outside_shift_exception=False,
        )
        assert d.adherence == pytest.approx(want["adherence"], abs=1e-9), agent
        assert d.conformance == pytest.approx(want["conformance"], abs=1e-9), agent
        assert d.planned_shrinkage == pytest.approx(want["shrinkage"], abs=1e-9), agent


def test_live_status_flags_an_agent_once_past_the_tolerance() -> None:
    sched = [
        ("work", secs(0), secs(60)),
        ("break", secs(60), secs(75)),
        ("work", secs(75), secs(120)),
    ]
    states = [("logged_in", None, secs(0), None), ("not_ready", "break", secs(60), None)]
    now = live_status(sched, states, secs(70), tolerance_s=5 * M)
    assert now.in_adherence and now.activity == "break"
    late = live_status(sched, states, secs(78), tolerance_s=5 * M)
    assert not late.in_adherence and late.kind == "long_break" and not late.exception
    later = live_status(sched, states, secs(82), tolerance_s=5 * M)
    assert later.exception and later.since == pytest.approx(secs(75))
    absent = live_status(sched, [], secs(3), tolerance_s=0)
    assert absent.kind == "late_start" and absent.exception
    # the live verdict is the history's verdict on the states so far
    segs = timeline(sched, [(s, r, a, secs(82)) for s, r, a, _ in states], until=secs(82))
    assert segs[-1].kind == "long_break"


def test_adherence_command(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _store(
        db,
        [
            {"agent": "ann", "activity": "work", "start_ts": at(0), "end_ts": at(60)},
            {"agent": "bob", "activity": "work", "start_ts": at(0), "end_ts": at(60)},
        ],
        [
            {"agent": "ann", "state": "logged_in", "start_ts": at(10), "end_ts": at(70)},
            {"agent": "bob", "state": "logged_in", "start_ts": at(0), "end_ts": at(60)},
        ],
        [{"agent": "ann", "team": "red"}, {"agent": "bob", "team": "red"}],
    ).close()
    runner = CliRunner()
    res = runner.invoke(app, ["adherence", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [(r["agent"], r["day"], round(r["adherence"], 4)) for r in rows] == [
        ("ann", "2024-03-04", 0.7143),
        ("bob", "2024-03-04", 1.0),
    ]
    res = runner.invoke(app, ["adherence", "--db", str(db), "--exceptions", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[1].startswith(
        '"ann","late_start",2024-03-04 09:00:00,2024-03-04 09:10:00,10,'
    )
    res = runner.invoke(app, ["adherence", "--db", str(db), "--by", "day", "--tolerance", "15m"])
    assert res.exit_code == 0 and "100.0 %" in res.stdout  # 10-minute spans are tolerated
    res = runner.invoke(app, ["adherence", "--db", str(db), "--by", "team", "--format", "json"])
    (team,) = json.loads(res.stdout)
    # the team pools its agents' time: 1 - (10 + 10) / (120 + 10)
    assert team["team"] == "red" and team["adherence"] == pytest.approx(1 - 20 / 130)
    res = runner.invoke(
        app, ["adherence", "--db", str(db), "--from", "2024-03-05", "--format", "json"]
    )
    assert res.exit_code == 0 and json.loads(res.stdout) == []  # nothing scheduled then
    res = runner.invoke(app, ["adherence", "--db", str(db), "--by", "queue"])
    assert res.exit_code != 0
