"""Busy time, occupancy and utilization with concurrent chats, busy spans split at
interval edges, and state KPIs by queue when the source gives no queue (KPIS.md)."""

from __future__ import annotations

import pytest
from builders import at, make_store, run, table

from callscope.kpi import KpiParams, compute_kpis, duckdb_source
from callscope.kpi.output import describe

# Chat agent c1 (max_chats 3) logged in 10:00-11:00 (3600 s), never not ready. Times
# are minutes after 09:00 (``at``), so 10:00 is at(60).
#
#   chat  answer  end    talk   ACW  busy span (answer -> end + ACW)
#   A     10:00   10:20  1200    60  10:00:00-10:21:00
#   B     10:05   10:15   600     0  10:05:00-10:15:00 (inside A)
#   C     10:18   10:40  1320   120  10:18:00-10:42:00
#   D     10:50   10:55   300    30  10:50:00-10:55:30
#
# Summed handle time 1260 + 600 + 1440 + 330 = 3630 s > 3600 s on the clock (the old
# occupancy, 3630 / 3600, was above 100 %). Busy = union = 10:00-10:42 (2520 s) + 330 s
# = 2850 s: occupancy = utilization = 2850 / 3600.
CHATS = [
    dict(answer=60, end=80, talk=1200.0, acw=60.0),
    dict(answer=65, end=75, talk=600.0, acw=0.0),
    dict(answer=78, end=100, talk=1320.0, acw=120.0),
    dict(answer=110, end=115, talk=300.0, acw=30.0),
]
CONTACTS = [
    dict(
        channel="chat",
        queue="chat",
        queue_entry_ts=at(c["answer"]),
        wait_s=0.0,
        answer_ts=at(c["answer"]),
        end_ts=at(c["end"]),
        agent="c1",
        talk_s=c["talk"],
        acw_s=c["acw"],
    )
    for c in CHATS
]
STATES = [dict(agent="c1", state="logged_in", queue="chat", start_ts=at(60), end_ts=at(120))]
AGENTS = [dict(agent="c1", team="t", max_chats=3)]


def test_concurrent_chats_occupancy_is_busy_time(tmp_path):
    (row,) = run(
        tmp_path, ("agent",), KpiParams(), contacts=CONTACTS, agent_states=STATES, agents=AGENTS
    )
    assert row["total_handle_s"] == pytest.approx(3630.0)
    assert row["busy_s"] == pytest.approx(2850.0)
    assert row["occupancy"] == pytest.approx(2850 / 3600)
    assert row["utilization"] == pytest.approx(2850 / 3600)
    assert row["availability"] == pytest.approx(750 / 3600)
    # AHT stays per contact: mean talk 855 + mean ACW 52.5
    assert row["aht_s"] == pytest.approx(907.5)


def test_busy_time_split_at_interval_edges(tmp_path):
    # 30-minute buckets: 10:00 busy 10:00-10:30 = 1800 s of 1800 logged in -> 1.0
    # (by answer time it got chats A, B and C, 3300 s: occupancy 1.83);
    # 10:30 busy 10:30-10:42 (720 s) + D (330 s) = 1050 s.
    rows = run(tmp_path, ("interval_start",), KpiParams(), contacts=CONTACTS, agent_states=STATES)
    got = {r["interval_start"].strftime("%H:%M"): r for r in rows}
    assert got["10:00"]["busy_s"] == pytest.approx(1800.0)
    assert got["10:00"]["occupancy"] == pytest.approx(1.0)
    assert got["10:30"]["busy_s"] == pytest.approx(1050.0)
    assert got["10:30"]["occupancy"] == pytest.approx(1050 / 1800)
    assert got["10:00"]["handled"] == 3 and got["10:30"]["handled"] == 1


# Voice agent v1 logged in 09:00-11:00 with a 10-minute break 10:40-10:50; calls never
# overlap. Call 2 crosses the 10:30 edge: answered 10:25:00, end 10:35:00 (talk 540 +
# hold 60), ACW 60 -> busy 10:25-10:36: 300 s in the 10:00 bucket, 360 s in 10:30.
VOICE = [
    dict(
        queue="q",
        queue_entry_ts=at(5),
        wait_s=0.0,
        answer_ts=at(5),
        end_ts=at(10),
        agent="v1",
        talk_s=300.0,
        acw_s=30.0,
    ),
    dict(
        queue="q",
        queue_entry_ts=at(85),
        wait_s=0.0,
        answer_ts=at(85),
        end_ts=at(95),
        agent="v1",
        talk_s=540.0,
        hold_s=60.0,
        acw_s=60.0,
    ),
]
VOICE_STATES = [
    dict(agent="v1", state="logged_in", queue="q", start_ts=at(0), end_ts=at(120)),
    dict(
        agent="v1", state="not_ready", queue="q", reason="break", start_ts=at(100), end_ts=at(110)
    ),
]


