"""The Workforce pages: the latest forecast and its capacity plan (the same service calls
as `callscope forecast` and `callscope plan`), a forecast and a plan run from the page
in the background with a status to poll, a form mistake next to its field, the saved
schedules and adherence, scoped to whom the person may see."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest
from fastapi.testclient import TestClient
from webtools import csrf_of, make_app, sign_in

from callscope.settings import load_settings

SHARED_WEEK = {"from": "2026-01-12", "to": "2026-01-18"}


def _wait(client: TestClient, job: str, limit_s: float = 120.0) -> dict:
    end = time.monotonic() + limit_s
    while True:
        r = client.get(f"/api/v1/workforce/jobs/{job}")
        assert r.status_code == 200, r.text
        j = r.json()
        if j["state"] != "running":
            return j
        assert time.monotonic() < end, j
        time.sleep(0.2)


def _post(client: TestClient, url: str, **data: str):
    token = csrf_of(client.get("/workforce").text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def _job_of(r) -> str:
    assert r.status_code == 303, r.text[:500]
    m = re.fullmatch(r"/workforce\?job=([0-9a-f]+)", r.headers["location"])
    assert m, r.headers["location"]
    return m.group(1)


def _series(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="wf-series">(.*?)</script>', html, re.S)
    assert m, "no chart data on the page"
    return json.loads(m.group(1))


# -- the shared center (no forecast; nothing here writes) -----------------------------


def test_no_forecast_yet_and_who_may_run(clients):
    page = clients["analyst"].get("/workforce")
    assert page.status_code == 200
    assert 'id="no-forecast"' in page.text and 'id="forecast-form"' in page.text
    agent = clients["agent"].get("/workforce")
    assert agent.status_code == 200 and 'id="no-forecast"' in agent.text
    assert 'id="forecast-form"' not in agent.text and 'id="plan-form"' not in agent.text
    token = csrf_of(agent.text)
    for url in ("/workforce/forecast", "/workforce/plan"):
        r = clients["agent"].post(url, data={"horizon": "1d", "csrf_token": token})
        assert r.status_code == 403 and "role may not" in r.text
    assert clients["supervisor"].get("/api/v1/workforce/jobs/abc").status_code == 403
    assert clients["analyst"].get("/api/v1/workforce/jobs/abc").status_code == 404


@pytest.mark.parametrize(
    ("url", "data", "field", "words"),
    [
        ("/workforce/forecast", {"horizon": "abc", "interval": "30m"}, "horizon_s", "'abc'"),
        ("/workforce/forecast", {"horizon": "", "interval": "30m"}, "horizon_s", "give the"),
        ("/workforce/forecast", {"horizon": "2d", "interval": "20m"}, "interval_s", "15m, 30m"),
        ("/workforce/plan", {"target": "0.8/20", "shrinkage": ""}, "target", "ambiguous"),
        ("/workforce/plan", {"target": "80/20", "shrinkage": "abc"}, "shrinkage", "'abc'"),
    ],
)
def test_a_form_mistake_is_one_line_next_to_its_field(clients, url, data, field, words):
    c = clients["analyst"]
    r = _post(c, url, **data)
    assert r.status_code == 400
    m = re.search(rf'<p class="error" role="alert" data-field="{field}">([^<]*)</p>', r.text)
    assert m, r.text[:2000]
    assert words in m.group(1).replace("&#39;", "'") and "\n" not in m.group(1)
    # the field keeps what was typed; nothing started, nothing stored
    for v in data.values():
        if v:
            assert f'value="{v}"' in r.text
    assert c.get("/api/v1/workforce").json()["forecast"] is None
    api = c.post("/api/v1" + url, data={**data, "csrf_token": csrf_of(c.get("/workforce").text)})
    assert api.status_code == 400 and api.json()["field"] == field


def test_a_failed_plan_shows_its_one_line_error(clients):
    """A plan of a store without a forecast fails in the background: the status says
    so in one line, the service's."""
    c = clients["analyst"]
    job = _job_of(_post(c, "/workforce/plan", target="", shrinkage=""))
    page = c.get(f"/workforce?job={job}").text
    assert f'data-job="{job}"' in page and 'data-poll="1"' in page
    j = _wait(c, job)
    assert j["state"] == "failed" and j["kind"] == "plan"
    assert "no forecast" in j["error"] and "\n" not in j["error"]
    assert "failed: " in c.get(f"/workforce?job={job}").text


