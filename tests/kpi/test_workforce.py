"""Adherence, conformance and shrinkage on a hand-worked schedule (KPIS.md)."""

from __future__ import annotations

import pytest
from builders import at, run

from callscope.kpi import KpiParams

# Agent a1's schedule 09:00-13:00 (240 min):
#   work 09:00-11:00 (120) | break 11:00-11:15 (15) | work 11:15-12:30 (75) |
#   training 12:30-13:00 (30)
# Actual: logged in 09:10-12:40, not ready 11:05-11:20.
#   work 1:   logged in 09:10-11:00 = 110 min, not ready 11:05.. none before 11:00 -> 110
#   break:    adherent when logged out or not ready: not ready 11:05-11:15 = 10 min
#   work 2:   logged in 11:15-12:30 = 75, minus not ready 11:15-11:20 = 5 -> 70
#   training: logged out 12:40-13:00 = 20 min adherent (logged in 12:30-12:40 is not)
# adherence = (110 + 10 + 70 + 20) / 240 = 210 / 240
# conformance = minutes worked / scheduled work minutes, worked = logged in (09:10-12:40
#   = 210 min) - not ready (11:05-11:20 = 15 min) = 195 min -> 195 / 195 = 1.0 (the
#   late login is made up by the 10 minutes of training spent logged in); the old
#   logged-in / scheduled-work gave 210 / 195 > 1, counting the break as work
# shrinkage = (15 + 30) / 240
SCHEDULE = [
    dict(agent="a1", activity="work", start_ts=at(0), end_ts=at(120)),
    dict(agent="a1", activity="break", start_ts=at(120), end_ts=at(135)),
    dict(agent="a1", activity="work", start_ts=at(135), end_ts=at(210)),
    dict(agent="a1", activity="training", start_ts=at(210), end_ts=at(240)),
]
STATES = [
    dict(agent="a1", state="logged_in", start_ts=at(10), end_ts=at(220)),
    dict(agent="a1", state="not_ready", reason="break", start_ts=at(125), end_ts=at(140)),
]


def test_adherence_conformance_shrinkage(tmp_path):
    row = run(tmp_path, ("agent",), KpiParams(), schedules=SCHEDULE, agent_states=STATES)[0]
    assert row["scheduled_s"] == pytest.approx(240 * 60)
    assert row["scheduled_work_s"] == pytest.approx(195 * 60)
    assert row["adherence"] == pytest.approx(210 / 240)
    assert row["conformance"] == pytest.approx(195 / 195)
    assert row["shrinkage"] == pytest.approx(45 / 240)


def test_by_hour(tmp_path):
    # 60-minute intervals: 09:00 work 60 min, logged in 50 -> adherence 50/60;
    # 12:00: work 12:00-12:30 (30, logged in all) + training 12:30-13:00 (logged out
    # 12:40-13:00 = 20) -> (30 + 20) / 60
    rows = run(
        tmp_path,
        ("interval_start",),
        KpiParams(interval_minutes=60),
        schedules=SCHEDULE,
        agent_states=STATES,
    )
    got = {r["interval_start"].hour: r for r in rows}
    assert got[9]["adherence"] == pytest.approx(50 / 60)
    assert got[12]["adherence"] == pytest.approx(50 / 60)
    assert got[11]["shrinkage"] == pytest.approx(15 / 60)


def test_conformance_counts_breaks_taken_logged_in_as_not_worked(tmp_path):
    # Scheduled 09:00-13:00: work 120, lunch 60, work 60 min (180 min work). The agent
    # stays logged in 09:00-13:00 (240 min) and takes lunch as not-ready 11:00-12:00:
    # worked = 240 - 60 = 180 min -> conformance 180 / 180 = 1 (logged-in time alone
    # would give 240 / 180 = 1.33). A 30-minute early log-off (logged in to 12:30)
    # gives 150 / 180.
    schedule = [
        dict(agent="a1", activity="work", start_ts=at(0), end_ts=at(120)),
        dict(agent="a1", activity="lunch", start_ts=at(120), end_ts=at(180)),
        dict(agent="a1", activity="work", start_ts=at(180), end_ts=at(240)),
        dict(agent="a2", activity="work", start_ts=at(0), end_ts=at(120)),
        dict(agent="a2", activity="lunch", start_ts=at(120), end_ts=at(180)),
        dict(agent="a2", activity="work", start_ts=at(180), end_ts=at(240)),
    ]
    states = [
        dict(agent="a1", state="logged_in", start_ts=at(0), end_ts=at(240)),
        dict(agent="a1", state="not_ready", reason="lunch", start_ts=at(120), end_ts=at(180)),
        dict(agent="a2", state="logged_in", start_ts=at(0), end_ts=at(210)),
        dict(agent="a2", state="not_ready", reason="lunch", start_ts=at(120), end_ts=at(180)),
    ]
    rows = run(tmp_path, ("agent",), KpiParams(), schedules=schedule, agent_states=states)
    got = {r["agent"]: r for r in rows}
    assert got["a1"]["conformance"] == pytest.approx(1.0)
    assert got["a1"]["adherence"] == pytest.approx(1.0)
    assert got["a2"]["conformance"] == pytest.approx(150 / 180)
    # by hour: 11:00 lunch, nothing scheduled as work -> unknown, not 0 or infinite
    rows = run(
        tmp_path / "h",
        ("interval_start", "agent"),
        KpiParams(interval_minutes=60),
        schedules=schedule,
        agent_states=states,
    )
    by = {(r["interval_start"].hour, r["agent"]): r for r in rows}
    assert by[(9, "a1")]["conformance"] == pytest.approx(1.0)
    assert by[(11, "a1")]["conformance"] is None
    assert by[(12, "a2")]["conformance"] == pytest.approx(30 / 60)
