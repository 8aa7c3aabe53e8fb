"""One agent's page: their row of the agent report, their trend, their QA evaluations;
an agent sees only their own page, a supervisor only their teams' agents."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from webtools import make_app, sign_in

from callscope.settings import load_settings
from callscope.store import Store

WEEK = {"from": "2026-01-12", "to": "2026-01-18"}


@pytest.fixture(scope="module")
def outsider(center) -> str:
    """An agent outside the supervisor's team (General 1)."""
    store = Store(center.db, read_only=True)
    try:
        row = store.con.execute(
            "SELECT agent FROM agents WHERE team IS NOT NULL AND team <> 'General 1' "
            "ORDER BY agent LIMIT 1"
        ).fetchone()
    finally:
        store.close()
    assert row
    return str(row[0])


def test_the_page_agrees_with_the_agent_report(clients):
    j = clients["analyst"].get("/api/v1/agent", params={"agent": "Agent/1002", **WEEK}).json()
    assert j["agent"] == "Agent/1002" and j["team"] == "General 1"
    report = clients["analyst"].get("/api/v1/agents", params=WEEK).json()
    row = next(r for r in report["rows"] if r["agent"] == "Agent/1002")
    assert j["summary"]["answered"] == f"{row['answered']:,}"
    assert j["trend_grain"] == "day"
    assert sum(r["handled"] for r in j["trend"]) == row["answered"]
    days = [r["day"] for r in j["trend"]]
    assert days == sorted(days) and days[0] >= "2026-01-12" and days[-1] <= "2026-01-18"
    assert j["qa"]["evaluations"] == 0 and j["qa"]["qa_score"] is None
    page = clients["analyst"].get("/agent", params={"agent": "Agent/1002", **WEEK}).text
    assert 'id="trend"' in page and 'name="agent" value="Agent/1002"' in page
    agents = clients["analyst"].get("/agents", params=WEEK).text
    assert 'href="/agent?agent=Agent/1002' in agents  # the Agents table links to it


def test_who_may_see_which_agent(clients, outsider):
    me = clients["agent"].get("/api/v1/agent", params={"agent": "Agent/1001"})
    assert me.status_code == 200 and me.json()["agent"] == "Agent/1001"
    other = clients["agent"].get("/api/v1/agent", params={"agent": "Agent/1002"})
    assert other.status_code == 403 and "agent Agent/1001 only" in other.json()["error"]
    assert clients["agent"].get("/agent", params={"agent": "Agent/1002"}).status_code == 403
    assert clients["supervisor"].get("/api/v1/agent", params={"agent": "Agent/1002"}).is_success
    r = clients["supervisor"].get("/api/v1/agent", params={"agent": outsider})
    assert r.status_code == 403
    r = clients["agent"].get("/agent/export", params={"agent": "Agent/1002", "format": "csv"})
    assert r.status_code == 403


def test_mistakes(clients):
    r = clients["admin"].get("/api/v1/agent", params={"agent": "Agent/9999"})
    assert r.status_code == 400 and r.json()["field"] == "agent"
    assert "no agent 'Agent/9999'" in r.json()["error"]
    assert clients["admin"].get("/api/v1/agent").status_code == 422


def test_download(clients):
    r = clients["agent"].get("/agent/export", params={"agent": "Agent/1001", **WEEK})
    assert r.status_code == 200
    assert r.text.splitlines()[0].startswith("day,handled,aht_s")


def test_qa_evaluations_show(center, tmp_path):
    """An evaluation of one of the agent's contacts shows on their page, with the QA
    score the mean of the evaluations' scores."""
    from fastapi.testclient import TestClient

    from callscope.services.quality import EvaluateRequest, evaluate

    db = tmp_path / "copy.duckdb"
    shutil.copy(center.db, db)
    settings = load_settings(db=db, env={}, cwd=tmp_path)
    store = Store(db, read_only=True)
    try:
        ids = [
            r[0]
            for r in store.con.execute(
                "SELECT contact_id FROM contacts WHERE agent = 'Agent/1001' AND "
                "outcome = 'answered' AND answer_ts >= '2026-01-12' AND answer_ts < '2026-01-19' "
                "ORDER BY contact_id LIMIT 2"
            ).fetchall()
        ]
    finally:
        store.close()
    from callscope.quality.forms import default_form

    items = [i for sec in default_form().sections for i in sec.items]
    yes = {i.id: ("yes" if i.type == "yes_no" else 5) for i in items}
    no = {**yes, items[0].id: "no", items[-1].id: "no"}
    for cid, answers in zip(ids, (yes, no), strict=True):
        evaluate(settings, EvaluateRequest(cid, answers, evaluator="quinn"), datetime(2026, 2, 1))
    client = TestClient(make_app(type(center)(settings, db, center.tokens)))
    assert sign_in(client, "carla").status_code == 303
    j = client.get("/api/v1/agent", params={"agent": "Agent/1001", **WEEK}).json()
    scores = [e["score"] for e in j["evaluations"]]
    assert len(scores) == 2 and j["qa"]["evaluations"] == 2
    assert j["qa"]["qa_score"] == pytest.approx(sum(scores) / 2)
    page = client.get("/agent", params={"agent": "Agent/1001", **WEEK}).text
    assert 'id="evaluations"' in page and "quinn" in page


def test_a_big_center_shows_its_busiest_agents(clients, monkeypatch):
    """Past AGENTS_SHOWN agents the page shows the busiest (the total still counts
    everyone; the JSON and the download have every row)."""
    from callscope.web.routes import views

    monkeypatch.setattr(views, "AGENTS_SHOWN", 3)
    report = clients["analyst"].get("/api/v1/agents", params=WEEK).json()
    rows = [r for r in report["rows"] if not r["agent"].startswith("(")]
    assert len(rows) > 3
    top = sorted(rows, key=lambda r: -(r["answered"] or 0))[:3]
    page = clients["analyst"].get("/agents", params={**WEEK, "period": "custom"}).text
    assert page.count('<tr class="agent">') == 3
    for r in top:
        assert f">{r['agent']}</a>" in page
    assert f"{len(report['rows']) - 3:,} more are in the total" in page