def test_voice_busy_equals_handle_time(tmp_path):
    for by in [("agent",), ("day", "agent"), ("queue",)]:
        (row,) = run(
            tmp_path / "_".join(by), by, KpiParams(), contacts=VOICE, agent_states=VOICE_STATES
        )
        assert row["busy_s"] == row["total_handle_s"] == pytest.approx(330.0 + 660.0)
        assert row["occupancy"] == pytest.approx(990 / 6600)
        assert row["utilization"] == pytest.approx(990 / 7200)
    rows = run(
        tmp_path / "i", ("interval_start",), KpiParams(), contacts=VOICE, agent_states=VOICE_STATES
    )
    got = {r["interval_start"].strftime("%H:%M"): r for r in rows}
    assert got["09:00"]["busy_s"] == pytest.approx(330.0)
    assert got["10:00"]["busy_s"] == pytest.approx(300.0)
    assert got["10:30"]["busy_s"] == pytest.approx(360.0)
    # 10:30 bucket: 1800 s logged in, 600 s not ready -> 360 / 1200
    assert got["10:30"]["occupancy"] == pytest.approx(360 / 1200)
    assert sum(r["busy_s"] for r in rows) == pytest.approx(990.0)


def test_states_without_queue_are_not_grouped_by_queue(tmp_path):
    # Asterisk-style agent logins carry no queue: by queue the logged-in time cannot be
    # attributed, so the state KPIs are left out (and say why) instead of a "(null
    # queue)" row holding all logged-in time and queues holding all handle time.
    states = [dict(s, queue=None) for s in VOICE_STATES]
    rows = run(tmp_path, ("queue",), KpiParams(), contacts=VOICE, agent_states=states)
    assert [r["queue"] for r in rows] == ["q"]
    assert "occupancy" not in rows[0] and "logged_in_s" not in rows[0]
    assert rows[0]["handled"] == 2
    store = make_store(
        tmp_path / "k.duckdb",
        contacts=table("contacts", VOICE),
        agent_states=table("agent_states", states),
    )
    try:
        res = compute_kpis(duckdb_source(store), ("interval_start", "queue"), KpiParams())
        assert "agent_states rows have no queue" in res.skipped["states"]
        assert "states" not in res.families
        # the CLI's description line (table caption, stderr) says so
        assert "skipped states: cannot group by queue: 2 agent_states rows" in describe(
            res.metadata()
        )
        by_agent = compute_kpis(duckdb_source(store), ("agent",), KpiParams())
    finally:
        store.close()
    (row,) = by_agent.rows()
    assert row["occupancy"] == pytest.approx(990 / 6600)


def test_busy_time_is_exact_below_a_second(tmp_path):
    # Answer at 09:00:00.250000, talk 61.5 s, ACW 2.125 s (no end_ts): busy 63.625 s,
    # equal to the handle time to the microsecond, all in the 09:00 bucket; a second call answered 09:29:59.5 for 1.25 s splits
    # 0.5 s / 0.75 s at 09:30.
    contacts = [
        dict(
            queue="q", queue_entry_ts=at(0, 0.25), wait_s=0.0, agent="v1", talk_s=61.5, acw_s=2.125
        ),
        dict(queue="q", queue_entry_ts=at(29, 59.5), wait_s=0.0, agent="v1", talk_s=1.25),
    ]
    states = [dict(agent="v1", state="logged_in", queue="q", start_ts=at(0), end_ts=at(60))]
    (row,) = run(tmp_path, ("agent",), KpiParams(), contacts=contacts, agent_states=states)
    assert row["busy_s"] == pytest.approx(64.875, abs=1e-9)
    assert row["busy_s"] == pytest.approx(row["total_handle_s"], abs=1e-9)
    rows = run(
        tmp_path / "i", ("interval_start",), KpiParams(), contacts=contacts, agent_states=states
    )
    got = {r["interval_start"].strftime("%H:%M"): r["busy_s"] for r in rows if r["busy_s"]}
    assert got == pytest.approx({"09:00": 63.625 + 0.5, "09:30": 0.75}, abs=1e-9)
