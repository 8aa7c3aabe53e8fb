"""Whose figures: an agent sees only their own (page, JSON, download), a supervisor
their teams', and the figures on the pages are `callscope kpi`'s."""

from __future__ import annotations

import csv
import io
import json

import pytest

WEEK = "period=custom&from=2026-01-12&to=2026-01-18"


def test_an_agent_sees_only_their_own_figures(clients):
    me, other = "Agent/1001", "Agent/1002"
    c = clients["agent"]
    # the agents page, its JSON and its download hold one agent: carla
    page = c.get(f"/agents?{WEEK}").text
    assert me in page and other not in page and "Agent/10" not in page.replace(me, "")
    j = c.get(f"/api/v1/agents?{WEEK}").json()
    assert [r["agent"] for r in j["rows"]] == [me]
    assert j["scope"] == f"agent {me}"
    assert j["total"]["answered"] == j["rows"][0]["answered"]  # the total is hers alone
    rows = list(csv.DictReader(io.StringIO(c.get(f"/agents/export?format=csv&{WEEK}").text)))
    assert [r["agent"] for r in rows] == [me, "Total"]
    # asking for another agent's team or queue changes nothing: rows are filtered in the
    # service, never only hidden
    j2 = c.get(f"/api/v1/agents?{WEEK}&team=General+2&team=Billing+1").json()
    assert all(r["agent"] == me for r in j2["rows"])
    # the overview counts only her contacts
    everyone = clients["analyst"].get(f"/api/v1/overview?{WEEK}").json()
    hers = c.get(f"/api/v1/overview?{WEEK}").json()

    def answered(view):
        return sum(
            next(x["value"] for x in r["cells"] if x["kpi"] == "answered") or 0
            for r in view["channels"]
        )

    assert 0 < answered(hers) == j["total"]["answered"] < answered(everyone)
    assert "figures of agent Agent/1001 only" in c.get(f"/overview?{WEEK}").text
    # and the other agent sees his own, not hers
    his = clients["agent2"].get(f"/api/v1/agents?{WEEK}").json()
    assert [r["agent"] for r in his["rows"]] == [other]
    # the service view is hers too
    svc_all = clients["analyst"].get(f"/api/v1/service?{WEEK}").json()
    svc = c.get(f"/api/v1/service?{WEEK}").json()
    assert sum(r["answered"] or 0 for r in svc["by_day"]) == answered(hers)
    assert sum(r["answered"] or 0 for r in svc["by_day"]) < sum(
        r["answered"] or 0 for r in svc_all["by_day"]
    )
    # an agent has no data, settings, users or audit pages
    for path in ("/data", "/settings", "/users", "/audit", "/api/v1/rejects", "/api/v1/users"):
        assert c.get(path).status_code == 403, path


def test_a_supervisor_sees_their_teams(clients, center):
    from callscope.services.common import open_store

    with open_store(center.settings) as store:
        agents = store.arrow("agents").to_pylist()
    team = sorted(a["agent"] for a in agents if a["team"] == "General 1")
    j = clients["supervisor"].get(f"/api/v1/agents?{WEEK}").json()
    got = [r["agent"] for r in j["rows"]]
    assert got and set(got) <= set(team)
    assert j["scope"] == "team General 1"
    page = clients["supervisor"].get(f"/overview?{WEEK}").text
    assert '<option value="General 1"' in page and '<option value="General 2"' not in page


@pytest.mark.parametrize("role", ["analyst", "supervisor", "agent"])
def test_agent_rows_add_up_to_the_total(clients, role):
    j = clients[role].get(f"/api/v1/agents?{WEEK}").json()
    for col in ("answered", "total_talk_s"):
        assert sum(r[col] or 0 for r in j["rows"]) == pytest.approx(j["total"][col])


def test_the_overview_is_callscope_kpi(clients, center, capsys):
    """The overview's figures per channel and queue are those `callscope kpi` prints for
    the same period (the days of the period, the end exclusive)."""
    from callscope.cli import main

    def kpi(by: str) -> list[dict]:
        with pytest.raises(SystemExit) as e:
            main(
                [
                    "kpi",
                    "--by",
                    by,
                    "--from",
                    "2026-01-12",
                    "--to",
                    "2026-01-19",
                    "--format",
                    "json",
                    "--db",
                    str(center.db),
                ]
            )
        assert e.value.code == 0
        return json.loads(capsys.readouterr().out)

    view = clients["analyst"].get(f"/api/v1/overview?{WEEK}").json()
    for by, rows in (("channel", view["channels"]), ("queue", view["queues"])):
        ref = {r[by]: r for r in kpi(by)}
        assert rows
        for row in rows:
            want = ref[row[by]]
            for cell in row["cells"]:
                if cell["kpi"] == "occupancy" and by == "channel":
                    continue  # pooled from the channel's queues (as the demo does)
                assert cell["value"] == pytest.approx(want[cell["kpi"]], rel=1e-6, abs=1e-6), (
                    by,
                    row[by],
                    cell["kpi"],
                )
