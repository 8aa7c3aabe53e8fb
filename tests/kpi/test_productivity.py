"""Agent productivity and agent-state KPIs on a hand-worked hour (KPIS.md)."""

from __future__ import annotations

import pytest
from builders import at, run

from callscope.kpi import KpiParams
from callscope.kpi.presets import preset

# Agent a1, one day, 09:00-11:00 logged in (7200 s), with a 10-minute break 09:30-09:40
# (600 s not ready). Three answered contacts:
#
#   contact  talk  hold  acw   transferred
#   1        300    60   120   no          handle 480
#   2        200  None    60   yes         handle 260 (hold unknown: 0 in totals)
#   3        400    30  None   no          handle 430
#
# Agent a2 (Asterisk-like: no hold, no ACW at all): one contact, talk 100.
#
# Busy time (the union of answer -> end + ACW; no end_ts given, so end = answer + talk +
# hold): contact 1 is answered 09:01:10 and busy until 09:09:10 (480 s); contact 2 is
# answered 09:05:10, while a1 still works on contact 1, busy until 09:09:30; contact 3
# 09:50:10-09:57:20 (430 s). Busy = 09:01:10-09:09:30 (500 s) + 430 s = 930 s, less
# than the 1170 s of summed handle time: the agent worked two contacts at once.
CONTACTS = [
    dict(
        queue="q",
        queue_entry_ts=at(1),
        wait_s=10.0,
        agent="a1",
        talk_s=300.0,
        hold_s=60.0,
        acw_s=120.0,
    ),
    dict(
        queue="q",
        queue_entry_ts=at(5),
        wait_s=10.0,
        agent="a1",
        talk_s=200.0,
        acw_s=60.0,
        transferred=True,
    ),
    dict(queue="q", queue_entry_ts=at(50), wait_s=10.0, agent="a1", talk_s=400.0, hold_s=30.0),
    dict(queue="q", queue_entry_ts=at(7), wait_s=10.0, agent="a2", talk_s=100.0),
]
STATES = [
    dict(agent="a1", state="logged_in", start_ts=at(0), end_ts=at(120)),
    dict(agent="a1", state="not_ready", reason="break", start_ts=at(30), end_ts=at(40)),
]


@pytest.fixture(scope="module")
def by_agent(tmp_path_factory):
    rows = run(
        tmp_path_factory.mktemp("prod"),
        ("agent",),
        KpiParams(),
        contacts=CONTACTS,
        agent_states=STATES,
    )
    return {r["agent"]: r for r in rows}


def test_talk_hold_acw(by_agent):
    a1 = by_agent["a1"]
    assert a1["handled"] == 3
    assert a1["total_talk_s"] == pytest.approx(900.0)
    assert a1["avg_talk_s"] == pytest.approx(300.0)  # 900 / 3
    assert a1["avg_hold_s"] == pytest.approx(45.0)  # (60 + 30) / 2 known
    assert a1["avg_acw_s"] == pytest.approx(90.0)  # (120 + 60) / 2 known
    # AHT = 300 + 45 + 90 = 435 s (each part over contacts where it is known)
    assert a1["aht_s"] == pytest.approx(435.0)
    assert a1["total_handle_s"] == pytest.approx(1170.0)  # 480 + 260 + 430
    assert a1["transfer_rate"] == pytest.approx(1 / 3)


def test_unknown_hold_and_acw_are_not_zero(by_agent):
    a2 = by_agent["a2"]
    assert a2["avg_hold_s"] is None and a2["avg_acw_s"] is None
    assert a2["aht_s"] == pytest.approx(100.0)  # talk only


def test_state_ratios(by_agent):
    a1 = by_agent["a1"]
    assert a1["logged_in_s"] == pytest.approx(7200.0)
    assert a1["not_ready_s"] == pytest.approx(600.0)
    assert a1["busy_s"] == pytest.approx(930.0)
    # 3 handled / 2 logged-in hours
    assert a1["contacts_per_hour"] == pytest.approx(1.5)
    # occupancy = busy / (logged in - not ready) = 930 / 6600
    assert a1["occupancy"] == pytest.approx(930 / 6600)
    # utilization = busy / logged in = 930 / 7200
    assert a1["utilization"] == pytest.approx(930 / 7200)
    # availability = (7200 - 600 - 930) / 7200 = 5670 / 7200
    assert a1["availability"] == pytest.approx(5670 / 7200)
    # a2 never logged in: ratios unknown, totals 0
    assert by_agent["a2"]["logged_in_s"] == 0 and by_agent["a2"]["occupancy"] is None
    assert by_agent["a2"]["busy_s"] == pytest.approx(100.0)


def test_queuemetrics_occupancy(tmp_path):
    # QueueMetrics: talk / (session + pause) = 900 / (7200 + 600)
    rows = run(tmp_path, ("agent",), preset("queuemetrics"), contacts=CONTACTS, agent_states=STATES)
    a1 = next(r for r in rows if r["agent"] == "a1")
    assert a1["occupancy"] == pytest.approx(900 / 7800)


def test_sessions_split_at_interval_edges(tmp_path):
    # by 30-minute interval: 09:00 bucket 1800 s logged in, 0 not ready; 09:30 bucket
    # 1800 s logged in, 600 s not ready; contacts 1 and 2 answered in 09:00.
    rows = run(
        tmp_path,
        ("interval_start", "agent"),
        KpiParams(),
        contacts=CONTACTS[:2],
        agent_states=STATES,
    )
    got = {(r["interval_start"].strftime("%H:%M"), r["agent"]): r for r in rows}
    assert got[("09:00", "a1")]["logged_in_s"] == pytest.approx(1800.0)
    # busy 09:01:10-09:09:30 = 500 s (contacts 1 and 2 overlap)
    assert got[("09:00", "a1")]["occupancy"] == pytest.approx(500 / 1800)
    assert got[("09:30", "a1")]["not_ready_s"] == pytest.approx(600.0)
    assert got[("09:30", "a1")]["handled"] == 0
    assert got[("10:30", "a1")]["logged_in_s"] == pytest.approx(1800.0)


def test_overlapping_queue_sessions_merge(tmp_path):
    # Asterisk logs one session per queue: 09:00-10:00 on q1 and 09:30-10:30 on q2.
    # Per agent the logged-in time is the union, 90 minutes; per queue each counts.
    states = [
        dict(agent="a1", state="logged_in", queue="q1", start_ts=at(0), end_ts=at(60)),
        dict(agent="a1", state="logged_in", queue="q2", start_ts=at(30), end_ts=at(90)),
    ]
    rows = run(tmp_path, ("agent",), KpiParams(), agent_states=states)
    assert rows[0]["logged_in_s"] == pytest.approx(5400.0)
    rows = run(tmp_path / "q", ("queue",), KpiParams(), agent_states=states)
    assert [(r["queue"], r["logged_in_s"]) for r in rows] == [("q1", 3600.0), ("q2", 3600.0)]