# -- schedules and adherence (the demo center's saved schedules) ------------------------


def test_schedules_and_adherence_every_agent(clients):
    j = clients["analyst"].get("/api/v1/workforce/schedule", params=SHARED_WEEK).json()
    agents = {r["agent"] for r in j["rows"]}
    assert len(agents) > 10 and j["scope"] == "every agent"
    assert {r["agent"] for r in j["adherence"]} == agents
    for r in j["rows"]:
        assert SHARED_WEEK["from"] <= r["day"] <= SHARED_WEEK["to"]
        assert r["start"] < r["end"] and r["hours"] >= 0  # 0: a day of absence
    assert sum(r["hours"] > 0 for r in j["rows"]) > len(j["rows"]) // 2
    assert any(a["activity"] == "break" for r in j["rows"] for a in r["activities"])
    # each agent's adherence judged against the settings' target (90 %, amber margin 10 %)
    for r in j["adherence"]:
        v, want = r["adherence"], r["adherence_status"]
        assert want == ("green" if v >= 0.9 else "amber" if v >= 0.81 else "red"), r
    assert {r["adherence_status"] for r in j["adherence"]} >= {"green", "red"}
    page = clients["analyst"].get("/workforce/schedule", params=SHARED_WEEK)
    assert page.status_code == 200
    assert 'id="adherence"' in page.text and 'id="schedules"' in page.text
    # default: the last 7 days with schedules
    d = clients["analyst"].get("/api/v1/workforce/schedule").json()
    assert (d["from"], d["to"]) == ("2026-01-12", "2026-01-18")


def test_an_agent_sees_only_their_own_schedule(clients):
    c = clients["agent"]
    j = c.get("/api/v1/workforce/schedule", params=SHARED_WEEK).json()
    assert j["rows"] and {r["agent"] for r in j["rows"]} == {"Agent/1001"}
    assert [r["agent"] for r in j["adherence"]] == ["Agent/1001"]
    assert {e["agent"] for e in j["exceptions"]} <= {"Agent/1001"}
    every = clients["analyst"].get("/api/v1/workforce/schedule", params=SHARED_WEEK).json()
    mine = [r for r in every["adherence"] if r["agent"] == "Agent/1001"]
    assert j["adherence"] == mine  # the same figure, the others' rows left out
    page = c.get("/workforce/schedule", params=SHARED_WEEK).text
    assert "Agent/1001" in page and "Agent/1002" not in page
    for table in ("schedule", "adherence", "exceptions"):
        csv = c.get("/workforce/schedule/export", params={"table": table, **SHARED_WEEK}).text
        assert "Agent/1002" not in csv
    assert "Agent/1001" in c.get("/workforce/schedule/export", params=SHARED_WEEK).text


def test_a_supervisor_sees_their_teams_schedules(clients):
    j = clients["supervisor"].get("/api/v1/workforce/schedule", params=SHARED_WEEK).json()
    assert {r["team"] for r in j["rows"]} == {"General 1"}
    assert {r["agent"] for r in j["adherence"]} == {r["agent"] for r in j["rows"]}


def test_a_bad_day_is_shown_next_to_the_dates(clients):
    r = clients["analyst"].get("/workforce/schedule", params={"from": "12/01/2026"})
    assert r.status_code == 400
    assert 'data-field="from"' in r.text and "is not a day" in r.text


# -- a forecast and plans run from the page (a copy of the store) ---------------------


@pytest.fixture(scope="module")
def ran(center, tmp_path_factory):
    """A copy of the center, an analyst who ran a 2-day forecast from the page."""
    root = tmp_path_factory.mktemp("workforce")
    db = root / "copy.duckdb"
    shutil.copy(center.db, db)
    settings = load_settings(db=db, env={}, cwd=root)
    app = make_app(type(center)(settings, db, center.tokens))
    c = TestClient(app)
    assert sign_in(c, "ana").status_code == 303
    job = _job_of(_post(c, "/workforce/forecast", horizon="2d", interval="30m"))
    status = _wait(c, job)
    return {"app": app, "client": c, "settings": settings, "job": job, "status": status}


