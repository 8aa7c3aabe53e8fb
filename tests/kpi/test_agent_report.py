"""The agent report and target status on the hand-worked hour of test_productivity."""

from __future__ import annotations

import pytest
from builders import make_store, table
from test_productivity import CONTACTS, STATES

from callscope.kpi import duckdb_source
from callscope.kpi.agent_report import agent_report
from callscope.kpi.targets import Target, Targets, rag


def test_rag():
    sl = Target("service_level", 0.8, "at_least")
    assert [rag(v, sl) for v in (0.85, 0.8, 0.75, 0.7, None)] == [
        "green",
        "green",
        "amber",
        "red",
        None,
    ]
    aht = Target("aht_s", 300.0, "at_most")
    assert [rag(v, aht) for v in (250.0, 320.0, 331.0)] == ["green", "amber", "red"]


def test_agent_report(tmp_path):
    store = make_store(
        tmp_path / "a.duckdb",
        contacts=table("contacts", CONTACTS),
        agent_states=table("agent_states", STATES),
    )
    rep = agent_report(duckdb_source(store), targets=Targets(aht_s=400.0, utilization=0.2))
    store.close()
    a1, a2 = rep.rows
    assert (a1["agent"], a1["answered"]) == ("a1", 3)
    assert a1["total_talk_s"] == pytest.approx(900.0)
    assert a1["total_talk_min"] == pytest.approx(15.0)
    assert a1["aht_s"] == pytest.approx(435.0)
    assert a1["aht_s_status"] == "amber"  # 435 <= 400 * 1.1
    # busy 930 s (contacts 1 and 2 overlap, see test_productivity) / 7200 s logged in
    assert a1["utilization"] == pytest.approx(930 / 7200)
    assert a1["utilization_status"] == "red"  # 0.129 < 0.2 * 0.9
    assert a1["contacts_per_hour"] == pytest.approx(1.5)
    assert a2["aht_s"] == pytest.approx(100.0) and a2["aht_s_status"] == "green"
    assert a2["utilization_status"] is None  # never logged in: unknown
    tot = rep.total
    assert tot["answered"] == 4
    assert tot["total_talk_min"] == pytest.approx(1000 / 60)
    # total AHT: talk (300*3 + 100)/4 = 250, hold 45, ACW 90 -> 385
    assert tot["aht_s"] == pytest.approx(385.0)
