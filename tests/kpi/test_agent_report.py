"""The agent report and target status on the hand-worked hour of test_productivity."""

from __future__ import annotations

import pytest
from builders import at, make_store, table
from test_productivity import CONTACTS, STATES

from callscope.kpi import duckdb_source
from callscope.kpi.agent_report import COUNT_COLUMNS, NO_AGENT, agent_report
from callscope.kpi.targets import STATUS_SYMBOLS, STATUS_WORDS, STATUSES, Target, Targets, rag


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


# test_productivity's hour plus a call answered with no agent known, and an abandoned
# call (no agent either, but nothing handled: no row for it).
NO_AGENT_CALLS = [
    dict(queue="q", queue_entry_ts=at(60), wait_s=10.0, agent=None, talk_s=240.0),
    dict(queue="q", queue_entry_ts=at(61), wait_s=50.0, agent=None, outcome="abandoned"),
]


def _report(tmp_path, contacts, states=None, **kw):
    tables = {"contacts": table("contacts", contacts)}
    if states:
        tables["agent_states"] = table("agent_states", states)
    store = make_store(tmp_path / "r.duckdb", **tables)
    try:
        return agent_report(duckdb_source(store), **kw)
    finally:
        store.close()


def test_rows_add_up_to_the_total(tmp_path):
    rep = _report(tmp_path, [*CONTACTS, *NO_AGENT_CALLS], STATES)
    assert [r["agent"] for r in rep.rows] == ["a1", "a2", NO_AGENT]
    nobody = rep.rows[-1]
    assert (nobody["answered"], nobody["total_talk_s"]) == (1, 240.0)
    assert all(nobody[f"{c}_status"] is None for c in rep.rated)  # not a person
    for col in COUNT_COLUMNS:
        assert sum(r[col] for r in rep.rows) == pytest.approx(rep.total[col]), col
    assert rep.total["answered"] == 5


def test_status_as_text(tmp_path):
    rep = _report(tmp_path, CONTACTS, STATES, targets=Targets(aht_s=400.0, utilization=0.2))
    a1 = rep.rows[0]
    assert a1["aht_s_status"] == "amber"
    assert STATUS_WORDS[a1["aht_s_status"]] == "near" and STATUS_SYMBOLS["amber"]
    assert set(STATUS_WORDS) == set(STATUS_SYMBOLS) == set(STATUSES)
    assert rep.target_text("aht_s") == "<= 400"
    assert rep.target_text("utilization") == ">= 0.2"
    assert rep.target_text("answered") is None  # no target
    assert "aht_s" in rep.rated and "answered" not in rep.rated


def test_columns_without_data_are_left_out(tmp_path):
    """No agent sessions, no hold, no ACW (an Asterisk-like source): utilization,
    contacts per hour, hold and ACW have no value anywhere and are left out."""
    calls = [c for c in CONTACTS if c["agent"] == "a2"]
    rep = _report(tmp_path, calls)
    assert rep.omitted == ("avg_acw_s", "utilization", "avg_hold_s", "contacts_per_hour")
    assert rep.columns == ("answered", "avg_talk_s", "total_talk_s", "aht_s", "total_talk_min")
    assert rep.rated == ("aht_s",)
    for r in [*rep.rows, rep.total]:
        assert "utilization" not in r and "utilization_status" not in r
        assert set(rep.columns) <= set(r)
    assert rep.title("aht_s") == "AHT"