def test_a_forecast_run_from_the_page(ran):
    from callscope.services.users import audit_log
    from callscope.services.workforce import forecast_view

    s = ran["status"]
    assert s["state"] == "done", s
    assert s["kind"] == "forecast" and s["step"] == "done" and s["url"] == "/workforce"
    fv = forecast_view(ran["settings"])
    assert fv is not None and fv.info.interval_s == 1800 and fv.info.horizon_days == 2
    assert s["message"].startswith(f"forecast {fv.info.forecast_id}:")
    page = ran["client"].get("/workforce").text
    assert f'<code id="forecast-id">{fv.info.forecast_id}</code>' in page
    assert 'id="no-forecast"' not in page
    # a model named per queue
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(voice|chat|email)</td><td>([^<]+)</td>", page)
    assert {q for q, _, _ in rows} == set(fv.queues) and all(m for _, _, m in rows)
    # the chart: every interval of the 2 days, the forecast inside its band
    chart = _series(page)["forecast"]
    assert len(chart["x"]) == 96
    for lo, v, hi in zip(chart["calls_lo"], chart["calls"], chart["calls_hi"], strict=True):
        assert lo - 1e-9 <= v <= hi + 1e-9
    assert sum(chart["calls"]) == pytest.approx(sum(s["calls"] for s in fv.series))
    entry = next(a for a in audit_log(ran["settings"], 50) if a.action == "forecast")
    assert entry.actor == "ana" and entry.subject == fv.info.forecast_id


def test_the_plan_shown_is_the_plan_services(ran):
    """The page's plan of the latest forecast is `callscope plan`'s (the settings'
    goals and shrinkage); its days add up to the plan."""
    from callscope.services.forecasting import PlanRequest, capacity_plan

    want = capacity_plan(ran["settings"], PlanRequest()).plan
    c = ran["client"]
    j = c.get("/api/v1/workforce").json()["plan"]
    got = j["summary"]
    base = want.summary[0]
    assert got["fte"] == pytest.approx(base.fte)
    assert got["peak_scheduled"] == base.peak_scheduled and got["target"] == base.target
    days = j["by_day"]
    assert len(days) == 2
    assert sum(d["scheduled_hours"] for d in days) == pytest.approx(base.scheduled_hours)
    assert sum(d["fte"] for d in days) / len(days) == pytest.approx(base.fte)
    assert max(i["scheduled_agents"] for i in j["by_interval"]) == base.peak_scheduled
    goals = {g["queue"]: g["goal"] for g in j["goals"]}
    settings = ran["settings"]
    assert goals["General"] == str(settings.goals["voice"])
    page = c.get("/workforce").text
    assert 'id="plan-days"' in page and f"{base.fte:,.1f}" in page
    assert len(_series(page)["plan"]["x"]) == 96
    csv = c.get("/workforce/export", params={"table": "plan-day", "format": "csv"}).text
    lines = [ln for ln in csv.splitlines() if ln and not ln.startswith("#")]
    assert lines[0].startswith("day,calls,agent_hours,scheduled_hours") and len(lines) == 3
    fc = c.get("/workforce/export", params={"table": "forecast", "format": "csv"}).text
    assert "forecast_id" in fc and "calls_lo" in fc


def test_a_plan_run_from_the_form(ran):
    from callscope.model.target import Target
    from callscope.services.forecasting import PlanRequest, capacity_plan

    c = ran["client"]
    job = _job_of(_post(c, "/workforce/plan", target="90/20", shrinkage="35%"))
    s = _wait(c, job)
    assert s["state"] == "done" and s["url"] == f"/workforce?plan={job}"
    want = capacity_plan(
        ran["settings"], PlanRequest(target=Target.parse("90/20"), shrinkage=0.35)
    ).plan.summary[0]
    j = c.get("/api/v1/workforce", params={"plan": job}).json()["plan"]
    assert j["shrinkage"] == 0.35 and j["target"] == "90/20"
    assert j["summary"]["fte"] == pytest.approx(want.fte)
    page = c.get(s["url"]).text
    assert "shrinkage 35 %" in page and "goals 90/20" in page
    default = c.get("/api/v1/workforce").json()["plan"]
    assert default["summary"]["fte"] < j["summary"]["fte"]  # a stricter goal, more shrinkage


def test_an_agent_reads_the_forecast_but_runs_nothing(ran, center):
    c = TestClient(ran["app"])
    assert sign_in(c, "carla").status_code == 303
    page = c.get("/workforce").text
    assert 'id="forecast-id"' in page and 'id="plan-days"' in page
    assert 'id="forecast-form"' not in page
    assert c.get(f"/api/v1/workforce/jobs/{ran['job']}").status_code == 403


