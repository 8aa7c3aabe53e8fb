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
# conformance = logged in (09:10-12:40 = 210 min) / scheduled work (195 min)
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
    assert row["conformance"] == pytest.approx(210 / 195)
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