def test_pages_answer_while_a_forecast_runs(center, tmp_path, monkeypatch):
    """The forecast is made reading the store: while its models are fitted (held here
    until the test lets go) the page and the status answer, with the step in words;
    a second forecast is refused next to the horizon until the first is done."""
    import threading

    from callscope.forecast import forecaster

    db = tmp_path / "copy.duckdb"
    shutil.copy(center.db, db)
    settings = load_settings(db=db, env={}, cwd=tmp_path)
    fitting, go = threading.Event(), threading.Event()
    real = forecaster.forecast_intervals

    def held(*args, **kw):
        fitting.set()
        assert go.wait(60)
        return real(*args, **kw)

    monkeypatch.setattr(forecaster, "forecast_intervals", held)
    c = TestClient(make_app(type(center)(settings, db, center.tokens)))
    assert sign_in(c, "ana").status_code == 303
    job = _job_of(_post(c, "/workforce/forecast", horizon="1d", interval="60m"))
    try:
        assert fitting.wait(60)
        s = c.get(f"/api/v1/workforce/jobs/{job}").json()
        assert s["state"] == "running" and s["step"].startswith("choosing and fitting")
        page = c.get("/workforce")
        assert page.status_code == 200 and 'id="wf-progress"' in page.text
        assert "choosing and fitting" in page.text and 'id="no-forecast"' in page.text
        again = _post(c, "/workforce/forecast", horizon="1d", interval="60m")
        assert again.status_code == 400 and "a forecast is running already" in again.text
        assert c.get("/workforce/schedule").status_code == 200
    finally:
        go.set()
    assert _wait(c, job)["state"] == "done"
    assert 'id="forecast-id"' in c.get("/workforce").text


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
start = "13:00-15:00 every 1h"
length = "8h30m"
breaks = [
  { name = "break", length = "15m", paid = true,  window = "1h30m-2h30m" },
  { name = "lunch", length = "30m", paid = false, window = "3h30m-5h" },
]
"""


def test_a_roster_built_and_saved_from_the_page(ran):
    """`roster build --team "Email 1" --save` from the schedule page: a mistake in the
    shifts file is one line next to it; the roster of the latest forecast's plan is
    saved and shown with its breaks, and the audit log has it."""
    from callscope.services.users import audit_log

    c = ran["client"]
    token = csrf_of(c.get("/workforce/schedule").text)
    form = {"csrf_token": token, "team": "Email 1", "time_limit": "5s", "save": "1"}
    bad = c.post(
        "/workforce/roster",
        data=form,
        files={"shifts": ("shifts.toml", b'[[shift]]\nname = "day"\n', "text/plain")},
    )
    assert bad.status_code == 400
    m = re.search(r'<p class="error" role="alert" data-field="shifts">([^<]*)</p>', bad.text)
    assert m and "needs a start" in m.group(1)
    r = c.post(
        "/workforce/roster",
        data=form,
        files={"shifts": ("shifts.toml", SHIFTS.encode(), "text/plain")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/workforce/schedule?job=")
    s = _wait(c, r.headers["location"].split("=")[1], 180)
    assert s["state"] == "done" and s["kind"] == "roster", s
    assert "schedule rows saved" in s["message"]
    assert s["url"] == "/workforce/schedule?from=2026-01-19&to=2026-01-20"
    j = c.get("/api/v1/workforce/schedule", params={"from": "2026-01-19", "to": "2026-01-20"})
    rows = j.json()["rows"]
    assert rows and {r["team"] for r in rows} == {"Email 1"}
    # days nobody has worked yet: no adherence (not 0 %), and the page says why
    assert j.json()["adherence"] is None and "no agent activity" in j.json()["notes"][0]
    span = {"from": "2026-01-14", "to": "2026-01-20"}
    both = c.get("/api/v1/workforce/schedule", params=span).json()
    assert both["adherence"] and "adherence up to Sun 18 Jan 2026" in both["notes"][0]
    for r in rows:
        kinds = [a["activity"] for a in r["activities"]]
        assert kinds == ["break", "lunch"] and r["hours"] == 8.0
    assert 'id="schedules"' in c.get(s["url"]).text
    entry = next(a for a in audit_log(ran["settings"], 50) if a.action == "roster")
    assert entry.actor == "ana" and entry.subject == "2026-01-19+2d"
